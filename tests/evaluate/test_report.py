"""Report folder contents, and the regression gate."""

import csv
import json
import re

import pytest

from evalfixtures import scripted_search
from mcdewey.evaluate.gate import check_gate, load_baseline
from mcdewey.evaluate.report import write_report
from mcdewey.evaluate.runner import SUMMARY_KEYS, evaluate_index


@pytest.fixture
def runs(memory_index, labeled_queries):
    good = scripted_search(memory_index, {
        "relay read only": ["openvswitch::3.1::relay::0"],
        "agent log location": ["connect::2023::logs::0"],
        "conntrack zone": ["openvswitch::3.1::relay::1", "openvswitch::3.1::relay::2"],
    })
    bad = scripted_search(memory_index, {"relay read only": ["connect::2023::logs::1"]})
    return [evaluate_index(memory_index, labeled_queries, "hybrid", 10, good, use_ragas=False),
            evaluate_index(memory_index, labeled_queries, "keyword", 10, bad, use_ragas=False)]


def test_report_folder(tmp_path, runs):
    summary = write_report(tmp_path, runs, "queries.jsonl")
    assert {p.name for p in tmp_path.iterdir()} == {"summary.json", "per_query.csv", "report.html"}
    saved = json.loads((tmp_path / "summary.json").read_text())
    assert saved["best"] == "mem/hybrid" == summary["best"]
    assert [c["mode"] for c in saved["configurations"]] == ["hybrid", "keyword"]  # best first
    assert set(SUMMARY_KEYS) <= set(saved["configurations"][0])
    assert saved["configurations"][0]["hit@1"] == pytest.approx(2 / 3)
    assert saved["configurations"][1]["hit@10"] == 0
    assert "files" not in saved["indexes"]["mem"] and saved["indexes"]["mem"]["strategy"] == "fixed-chars"
    rows = list(csv.DictReader(open(tmp_path / "per_query.csv")))
    assert len(rows) == 6
    assert {(r["configuration"], r["query_id"]) for r in rows} >= {("mem/hybrid", "q3"), ("mem/keyword", "q1")}
    q3 = next(r for r in rows if r["configuration"] == "mem/hybrid" and r["query_id"] == "q3")
    assert q3["first_relevant_rank"] == "2" and q3["top1_doc"] == "ovs/openvswitch/3.1/relay.md"


def test_report_html_is_self_contained(tmp_path, runs):
    write_report(tmp_path, runs, "queries.jsonl")
    html = (tmp_path / "report.html").read_text()
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html, re.I)
    assert "<link" not in html and "<script" not in html
    assert html.count('src="data:image/png;base64,') >= 2  # latency and per-tag plots
    assert "conntrack zone" in html  # worst queries: q3 found its evidence only at rank 2
    assert "A zone is an independent connection tracking context" in html


def test_gate_passes_within_the_allowed_drop_and_fails_beyond():
    base = {"ndcg@10": 0.80, "hit@5": 0.90}
    ok = check_gate({"ndcg@10": 0.78, "hit@5": 0.95}, base, 0.02)
    assert ok.passed and ok.deltas["ndcg@10"] == pytest.approx(-0.02)
    bad = check_gate({"ndcg@10": 0.85, "hit@5": 0.85}, base, 0.02)
    assert not bad.passed and len(bad.failures) == 1 and bad.failures[0].startswith("hit@5")
    assert not check_gate({"ndcg@10": 0.7, "hit@5": 0.9}, base, 0.05).passed


def test_baseline_from_a_report_summary_or_a_flat_summary(tmp_path, runs):
    summary = write_report(tmp_path, runs, "q.jsonl")
    assert load_baseline(tmp_path / "summary.json")["name"] == "mem/hybrid"
    assert load_baseline(tmp_path / "summary.json", "mem/keyword")["mode"] == "keyword"
    flat = tmp_path / "flat.json"
    flat.write_text(json.dumps(summary["configurations"][1]))
    assert load_baseline(flat)["hit@10"] == 0


def test_grid_file_expands_to_the_product(tmp_path):
    from mcdewey.evaluate.grid import GridError, load_grid

    path = tmp_path / "grid.yaml"
    path.write_text("models: [fake, null]\nstrategies:\n  recursive: {max_tokens: [128, 254], context: [false, true]}\n"
                    "  page: {max_tokens: 254}\nsearch:\n  - {}\n  - {label: kw2, keyword_weight: 2.0}\n")
    grid = load_grid(path)
    assert len(grid.indexes) == 2 * (4 + 1) and grid.modes == ("keyword", "vector", "hybrid")
    assert grid.size == 10 * 3 * 2
    names = {spec.index_name(tmp_path) for spec in grid.indexes}
    assert len(names) == 10 and all(n.startswith("grid-") and len(n) < 80 for n in names)
    path.write_text("modes: [fuzzy]\nstrategies: {page: {}}\n")
    with pytest.raises(GridError, match="modes"):
        load_grid(path)
