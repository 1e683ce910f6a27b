"""Every script under bench/ runs end to end on tiny data, so none rots silently.

Each runs as a person would start it (a subprocess from the repository root) on the demo library, an
index of it built with the fake embedder and an export of that index. The figures are meaningless at
this size; what is checked is that the script finishes and writes what it promises.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def bench_data(demo, tmp_path_factory):
    """(root, library, queries, home with index "demo", export of it): the demo fixture of tests/conftest.py."""
    from mcdewey.export import export

    library, queries, workspace, _ = demo
    root = tmp_path_factory.mktemp("bench")
    export(workspace, "demo", root / "export")
    return root, library, queries, workspace.home, root / "export"


def run_script(name: str, *args, timeout: int = 300) -> str:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    done = subprocess.run([sys.executable, str(ROOT / "bench" / name), *map(str, args)], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=timeout)
    assert done.returncode == 0, f"{name} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done.stdout


def test_every_bench_script_has_a_smoke_test():
    tested = {line.split('"')[1] for line in Path(__file__).read_text().splitlines()
              if "run_script(\"" in line and line.strip().startswith(("out = ", "run_script("))}
    assert {p.name for p in (ROOT / "bench").glob("*.py")} <= tested


def test_scale(bench_data, tmp_path):
    """Synthetic chunk ids end in `#N`: search must not parse positions out of them."""
    root, _, queries, home, _ = bench_data
    out = run_script("scale.py", "--source-home", home, "--source-index", "demo", "--rows", 600, "--partitions", 1,
                     "--grid", "nprobes=0", "--work", tmp_path / "work", "--queries", queries, "--out", tmp_path / "s.json",
                     "--keep")
    report = json.loads((tmp_path / "s.json").read_text())
    assert report["rows"] == 600 and set(report["search"]) >= {"vector", "hybrid", "keyword"} and out
    run_script("scale.py", "--source-home", home, "--source-index", "demo", "--work", tmp_path / "work", "--reuse",
               "--prewarm", "--queries", queries, "--out", tmp_path / "r.json")
    reused = json.loads((tmp_path / "r.json").read_text())  # a fresh process on the kept table, prewarmed
    assert reused["rows"] == 600 and reused["prewarm_s"] >= 0 and set(reused["prewarm_steps_s"]) == {
        "vectors", "fts", "passages"} and reused["search"]["hybrid"]["cold"]["p50_ms"] > 0


def test_search_latency(bench_data):
    _, _, queries, home, export = bench_data
    out = run_script("search_latency.py", "--home", home, "--index", "demo", "--queries", queries, "--repeat", 1)
    assert "hybrid" in out
    out = run_script("search_latency.py", "--export", export, "--queries", queries, "--repeat", 1)
    cold = json.loads(out)["cold"]
    assert cold["hybrid"]["prewarm_ms"] is None and cold["hybrid prewarmed"]["prewarm_ms"] >= 0 and "keyword" in cold


def test_retrieval_levers(bench_data, tmp_path):
    _, _, queries, home, _ = bench_data
    out = run_script("retrieval_levers.py", "--home", home, "--index", "demo", "--queries", queries,
                     "--lever", "kw2=keyword_weight=2", "--modes", "keyword", "--out", tmp_path / "levers.jsonl")
    assert "kw2" in out


def test_fts_options(bench_data, tmp_path):
    _, _, queries, home, _ = bench_data
    out = run_script("fts_options.py", "--home", home, "--index", "demo", "--queries", queries,
                     "--work", tmp_path / "fts")
    assert out.strip()


def test_vector_threshold(bench_data):
    _, _, _, home, _ = bench_data
    out = run_script("vector_threshold.py", "--home", home, "--index", "demo", "--sizes", 500, "--queries", 5)
    assert json.loads(out.strip().splitlines()[-1])


def test_mcp_latency(bench_data, tmp_path):
    _, _, queries, _, export = bench_data
    run_script("mcp_latency.py", export, "--queries", queries, "--clients", 1, "--requests", 4, "--warmup", 1,
               "--json", tmp_path / "mcp.json")
    assert json.loads((tmp_path / "mcp.json").read_text())


def test_chunking(bench_data):
    _, library, _, _, _ = bench_data
    out = run_script("chunking.py", library, "--strategies", "recursive,fixed")
    assert "recursive" in out and "fixed" in out


def test_read_library(bench_data):
    _, library, _, _, _ = bench_data
    out = run_script("read_library.py", library, "--runs", 1)
    assert out.strip()


def test_quote_resolve(bench_data):
    _, library, queries, _, _ = bench_data
    out = run_script("quote_resolve.py", library, queries)
    assert "quotes resolved" in out


def test_grid_library(bench_data, tmp_path):
    _, library, queries, _, _ = bench_data
    out = run_script("grid_library.py", library, tmp_path / "grid-library", "--queries", queries, "--sample", 0.5)
    assert "cited files" in out and any((tmp_path / "grid-library").rglob("*.*"))


def test_profile_ingest_summary(tmp_path):
    """py-spy is not a dependency: the summary of a recorded profile is what runs here."""
    raw = tmp_path / "p.raw"
    raw.write_text("main (mcdewey/cli/app.py:1);infer (openvino/runtime.py:3) 7\n"
                   "main;Queue.get (queue.py:1) 3\n")
    run_script("profile_ingest.py", "--summarize", raw, "--out", tmp_path / "p.json")
    report = json.loads((tmp_path / "p.json").read_text())
    assert report["samples"] == 10 and report["stages"]["model inference"]["samples"] == 7


def test_citation_fidelity(bench_data, tmp_path):
    """The demo library's one PDF: the text under each sampled chunk's boxes is the chunk's text."""
    _, library, _, _, _ = bench_data
    run_script("citation_fidelity.py", library, "--chunks", 4, "--json", tmp_path / "cf.json")
    report = json.loads((tmp_path / "cf.json").read_text())
    assert report["pdfs"] == 1 and report["chunks"] > 0 and report["boxes"] > 0 and report["fidelity"] > 0.9


