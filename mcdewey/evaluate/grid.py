"""An experiment grid: chunking strategies × parameters × models × search set-ups × modes, from YAML.

```yaml
models: [null]                 # null = the bundled model; "fake" for tests
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

import hashlib
import itertools
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from collections.abc import Callable, Sequence

import yaml

from mcdewey.evaluate.queries import Query
from mcdewey.evaluate.runner import RunResult, evaluate_index

MODES = ("keyword", "vector", "hybrid")


class GridError(ValueError):
    """A grid file that cannot be used."""


@dataclass(frozen=True)
class IndexSpec:
    """One index of the grid: how the library is chunked and embedded."""

    strategy: str
    params: dict
    model: str | None
    backend: str | None = None

    def name(self, library: Path) -> str:
        """A readable, stable index name; the hash tells apart libraries, models and backends."""
        key = [str(Path(library).resolve()), self.strategy, self.params, self.model]
        key = json.dumps(key + [self.backend] if self.backend else key, sort_keys=True)
        digest = hashlib.sha1(key.encode()).hexdigest()[:6]
        parts = [f"{_abbrev(k)}{_value(v)}" for k, v in sorted(self.params.items())]
        readable = re.sub(r"[^A-Za-z0-9_.-]+", "", "-".join([self.strategy, *parts]))[:60]
        return f"grid-{readable}-{digest}"


_ABBREV = {"max_tokens": "mt", "min_tokens": "mn", "overlap": "ov", "context": "ctx", "model": "tok",
           "breakpoint_percentile": "bp"}


def _abbrev(key: str) -> str:
    return _ABBREV.get(key) or ("".join(w[0] for w in key.split("_")) if "_" in key else key[:4])


def _value(v) -> str:
    return {True: "y", False: "n", None: "none"}.get(v, str(v)) if isinstance(v, (bool, type(None))) else str(v)


@dataclass(frozen=True)
class Grid:
    """The parsed grid file."""

    indexes: tuple[IndexSpec, ...]
    modes: tuple[str, ...]
    search: tuple[dict, ...] = ({},)
    k: int = 10

    @property
    def size(self) -> int:
        return len(self.indexes) * len(self.modes) * len(self.search)


def load_grid(path: Path | str) -> Grid:
    """Parse a GRID.yaml (see the module docstring); parameter lists expand to their product."""
    data = yaml.safe_load(Path(path).read_text()) or {}
    strategies = data.get("strategies")
    if not isinstance(strategies, dict) or not strategies:
        raise GridError(f"{path}: 'strategies' must map strategy names to parameter lists")
    models = data.get("models", [None])
    models = models if isinstance(models, list) else [models]
    modes = tuple(data.get("modes") or MODES)
    if set(modes) - set(MODES):
        raise GridError(f"{path}: modes must be among {', '.join(MODES)}")
    backend = data.get("backend")
    specs = [IndexSpec(name, params, model, backend) for model in models
             for name, grid in strategies.items() for params in _expand(grid or {})]
    search = tuple(data.get("search") or [{}])
    return Grid(tuple(specs), modes, search, int(data.get("k", 10)))


def _expand(params: dict) -> list[dict]:
    keys = sorted(params)
    values = [v if isinstance(v, list) else [v] for v in (params[k] for k in keys)]
    return [dict(zip(keys, combo)) for combo in itertools.product(*values)]


def _search_label(variant: dict) -> str:
    if variant.get("label"):
        return str(variant["label"])
    return ",".join(f"{k}={v}" for k, v in sorted(variant.items()))


@dataclass
class GridResult:
    """Every run of the grid, and what each index build did."""

    runs: list[RunResult] = field(default_factory=list)
    ingest: dict[str, dict] = field(default_factory=dict)


def run_grid(grid: Grid, library: Path, workspace, queries: Sequence[Query], use_ragas: bool = True,
             log: Callable[[str], None] = print) -> GridResult:
    """Build or reuse each index, then evaluate it in every mode and search variant."""
    from mcdewey.ingest import ingest
    from mcdewey.search import SearchConfig, search

    out = GridResult()
    for n, spec in enumerate(grid.indexes, 1):
        name = spec.name(library)
        log(f"[{n}/{len(grid.indexes)}] index {name}: {spec.strategy} {spec.params} model={spec.model}"
            + (f" backend={spec.backend}" if spec.backend else ""))
        report = ingest(library, workspace, name, spec.strategy, dict(spec.params), spec.model, spec.backend,
                        progress=False)
        out.ingest[name] = report.to_dict()
        index = workspace.open_index(name)
        for variant in grid.search:
            settings = {k: v for k, v in variant.items() if k != "label"}
            config = SearchConfig.from_dict({**(index.manifest.get("search") or {}), **settings})

            def search_fn(idx, query, k, mode, filters, _config=config):
                return search(idx, query, k, mode, filters, config=_config)

            label = _search_label(variant)
            for mode in grid.modes:
                run = evaluate_index(index, queries, mode, grid.k, search_fn, use_ragas=use_ragas)
                run.config = {"name": f"{name}/{mode}" + (f"/{label}" if label else ""),
                              "strategy": spec.strategy, "params": dict(spec.params), "model": spec.model,
                              "search": settings}
                s = run.summary()
                log(f"    {mode:<8} {label:<14} hit@5 {s['hit@5']:.3f}  ndcg@10 {s['ndcg@10']:.3f}  "
                    f"p50 {s['latency_ms_p50']:.1f} ms")
                out.runs.append(run)
    return out
