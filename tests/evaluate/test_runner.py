"""The runner on an in-memory index with a scripted search: every number worked by hand."""

import pytest

from evalfixtures import TEXT_B, scripted_search
from mcdewey.evaluate.runner import SUMMARY_KEYS, evaluate_index
from mcdewey.models import Filters


@pytest.fixture
def run(memory_index, labeled_queries):
    search = scripted_search(memory_index, {
        "relay read only": ["openvswitch::3.1::relay::1", "openvswitch::3.1::relay::0"],
        "agent log location": ["connect::2023::logs::0", "connect::2023::logs::1"],
        "conntrack zone": [],
    })
    result = evaluate_index(memory_index, labeled_queries, mode="keyword", k=10, search_fn=search)
    return result, search


def test_runner_passes_mode_k_and_each_querys_filters(run):
    _, search = run
    assert search.calls[0][0] == "warm-up relay read only"  # not timed, and not a query of the set
    assert search.calls[1] == ("relay read only", 10, "keyword", Filters(product="openvswitch"))
    assert search.calls[2][3] is None


def test_runner_per_query_metrics(run):
    result, _ = run
    q1, q2, q3 = result.results
    assert q1.first_rank == 2 and q1.metrics["hit@1"] == 0 and q1.metrics["mrr@10"] == 0.5
    assert q2.first_rank == 1 and q2.metrics["ndcg@10"] == 1.0  # the second chunk is redundant, not a loss
    assert q3.first_rank is None and q3.metrics["hit@10"] == 0
    quote = "The agent-log.txt file is saved to your browser's default directory"
    assert q2.metrics["span_recall@5"] == 1.0
    assert q2.metrics["span_precision@5"] == pytest.approx(len(quote) / len(TEXT_B))
    assert q1.metrics["ragas_id_precision"] == 0.5 and q1.metrics["ragas_id_recall"] == 1.0
    assert q2.metrics["ragas_id_recall"] == 1.0 and q2.metrics["ragas_precision"] == pytest.approx(1.0)
    assert q3.metrics["ragas_id_precision"] is None  # nothing retrieved: ragas has nothing to score


def test_runner_summary(run):
    result, _ = run
    s = result.summary()
    assert set(SUMMARY_KEYS) <= set(s)
    assert s["queries"] == 3
    assert s["hit@1"] == pytest.approx(1 / 3) and s["hit@3"] == pytest.approx(2 / 3)
    assert s["mrr@10"] == pytest.approx(1.5 / 3)
    assert s["latency_ms_p50"] is not None and s["latency_ms_p50"] >= 0
    assert s["by_tag"]["ovs"]["queries"] == 2 and s["by_tag"]["ovs"]["hit@3"] == 0.5
    assert s["unresolved_evidence"] == 0


def test_vector_queries_are_timed_cold(memory_index, labeled_queries):
    from collections import OrderedDict

    class Embedder:
        _query_cache = OrderedDict(q="vector")

        def clear_query_cache(self):  # as SentenceTransformerEmbedder's
            self._query_cache.clear()

    embedder = Embedder()
    memory_index.embedder = lambda: embedder
    search = scripted_search(memory_index, {})
    evaluate_index(memory_index, labeled_queries[:1], "keyword", 10, search, use_ragas=False)
    assert embedder._query_cache  # keyword search never embeds: nothing to forget
    evaluate_index(memory_index, labeled_queries[:1], "vector", 10, search, use_ragas=False)
    assert not embedder._query_cache


def test_ignore_filters_searches_the_whole_library(memory_index, labeled_queries):
    search = scripted_search(memory_index, {})
    evaluate_index(memory_index, labeled_queries, "keyword", 10, search, use_ragas=False, use_filters=False)
    assert [call[3] for call in search.calls] == [None] * 4  # warm-up + 3 queries, q1 has filters
