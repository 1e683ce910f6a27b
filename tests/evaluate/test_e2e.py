"""`mcdewey eval check|run|grid` end to end over the small generated library with the fake embedder."""

import importlib.util
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from mcdewey.cli import app

PDF = "acme/router/1.0/guide/router-guide.pdf"
QUERIES = [
    {"id": "s1", "query": "how long is the BGP hold timer by default on the R100?",
     "relevant": [{"doc": PDF, "page": 4, "quote": "The BGP hold timer defaults to 240 seconds on the R100."}],
     "filters": {"product": "router", "version": "1.0"}, "tags": ["pdf", "parameter"]},
    {"id": "s2", "query": "ospf neighbour stuck in exstart",
     "relevant": [{"doc": PDF, "page": 5,  # runs over the break from page 5 to page 6
                   "quote": "Every area border router must have an interface in the backbone area. "
                            "3.1 Troubleshooting adjacency If an OSPF adjacency is stuck in EXSTART"}],
     "tags": ["pdf", "troubleshooting"]},
    {"id": "s3", "query": "which DHCP option tells the phone its TFTP server",
     "relevant": [{"doc": "globex/phone/3.1/manual/provisioning.html", "page": None,
                   "quote": "DHCP option 150 names the TFTP server"}], "tags": ["html"]},
    {"id": "s4", "query": "kamailio acc module which transactions get a record",
     "relevant": [{"doc": "kamailio/kamailio/5.6.3/modules/README.acc", "page": None,
                   "quote": "The acc module writes one record for every transaction marked with the log_flag."}],
     "filters": {"product": "kamailio"}, "tags": ["text"]},
]


def _build_module():
    spec = importlib.util.spec_from_file_location("mcdewey_test_build", Path(__file__).parents[1] / "data" / "build.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def setup(tmp_path_factory):
    from mcdewey.ingest import ingest
    from mcdewey.store import Workspace

    root = tmp_path_factory.mktemp("eval-e2e")
    library = _build_module().build_library(root / "library")
    home = root / "home"
    ingest(library, Workspace(home), "small", model="fake", progress=False)
    queries = root / "queries.jsonl"
    queries.write_text("".join(json.dumps(q) + "\n" for q in QUERIES))
    return library, home, queries


def _run(*args):
    result = CliRunner().invoke(app, [str(a) for a in args])
    return result.exit_code, result.output


def test_check_resolves_every_quote(setup):
    _, home, queries = setup
    code, out = _run("eval", "check", queries, "--index", "small", "--home", home)
    assert code == 0, out
    assert "4 quotes: 4 resolved, 0 failed" in out


def test_check_lists_failures_with_closest_match(setup, tmp_path):
    _, home, _ = setup
    bad = dict(QUERIES[0], id="bad", relevant=[{"doc": PDF, "page": 4,
                                                "quote": "The BGP hold timer defaults to 180 seconds on the R100."}])
    wrong_page = dict(QUERIES[2], id="wp", relevant=[dict(QUERIES[0]["relevant"][0], page=5)])
    path = tmp_path / "bad.jsonl"
    path.write_text(json.dumps(bad) + "\n" + json.dumps(wrong_page) + "\n")
    code, out = _run("eval", "check", path, "--index", "small", "--home", home)
    assert code == 1
    assert "bad" in out and "closest" in out and "240 seconds" in out
    assert "found on page(s) [4], not on page 5" in out


def test_run_json_saves_summary_and_gate(setup, tmp_path):
    _, home, queries = setup
    code, out = _run("eval", "run", queries, "--index", "small", "--mode", "keyword", "--json", "--home", home,
                     "--out", tmp_path / "report")
    assert code == 0, out
    summary = json.loads(out)
    for key in ("queries", "hit@1", "hit@5", "hit@10", "recall@10", "mrr@10", "ndcg@10", "latency_ms_p50"):
        assert key in summary
    assert summary["queries"] == 4 and summary["unresolved_evidence"] == 0
    assert summary["hit@10"] > 0  # keyword search finds the verbatim facts
    saved = json.loads((home / "indexes" / "small" / "eval-summary.json").read_text())
    assert saved["ndcg@10"] == summary["ndcg@10"] and saved["mode"] == "keyword"
    assert {p.name for p in (tmp_path / "report").iterdir()} == {"summary.json", "per_query.csv", "report.html"}

    baseline = tmp_path / "baseline.json"
    baseline.write_text(json.dumps(summary))
    code, _ = _run("eval", "run", queries, "--index", "small", "--mode", "keyword", "--home", home,
                   "--baseline", baseline, "--no-ragas")
    assert code == 0
    baseline.write_text(json.dumps({**summary, "ndcg@10": summary["ndcg@10"] + 0.05}))
    code, out = _run("eval", "run", queries, "--index", "small", "--mode", "keyword", "--home", home,
                     "--baseline", baseline, "--max-drop", "0.02", "--no-ragas")
    assert code == 1 and "regression gate failed" in out


def test_grid_on_the_small_library(setup, tmp_path):
    library, home, queries = setup
    grid = tmp_path / "grid.yaml"
    grid.write_text("models: [fake]\nmodes: [keyword, hybrid]\nstrategies:\n"
                    "  recursive: {max_tokens: [64, 128]}\n  page: {max_tokens: [128]}\n")
    code, out = _run("eval", "grid", queries, "--library", library, "--grid", grid, "--out", tmp_path / "g",
                     "--home", home, "--no-ragas")
    assert code == 0, out
    summary = json.loads((tmp_path / "g" / "summary.json").read_text())
    configs = summary["configurations"]
    assert len(configs) == 6 and len(summary["indexes"]) == 3
    assert {c["chunk_size"] for c in configs} == {64, 128}
    assert all(c["model"] == "fake" for c in configs)
    # A second run reuses the indexes: nothing is read or embedded again.
    code, out = _run("eval", "grid", queries, "--library", library, "--grid", grid, "--out", tmp_path / "g2",
                     "--home", home, "--no-ragas")
    again = json.loads((tmp_path / "g2" / "summary.json").read_text())
    assert code == 0 and all(r["chunks_added"] == 0 for r in again["ingest"].values())


def test_run_with_search_settings_does_not_touch_the_saved_summary(setup):
    _, home, queries = setup
    saved = home / "indexes" / "small" / "eval-summary.json"
    before = saved.read_text() if saved.exists() else None
    code, out = _run("eval", "run", queries, "--index", "small", "--mode", "hybrid", "--json", "--no-ragas",
                     "--home", home, "--search", "keyword_weight=2", "--search", "keyword_field=search_text")
    assert code == 0, out
    assert json.loads(out)["name"] == "small/hybrid/keyword_weight=2,keyword_field=search_text"
    assert (saved.read_text() if saved.exists() else None) == before
    code, out = _run("eval", "run", queries, "--index", "small", "--home", home, "--search", "no_such_setting=1")
    assert code == 1 and "unknown search setting" in out