def test_export_pages_check(bench_data):
    _, _, _, _, export = bench_data
    out = run_script("export_pages_check.py", export)
    report = json.loads(out)
    assert report["pdfs"] == 1 and report["chunks_with_boxes"] > 0 and report["boxes_outside"] == 0
    assert report["page_png"]["status"] == 200 and report["get_page"]["png"]


def test_load(bench_data, tmp_path):
    """Two clients for a second, a fifth of the requests malformed: no 5xx, no failed valid request."""
    _, _, _, _, export = bench_data
    run_script("load.py", export, "--clients", 2, "--seconds", 1, "--malformed", 0.2, "--out", tmp_path / "load.json")
    report = json.loads((tmp_path / "load.json").read_text())
    assert report["valid_requests"] > 0 and report["failed_valid_requests"] == 0 and report["server_errors_5xx"] == 0


def test_memory():
    out = run_script("memory.py", "--sizes", 0.05, "--model", "fake")
    rows = json.loads(out[out.index("\n[") + 1:])
    assert [r["file_mb"] for r in rows] == [0.0, 0.05] and all(r["peak_rss_mb"] > 0 for r in rows)
    assert rows[1]["chunks"] > rows[0]["chunks"]


def test_scale_ingest(bench_data, tmp_path):
    """Local engine only (Ray would start a cluster): 1x and 2x the demo library, the copies as hard links."""
    _, library, _, _, _ = bench_data
    run_script("scale_ingest.py", "--library", library, "--model", "fake", "--copies", 1, 2, "--engines", "local",
               "--work", tmp_path / "work", "--out", tmp_path / "si.json")
    runs = json.loads((tmp_path / "si.json").read_text())["runs"]
    assert [r["copies"] for r in runs] == [1, 2] and runs[0]["chunks"] > 0
    assert runs[1]["documents"] == 2 * runs[0]["documents"] and runs[1]["chunks"] == 2 * runs[0]["chunks"]


@pytest.mark.slow
def test_search_cards(bench_data, tmp_path):
    """Headless Chromium (playwright): per viewport, the cards of one query and a screenshot."""
    pytest.importorskip("playwright.sync_api")
    _, _, _, _, export = bench_data
    out = run_script("search_cards.py", export, tmp_path / "cards", "BGP hold time")
    rows = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    assert [r["viewport"] for r in rows] == ["desktop", "phone"] and all(r["cards"] for r in rows)
    assert {p.name for p in (tmp_path / "cards").glob("*.png")} == {"q0-desktop.png", "q0-phone.png"}


def test_search_page_latency(bench_data, tmp_path):
    _, _, queries, _, export = bench_data
    run_script("search_page_latency.py", export, "--queries", queries, "--repeat", 1, "--label", "smoke",
               "--json", tmp_path / "spl.jsonl")
    report = json.loads((tmp_path / "spl.jsonl").read_text().splitlines()[-1])
    assert report["label"] == "smoke" and report["requests"] == report["queries"] > 0 and report["p50_ms"] > 0


def test_version_collapse(bench_data, tmp_path):
    """The demo library holds apt 2.2 and 2.6: linking finds passages shared by both versions."""
    _, _, queries, home, _ = bench_data
    run_script("version_collapse.py", "--home", home, "--index", "demo", "--queries", queries, "--repeat", 1,
               "--out", tmp_path / "vc.json")
    report = json.loads((tmp_path / "vc.json").read_text())
    assert report["linking"]["chunks"] > 0 and report["linking"]["groups"] > 0
    assert report["latency"]["searches_each"] > 0


