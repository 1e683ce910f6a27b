"""Search latency, measured one way: every latency figure (eval reports, bench scripts, the docs) comes
from `timed_search`, so two tools timing the same index and queries time the same work.

What is timed: one call of the search function (default mcdewey.search.search) with the query's own
filters and k, as a first-time query: the embedder's remembered vector of the query is forgotten
first, so the time includes embedding it (keyword search embeds nothing). What is not timed: loading
the model and opening or prewarming the index (`warm_up` does that before the first timed query).
"""

from __future__ import annotations

import time
from collections.abc import Callable

SearchFn = Callable[..., list]


def _default_search() -> SearchFn:
    from mcdewey.search import search

    return search


def forget_queries(index) -> None:
    """Make the next query a first-time query: drop the embedder's in-memory query vectors."""
    embedder = index.embedder() if hasattr(index, "embedder") else None
    clear = getattr(embedder, "clear_query_cache", None)
    if clear is not None:  # the fake embedder keeps no query cache
        clear()


def warm_up(index, query: str, k: int = 10, mode: str = "hybrid", filters=None,
            search_fn: SearchFn | None = None) -> None:
    """Load what the first search would load (model, tables, indexes), outside any timing."""
    prewarm = getattr(index, "prewarm", None)
    if prewarm is not None:
        prewarm()
    (search_fn or _default_search())(index, "warm-up " + query, k, mode, filters)


def timed_search(index, query: str, k: int = 10, mode: str = "hybrid", filters=None,
                 search_fn: SearchFn | None = None) -> tuple[list, float]:
    """(hits, milliseconds) of one first-time search of `query`."""
    search_fn = search_fn or _default_search()
    if mode != "keyword":
        forget_queries(index)
    start = time.perf_counter()
    hits = search_fn(index, query, k, mode, filters)
    return hits, (time.perf_counter() - start) * 1000
