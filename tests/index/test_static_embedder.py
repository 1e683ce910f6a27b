"""`--model fast`: the distilled static embedder resolves, is built once into the model cache, and serves
ingest and search. Fast tests build a tiny static model (deterministic random token vectors over the
bundled tokenizer) instead of distilling; the slow test distills the real bundled model."""

from __future__ import annotations

import json
import time

import numpy as np
import pytest
from typer.testing import CliRunner

from mcdewey import embeddings, static_embedder
from mcdewey.cli import app
from mcdewey.embeddings import FAST_MODEL, canonical_backend, canonical_model, get_embedder, model_location
from mcdewey.manifest import ChunkingSpec
from mcdewey.static_embedder import FAST_BACKEND, StaticEmbedder, ensure_fast_model, fast_model_dir

runner = CliRunner()


def _tiny_distiller(calls: list):
    """Stands in for model2vec's distill: the bundled tokenizer with random 64-d token vectors."""

    def distill(source, settings):
        from model2vec import StaticModel
        from tokenizers import Tokenizer

        calls.append((source, dict(settings)))
        tokenizer = Tokenizer.from_file(f"{source}/tokenizer.json")
        vectors = np.random.default_rng(0).normal(size=(tokenizer.get_vocab_size(), 64)).astype(np.float32)
        return StaticModel(vectors=vectors, tokenizer=tokenizer, normalize=True)

    return distill


@pytest.fixture
def tiny_fast(monkeypatch):
    """Every build of the fast model in this test makes the tiny one; returns the list of builds."""
    calls: list = []
    monkeypatch.setattr(static_embedder, "distill_bundled", _tiny_distiller(calls))
    monkeypatch.setattr(embeddings, "_EMBEDDERS", {})  # no embedder loaded by an earlier test
    return calls


def test_fast_resolves_to_one_recorded_name_without_a_backend():
    assert canonical_model("fast") == canonical_model(FAST_MODEL) == FAST_MODEL
    assert "all-MiniLM-L6-v2" in FAST_MODEL and "pca=256" in FAST_MODEL  # source and settings spelled out
    assert canonical_backend("fast", "openvino-bf16") == canonical_backend("fast", None) == FAST_BACKEND
    fast, full = ChunkingSpec.resolve("recursive", {}, "fast"), ChunkingSpec.resolve("recursive", {}, None)
    # The fast model tokenizes like the bundled one: the same chunks, so a grid compares like with like.
    assert fast.params == full.params and fast.params.get("model") is None
    assert (fast.model, fast.backend) == (FAST_MODEL, "static")
    assert fast.index_name("lib") != full.index_name("lib")


def test_the_fast_model_is_built_once_into_the_model_cache(tiny_fast, tmp_path):
    messages: list[str] = []
    folder = ensure_fast_model(tmp_path, log=messages.append)
    assert folder == fast_model_dir(tmp_path) and folder.parent == tmp_path
    assert len(tiny_fast) == 1 and tiny_fast[0][0] == model_location(None)  # the bundled model's own files
    assert any("building the fast embedder" in m for m in messages)
    assert json.loads((folder / "build.json").read_text())["model"] == FAST_MODEL
    assert ensure_fast_model(tmp_path, log=messages.append) == folder
    assert len(tiny_fast) == 1 and len(messages) == 2  # second call: no build, no message
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".build")]  # the staging folder is gone

    emb = StaticEmbedder(folder)
    docs = emb.embed_documents(["Configure the BGP neighbor", "VLAN trunk ports", ""])
    assert docs.dtype == np.float32 and docs.shape == (3, 64) == (3, emb.dim)
    assert np.allclose(np.linalg.norm(docs[:2], axis=1), 1.0, atol=1e-5)
    assert np.allclose(emb.embed_queries(["Configure the BGP neighbor"])[0], docs[0], atol=1e-6)
    assert emb.embed_documents([]).shape == (0, 64)
    assert emb.name == f"{FAST_MODEL}@static"


