"""The experiment lab behind notebook 02's controls and the tables of notebook 03."""

from __future__ import annotations

import pytest

from mcdewey.evaluate.runner import evaluate_index
from mcdewey.frames import baseline_frame, comparison_frame, summary_frame, tag_frame, worst_frame
from mcdewey.lab import Lab, Setup, query_tags, select_queries


def test_setup_drops_values_its_strategy_ignores():
    assert Setup("recursive", overlap=32) == Setup("recursive")
    assert Setup("fixed", overlap=32).overlap == 32
    assert Setup("fixed", 128, 32, context=False).params() == {"max_tokens": 128, "overlap": 32, "context": False}
    assert Setup("fixed", 128, 32).spec("my/model", "torch").params["model"] == "my/model"  # the index's tokens
    assert Setup().context is True  # as every strategy's own default
    assert Setup("recursive", 64).params()["min_tokens"] == 16  # the default 50 would swallow 64-token chunks
    assert "min_tokens" not in Setup("recursive", 200).params()


def test_select_queries_by_tag_and_limit(demo_query_list):
    bgp = select_queries(demo_query_list, ["bgp"])
    assert bgp and all("bgp" in q.tags for q in bgp)
    ospf = select_queries(demo_query_list, ["ospf"])
    assert len(select_queries(demo_query_list, ["bgp", "ospf"])) == len(bgp) + len(ospf)
    assert len(select_queries(demo_query_list, limit=3)) == 3
    assert "near-duplicate" in query_tags(demo_query_list)


@pytest.fixture(scope="module")
def lab(demo, demo_query_list):
    return Lab(demo[0], demo[2], select_queries(demo_query_list, ["bgp", "apt"]), model="fake")


def test_compare_returns_one_row_per_setup_with_the_runs_metrics(lab):
    first = lab.compare(Setup("recursive", 128))
    assert len(first) == 1
    frame = lab.compare(Setup("fixed", 64, 16, mode="keyword", k=5))
    assert list(frame["setup"]) == [Setup("recursive", 128).label, Setup("fixed", 64, 16, mode="keyword", k=5).label]
    run = lab.results[Setup("fixed", 64, 16, mode="keyword", k=5)]
    row = frame.iloc[1]
    values = (row["strategy"], row["max_tokens"], row["overlap"], row["mode"], row["k"])
    assert values == ("fixed", 64, 16, "keyword", 5)
    summary = run.summary()
    for key in ("hit@1", "hit@5", "ndcg@10", "span_iou@5"):
        assert row[key] == pytest.approx(summary[key])
    assert row["chunks"] == lab.index(Setup("fixed", 64, 16)).count()
    assert summary["queries"] == len(lab.queries) == len(select_queries(lab.queries, ["bgp", "apt"]))
    assert all(len(r.hits) <= 5 and r.query.id for r in run.results)


def test_compare_twice_reuses_the_result(lab):
    lab.compare(Setup("recursive", 128))
    before = lab.results[Setup("recursive", 128)]
    frame = lab.compare(Setup("recursive", 128, overlap=99))  # overlap means nothing to recursive
    assert lab.results[Setup("recursive", 128)] is before
    assert list(frame["setup"]).count(Setup("recursive", 128).label) == 1


def test_index_name_matches_the_spec_rule(lab):
    from mcdewey.manifest import ChunkingSpec

    setup = Setup("fixed", 64, 16)
    spec = ChunkingSpec.resolve("fixed", {"max_tokens": 64, "overlap": 16}, "fake")
    assert lab.index_name(setup) == spec.index_name(lab.library)


def test_run_frames(demo, demo_query_list):
    index = demo[3]
    run = evaluate_index(index, demo_query_list, "hybrid", 10, use_ragas=False)
    summary = run.summary()
    table = summary_frame(run)
    assert table.loc["ndcg@10", run.name] == pytest.approx(summary["ndcg@10"])
    assert table.loc["queries", run.name] == len(demo_query_list)
    tags = tag_frame(run).set_index("tag")
    assert tags.loc["bgp", "queries"] == sum("bgp" in q.tags for q in demo_query_list)
    assert tags.loc["bgp", "hit@5"] == pytest.approx(summary["by_tag"]["bgp"]["hit@5"])
    worst = worst_frame(run, 3)
    imperfect = [r for r in run.results if (r.metrics["ndcg@10"] or 0) < 1]
    assert len(worst) == min(3, len(imperfect))
    if len(worst):
        first = next(r for r in run.results if r.query.id == worst.iloc[0]["id"])
        assert first.metrics["ndcg@10"] == min(r.metrics["ndcg@10"] for r in imperfect)
        assert first.hits[0].chunk.chunk_id in worst.iloc[0]["retrieved #1"]
        assert first.query.relevant[0].quote in worst.iloc[0]["expected"]


def test_baseline_frame_deltas():
    frame = baseline_frame({"hit@5": 0.9, "ndcg@10": 0.7}, {"hit@5": 0.8, "ndcg@10": 0.75}, ["hit@5", "ndcg@10"])
    assert list(frame["delta"].round(6)) == [0.1, -0.05]


def test_comparison_frame_empty_has_columns():
    frame = comparison_frame([])
    assert frame.empty and {"setup", "hit@5", "ndcg@10"} <= set(frame.columns)
