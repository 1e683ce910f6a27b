"""Each broken or hostile input is reported with its kind and reason; the good documents stay searchable."""

from __future__ import annotations

import pytest

from mcdewey.search import search
from reliability.broken import CASES, GOOD, GOOD_QUERIES, SECRET


def _problems(report) -> dict[str, dict]:
    return {p["path"]: p for p in report.problems}


def test_there_are_at_least_thirty_kinds_of_broken_input():
    broken = [c for c in CASES if c.kind is not None]
    assert len(broken) >= 30 and len({c.name for c in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_broken_input_is_reported_and_the_good_documents_stay_searchable(broken_ingest, case):
    workspace, report = broken_ingest
    index = workspace.open_index("broken")
    problems = _problems(report)
    if case.kind is None:  # decoded right and indexed
        assert case.path not in problems
        hits = search(index, case.reason, k=5, mode="keyword")
        assert hits and hits[0].chunk.doc_id == case.path and case.reason in hits[0].chunk.text
    else:
        assert case.path in problems, sorted(problems)
        assert problems[case.path]["kind"] == case.kind
        assert case.reason in problems[case.path]["reason"]
        assert not any(c.startswith(case.path.rstrip("/")) for c in index.arrow(["doc_id"])["doc_id"].to_pylist()
                       if case.path not in GOOD)
    for query, doc_id in GOOD_QUERIES.items():
        hits = search(index, query, k=3, mode="keyword")
        assert hits and hits[0].chunk.doc_id == doc_id, query


def test_counts_match_the_problems_and_only_good_documents_are_indexed(broken_ingest):
    workspace, report = broken_ingest
    errors = [p for p in report.problems if p["kind"] == "error"]
    assert report.errors == len(errors) == len({c.path for c in CASES if c.kind == "error"}) + 1  # + "pong"
    summary = report.summary()
    assert summary["documents"]["errors"] == report.errors
    assert summary["documents"]["skipped"] == len(report.problems) - len(errors)
    indexed = set(workspace.open_index("broken").arrow(["doc_id"])["doc_id"].to_pylist())
    assert indexed == set(GOOD) | {c.path for c in CASES if c.kind is None}


def test_nothing_outside_the_library_is_indexed(broken_ingest):
    workspace, _ = broken_ingest
    index = workspace.open_index("broken")
    for query in (SECRET, "root:x:0:0", "/bin/bash", "nologin"):
        assert all(SECRET not in h.chunk.text and "/bin/bash" not in h.chunk.text
                   for h in search(index, query, k=10, mode="keyword")), query


def test_a_rerun_reports_the_same_problems_and_does_no_work(broken_library, broken_ingest):
    from reliability.conftest import ingest_limited

    workspace, first = broken_ingest
    again = ingest_limited(broken_library, workspace)
    assert again.problems == first.problems
    assert again.errors == first.errors and again.chunks_added == 0 and again.new == 0
