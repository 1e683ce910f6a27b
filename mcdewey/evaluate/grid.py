"""An experiment grid: chunking strategies × parameters × models × search set-ups × modes, from YAML.

```yaml
models: [null]                 # null = the bundled model; "fast" the distilled static one; "fake" for tests
backend: onnx-int8             # optional: torch (default), onnx, onnx-int8 or openvino
modes: [keyword, vector, hybrid]
k: 10
strategies:
  recursive: {max_tokens: [128, 254], context: [false, true]}
  fixed: {max_tokens: [128, 254], overlap: [32]}
search:                        # optional: SearchConfig variants, each evaluated in every mode
  - {}
  - {label: title-words, keyword_field: search_text}
```
Each (strategy, params, model) becomes one index, built or brought up to date with `ingest`
(unchanged files are skipped and the embedding cache means a chunk is never embedded twice).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from pathlib import Path
from collections.abc import Callable, Sequence

import yaml

from mcdewey.evaluate.queries import Query
from mcdewey.evaluate.runner import RunResult
from mcdewey.manifest import ChunkingSpec
from mcdewey.vocabulary import MODES

GRID_KEYS = ("models", "backend", "modes", "k", "strategies", "search")


class GridError(ValueError):
    """A grid file that cannot be used."""


@dataclass(frozen=True)
class Grid:
    """The parsed grid file: one ChunkingSpec per index to build."""

    indexes: tuple[ChunkingSpec, ...]
    modes: tuple[str, ...]
    search: tuple[dict, ...] = ({},)
    k: int = 10

    @property
    def size(self) -> int:
        return len(self.indexes) * len(self.modes) * len(self.search)


def load_grid(path: Path | str) -> Grid:
    """Parse a GRID.yaml (see the module docstring); parameter lists expand to their product.

    Every set-up is resolved and every search variant checked here, so a typo fails before anything is built.
    """
    data = yaml.safe_load(Path(path).read_text()) or {}
    unknown = sorted(set(data) - set(GRID_KEYS))
    if unknown:
        raise GridError(f"{path}: unknown key(s) {', '.join(unknown)}; a grid has {', '.join(GRID_KEYS)}")
    strategies = data.get("strategies")
    if not isinstance(strategies, dict) or not strategies:
        raise GridError(f"{path}: 'strategies' must map strategy names to parameter lists")
    models = data.get("models", [None])
    models = models if isinstance(models, list) else [models]
    modes = tuple(data.get("modes") or MODES)
    if set(modes) - set(MODES):
        raise GridError(f"{path}: modes must be among {', '.join(MODES)}")
    search = tuple(data.get("search") or [{}])
    try:
        specs = [ChunkingSpec.resolve(name, params, model, data.get("backend")) for model in models
                 for name, grid in strategies.items() for params in _expand(grid or {})]
        from mcdewey.search import SearchConfig

        for variant in search:
            SearchConfig().with_overrides({k: v for k, v in variant.items() if k != "label"})
    except ValueError as exc:
        raise GridError(f"{path}: {exc}") from None
    return Grid(tuple(specs), modes, search, int(data.get("k", 10)))


def _expand(params: dict) -> list[dict]:
    keys = sorted(params)
    values = [v if isinstance(v, list) else [v] for v in (params[k] for k in keys)]
    return [dict(zip(keys, combo)) for combo in itertools.product(*values)]


@dataclass
class GridResult:
    """Every run of the grid, and what each index build did."""

    runs: list[RunResult] = field(default_factory=list)
    ingest: dict[str, dict] = field(default_factory=dict)


def run_grid(grid: Grid, library: Path, workspace, queries: Sequence[Query], use_ragas: bool = True,
             log: Callable[[str], None] = print) -> GridResult:
    """Build or reuse each index, then evaluate it in every mode and search variant."""
    from mcdewey.experiment import measure, prepare_index, search_label

    out = GridResult()
    for n, spec in enumerate(grid.indexes, 1):
        name = spec.index_name(library)
        log(f"[{n}/{len(grid.indexes)}] index {name}: {spec.strategy} {spec.params} model={spec.model} "
            f"backend={spec.backend}")
        index, report = prepare_index(library, workspace, spec, name)
        out.ingest[name] = report.to_dict()
        for variant in grid.search:
            for mode in grid.modes:
                run = measure(index, queries, mode, grid.k, variant, use_ragas=use_ragas)
                s = run.summary()
                log(f"    {mode:<8} {search_label(variant):<14} hit@5 {s['hit@5']:.3f}  ndcg@10 {s['ndcg@10']:.3f}  "
                    f"p50 {s['latency_ms_p50']:.1f} ms")
                out.runs.append(run)
    return out
