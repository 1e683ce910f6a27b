"""Search latency, measured one way: every latency figure (eval reports, bench scripts, the docs) comes
from `timed_search`, so two tools timing the same index and queries time the same work.

What is timed: one call of the search function (default mcdewey.search.search) with the query's own
filters and k, as a first-time query: the embedder's remembered vector of the query and the index's
cache of recently read documents are forgotten first, so the time includes embedding the query
(keyword search embeds nothing) and reading the documents its passages come from, whatever ran before. What is not timed: loading
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


def forget_documents(index) -> None:
    """Drop the index's small caches of documents: passage expansion reads the texts of the hits'
    documents, and a search of the same text just before (another mode) would otherwise have fetched them."""
    forget = getattr(index, "forget_documents", None)
    if forget is not None:
        forget()


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
    forget_documents(index)
    start = time.perf_counter()
    hits = search_fn(index, query, k, mode, filters)
    return hits, (time.perf_counter() - start) * 1000
