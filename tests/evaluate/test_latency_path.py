"""One timing path for every latency figure (mcdewey.latency), used by `eval run` and bench/search_latency.py."""

from __future__ import annotations

import time
from collections import OrderedDict

from mcdewey import latency


class _Embedder:
    def __init__(self):
        self._query_cache = OrderedDict(remembered="vector")

    def clear_query_cache(self):
        self._query_cache.clear()


class _Index:
    def __init__(self):
        self._embedder = _Embedder()
        self.prewarmed = 0

    def embedder(self):
        return self._embedder

    def prewarm(self):
        self.prewarmed += 1
        return {}


def _slow_search(calls: list):
    def search(index, query, k, mode, filters):
        calls.append((query, k, mode, filters))
        time.sleep(0.03)
        return [f"hit for {query}"]
    return search


def test_timed_search_times_a_first_time_query():
    index, calls = _Index(), []
    hits, ms = latency.timed_search(index, "reset the router", 7, "hybrid", "some filters", _slow_search(calls))
    assert hits == ["hit for reset the router"] and calls == [("reset the router", 7, "hybrid", "some filters")]
    assert 30 <= ms < 1000
    assert not index.embedder()._query_cache  # the query's embedding is part of the time


def test_a_first_time_query_reads_its_documents_anew(demo):
    """Passage expansion reads document texts through a small cache: a search of the same text just
    before (another mode) must not make the timed one cheaper."""
    from mcdewey.search import search

    index = demo[3]
    doc_id = next(iter(index._files_by_doc))
    index.get_document(doc_id)
    assert index.document_texts([doc_id])
    cached_when_timed = []

    def spy(idx, query, k, mode, filters):
        cached_when_timed.append((idx.get_document.cache_info().currsize, len(idx._texts)))
        return search(idx, query, k, mode, filters)

    for mode in ("keyword", "hybrid"):
        latency.timed_search(index, "configure a static route", 10, mode, None, spy)
    assert cached_when_timed == [(0, 0), (0, 0)]


def test_warm_up_prewarms_the_index_and_searches_once_untimed():
    index, calls = _Index(), []
    latency.warm_up(index, "first query", 5, "vector", None, _slow_search(calls))
    assert index.prewarmed == 1 and calls == [("warm-up first query", 5, "vector", None)]


def test_eval_run_reports_the_shared_timing(monkeypatch, memory_index, labeled_queries):
    """evaluate_index's latencies are exactly what mcdewey.latency.timed_search measured."""
    from mcdewey.evaluate import runner

    seen = []

    def fake_timed(index, query, k, mode, filters, search_fn=None):
        seen.append(query)
        return [], 12.5

    monkeypatch.setattr(runner, "timed_search", fake_timed)
    run = runner.evaluate_index(memory_index, labeled_queries, "hybrid", 10, lambda *a: [], use_ragas=False)
    assert seen == [q.query for q in labeled_queries]
    assert [r.latency_ms for r in run.results] == [12.5] * len(labeled_queries)
