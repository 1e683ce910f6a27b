"""The evaluation counts a collapsed hit by any of its copies and reports wrong_version@5."""

from __future__ import annotations

from mcdewey.evaluate.metrics import wrong_version
from mcdewey.evaluate.queries import parse_query
from mcdewey.evaluate.runner import SUMMARY_KEYS, evaluate_index
from mcdewey.search import search


def _query(qid: str, doc: str, filters: dict | None = None):
    return parse_query({"id": qid, "query": "How do I enable TLS for SIP with enable_tls",
                        "relevant": [{"doc": doc, "quote": "load the tls module and set enable_tls to yes"}],
                        "filters": filters or {}})


def test_label_in_the_older_version_is_found_through_the_copy_and_flagged(vindex):
    queries = [_query("old", "sipco/proxy/1.0/cookbook/core.md"), _query("new", "sipco/proxy/2.0/cookbook/core.md"),
               _query("old-filtered", "sipco/proxy/1.0/cookbook/core.md", {"product": "proxy", "version": "1.0"})]
    run = evaluate_index(vindex, queries, "keyword", 10, use_ragas=False)
    by_id = {r.query.id: r for r in run.results}
    assert by_id["old"].hits[0].chunk.version == "2.0"  # shown from the newest version ...
    assert by_id["old"].metrics["hit@5"] == 1.0  # ... and relevant through its 1.0 copy
    assert by_id["old"].metrics["wrong_version@5"] == 1.0
    assert by_id["new"].metrics["wrong_version@5"] == 0.0 and by_id["new"].metrics["hit@5"] == 1.0
    assert by_id["old-filtered"].metrics["wrong_version@5"] == 0.0
    summary = run.summary()
    assert "wrong_version@5" in SUMMARY_KEYS and abs(summary["wrong_version@5"] - 1 / 3) < 1e-9

    # Without collapsing the 1.0 label is found by its own copy: never the wrong version.
    plain = evaluate_index(vindex, queries[:1], "keyword", 10, use_ragas=False,
                           search_fn=lambda i, q, k, m, f: search(i, q, k, m, f, collapse_versions=False))
    assert plain.results[0].metrics["wrong_version@5"] == 0.0


def test_wrong_version_rule():
    assert wrong_version([("2.0", {0})], ["1.0"]) == 1.0
    assert wrong_version([("2.0", {0}), ("1.0", {0})], ["1.0"]) == 0.0
    assert wrong_version([("2.0", set())], ["1.0"]) == 0.0  # not found at all is a miss, not a wrong version
    assert wrong_version([("3.0", set())] * 5 + [("1.0", {0})], ["1.0"]) == 0.0  # beyond the top 5


def test_collapse_versions_is_a_search_setting(vindex):
    from mcdewey.search import SearchConfig

    query = "How do I enable TLS for SIP with enable_tls"
    off = search(vindex, query, 10, "keyword", config=SearchConfig(passage_chunks=1, collapse_versions=False))
    on = search(vindex, query, 10, "keyword", config=SearchConfig(passage_chunks=1))
    assert sum("enable_tls" in h.chunk.text for h in off) == 3 and sum("enable_tls" in h.chunk.text for h in on) == 1