@pytest.mark.slow
def test_embed_backends(bench_data, tmp_path):
    _, library, _, home, _ = bench_data
    run_script("embed_backends.py", "--library", library, "--cache", home / "cache" / "models", "--backends", "torch",
               "--batch-sizes", 4, "--n", 8, "--docs", 3, "--slices", 1, "--out", tmp_path / "e.json", timeout=600)
    rows = json.loads((tmp_path / "e.json").read_text())["throughput"]
    assert {(r["batch_size"], r["length_sorted"]) for r in rows} == {(4, True), (4, False)}
    assert all(r["texts_per_s"] > 0 for r in rows)


def test_embed_levers(bench_data, tmp_path):
    """The light runtime model against sentence-transformers on the same runner: same vectors."""
    _, library, _, home, _ = bench_data
    run_script("embed_levers.py", "--library", library, "--cache", home / "cache" / "models", "--backend", "onnx",
               "--tokens", "256", "--n", 8, "--docs", 3, "--slices", 1, "--out", tmp_path / "l.json", timeout=600)
    rows = json.loads((tmp_path / "l.json").read_text())["rows"]
    assert [r["config"] for r in rows] == ["sentence-transformers", "light-256"]
    assert all(r["texts_per_s"] > 0 for r in rows) and rows[1]["min_cos"] > 0.9999


def test_memory_phases(tmp_path):
    run_script("memory_phases.py", "--mb", 0.3, "--repeat-mb", 0.1, "--model", "fake", "--out", tmp_path / "m.json")
    out = json.loads((tmp_path / "m.json").read_text())
    assert [p["phase"] for p in out["phases"]] == ["_run_pipeline", "finalize", "link_index", "_manifest"]
    assert out["chunks"] > out["embedded"] > 0  # the repeated copies came from the cache
    assert out["peak_rss_mb"] >= max(p["end_mb"] for p in out["phases"]) * 0.9


def test_repeated_quotes(bench_data):
    _, _, queries, home, _ = bench_data
    out = run_script("repeated_quotes.py", "--home", home, "--index", "demo", "--queries", queries)
    row = json.loads(out.splitlines()[0])
    assert row["evidence"] >= row["usable"] > 0 and row["repeated"] >= 0


def test_retrieval_levers_round_two(bench_data, tmp_path):
    _, _, queries, home, _ = bench_data
    out = run_script("retrieval_levers.py", "--home", home, "--index", "demo", "--queries", queries, "--modes", "hybrid",
                     "--lever", "ident=identifiers=true", "--lever", "prf=prf_terms=10",
                     "--lever", "adaptive=adaptive_fusion=true")
    assert "ident" in out and "prf" in out and "adaptive" in out

def test_fast_embedder(bench_data, tmp_path):
    """A tiny static model stands in for the distilled one (built into the cache first, so nothing distills)."""
    import numpy as np
    from model2vec import StaticModel
    from tokenizers import Tokenizer

    from mcdewey.static_embedder import ensure_fast_model

    def tiny(source, settings):
        tokenizer = Tokenizer.from_file(f"{source}/tokenizer.json")
        vectors = np.random.default_rng(0).normal(size=(tokenizer.get_vocab_size(), 32)).astype(np.float32)
        return StaticModel(vectors=vectors, tokenizer=tokenizer, normalize=True)

    _, library, _, _, _ = bench_data
    ensure_fast_model(tmp_path / "models", distiller=tiny, log=lambda line: None)
    run_script("fast_embedder.py", "--library", library, "--cache", tmp_path / "models", "--full", "fake",
               "--n", 40, "--docs", 5, "--slices", 2, "--batch", 8, "--out", tmp_path / "f.json")
    report = json.loads((tmp_path / "f.json").read_text())
    assert report["fast"]["dim"] == 32 and report["full"]["name"] == "fake" and report["texts"] > 0
    assert report["fast"]["texts_per_s"] > 0 and 0 <= report["neighbour_overlap@10"] <= 1


def test_grid_agreement(tmp_path):
    """Two small grid summaries: the same order in vector mode, the opposite order in keyword mode."""
    def summary(model, vector, keyword):
        return {"configurations": [
            {"strategy": s, "params": {"max_tokens": 200, "model": model}, "mode": mode, "ndcg@10": score}
            for mode, scores in (("vector", vector), ("keyword", keyword)) for s, score in zip("abcd", scores)]}

    (tmp_path / "full.json").write_text(json.dumps(summary(None, [0.5, 0.6, 0.7, 0.8], [0.1, 0.2, 0.3, 0.4])))
    (tmp_path / "fast.json").write_text(json.dumps(summary("fast", [0.3, 0.4, 0.45, 0.5], [0.4, 0.3, 0.2, 0.1])))
    out = run_script("grid_agreement.py", tmp_path / "full.json", tmp_path / "fast.json", "--out", tmp_path / "g.json")
    report = json.loads((tmp_path / "g.json").read_text())
    assert report["vector"]["spearman"] == report["vector"]["kendall"] == 1.0 and report["vector"]["same_best"]
    assert report["keyword"]["spearman"] == -1.0 and not report["keyword"]["same_best"]
    assert report["all"]["configurations"] == 8 and "d-200/vector" in out
