"""One experiment runner: build or reuse the index of a set-up, evaluate it, return results that carry their set-up.

`eval run`, `eval grid`, `bench telequad`, `Lab` and the notebooks all measure through these
functions, so a set-up gets the same index name, the same recorded `ChunkingSpec` and the same
search configuration whichever of them ran it:

    index, report = prepare_index(library, workspace, ChunkingSpec.resolve("recursive", {"max_tokens": 120}))
    runs = [measure(index, queries, mode) for mode in MODES]

A `RunResult`'s set-up is its index's manifest (`run.spec`) plus `run.config` (name, search overrides,
filters): nothing is recorded twice.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from mcdewey.evaluate.queries import Query
from mcdewey.evaluate.runner import RunResult, evaluate_index
from mcdewey.manifest import ChunkingSpec
from mcdewey.vocabulary import check_mode


def prepare_index(library: Path | str, workspace, spec: ChunkingSpec, name: str | None = None,
                  progress: bool = False, replace: bool = False):
    """Build, bring up to date or reuse the index of `spec` (named by `spec.index_name` unless `name` is given).

    Returns (the opened index, the ingest report); an index whose files did not change costs a scan.
    """
    from mcdewey.ingest import ingest_spec

    name = name or spec.index_name(library)
    report = ingest_spec(Path(library), workspace, name, spec, progress=progress, replace=replace)
    return workspace.open_index(name), report


def search_label(settings: dict | None, use_filters: bool = True) -> str:
    """How a run's search overrides show in its name: `label` when given, else key=value pairs."""
    settings = dict(settings or {})
    label = str(settings.pop("label", "") or "")
    parts = [label] if label else [f"{k}={v}" for k, v in settings.items()]
    return ",".join(parts + ([] if use_filters else ["no-filters"]))


def measure(index, queries: Sequence[Query], mode: str = "hybrid", k: int = 10, search: dict | None = None,
            name: str | None = None, use_ragas: bool = True, progress: Callable[[int, int], None] | None = None,
            use_filters: bool = True) -> RunResult:
    """Evaluate `index` in `mode` with its recorded search set-up, overridden by `search` (checked: an unknown
    setting raises ValueError); the result's config names the run and records the overrides."""
    from mcdewey.search import SearchConfig, search as run_search

    check_mode(mode)
    settings = {key: v for key, v in (search or {}).items() if key != "label"}
    search_fn = None
    if settings:
        config = SearchConfig.of_index(index).with_overrides(settings)

        def search_fn(idx, query, k, mode, filters):
            return run_search(idx, query, k, mode, filters, config=config)

    run = evaluate_index(index, queries, mode, k, search_fn, use_ragas=use_ragas, progress=progress,
                         use_filters=use_filters)
    label = search_label(search, use_filters)
    run.config = {"name": name or f"{index.name}/{mode}" + (f"/{label}" if label else ""), "search": settings,
                  "filters": use_filters}
    return run