def test_get_embedder_builds_fast_in_the_given_cache(tiny_fast, tmp_path):
    emb = get_embedder("fast", "openvino-bf16", tmp_path / "models")
    assert isinstance(emb, StaticEmbedder) and emb.folder.parent == tmp_path / "models"
    assert get_embedder(FAST_MODEL, None, tmp_path / "models") is emb and len(tiny_fast) == 1


def test_ingest_and_search_with_model_fast(tiny_fast, library, tmp_path):
    home = tmp_path / "home"
    result = runner.invoke(app, ["ingest", str(library), "--index", "quick", "--model", "fast", "--home", str(home)])
    assert result.exit_code == 0, result.output
    assert len(tiny_fast) == 1 and (home / "cache" / "models").is_dir()
    assert fast_model_dir(home / "cache" / "models").joinpath("build.json").exists()
    manifest = json.loads(runner.invoke(app, ["indexes", "--home", str(home), "--json"]).output)["quick"]
    assert (manifest["model"], manifest["backend"]) == (FAST_MODEL, "static") and manifest["dim"] == 64

    result = runner.invoke(app, ["search", "BGP peers neighbor AS number", "--index", "quick", "--mode", "vector",
                                 "--home", str(home), "--json", "-k", "3"])
    assert result.exit_code == 0, result.output
    hits = json.loads(result.output)
    assert hits[0]["doc_id"] == "acme/router/1.0/guide/routing.md"

    # A second index in the same workspace reuses the built model (no second distillation).
    embeddings._EMBEDDERS.clear()
    result = runner.invoke(app, ["ingest", str(library), "--index", "quick2", "--model", "fast",
                                 "--param", "max_tokens=120", "--home", str(home)])
    assert result.exit_code == 0, result.output
    assert len(tiny_fast) == 1


def test_the_grid_and_the_lab_take_model_fast(tiny_fast, demo, tmp_path):
    from mcdewey.evaluate.grid import load_grid, run_grid
    from mcdewey.evaluate.queries import load_queries
    from mcdewey.lab import Lab, Setup
    from mcdewey.store import Workspace

    library, queries_path, _, _ = demo
    queries, workspace = load_queries(queries_path), Workspace(tmp_path / "home")
    grid_file = tmp_path / "grid.yaml"
    grid_file.write_text("models: [fast]\nbackend: openvino-bf16\nmodes: [vector]\n"
                         "strategies:\n  recursive: {max_tokens: [128]}\n")
    result = run_grid(load_grid(grid_file), library, workspace, queries, use_ragas=False, log=lambda line: None)
    (run,) = result.runs
    name = next(iter(result.ingest))
    assert workspace.read_manifest(name).model == FAST_MODEL and run.summary()["queries"] == len(queries)

    lab = Lab(library, workspace, queries, model="fast")
    setup = Setup("recursive", max_tokens=128, mode="vector")
    assert lab.index_name(setup) == name  # the notebook and the grid share the index
    assert lab.run(setup).summary()["hit@5"] == run.summary()["hit@5"]
    assert len(tiny_fast) == 1


@pytest.mark.slow
def test_distilling_the_bundled_model(tmp_path):
    started = time.perf_counter()
    folder = ensure_fast_model(tmp_path, log=lambda line: None)
    seconds = time.perf_counter() - started
    emb = StaticEmbedder(folder)
    assert emb.dim == 256 and seconds < 600
    q = emb.embed_queries(["How do I configure a BGP neighbor?"])[0]
    docs = emb.embed_documents(["BGP peers exchange routes; set the neighbor address and remote AS.",
                                "Phones download their configuration over TFTP at boot."])
    assert docs.dtype == np.float32 and np.allclose(np.linalg.norm(docs, axis=1), 1.0, atol=1e-5)
    assert docs[0] @ q > docs[1] @ q + 0.1
