"""Lower layers do not reach up: ingest never loads the CLI, the security middleware never loads the pages,
and building an embedder leaves the process environment alone."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest


def _loaded_after(statement: str) -> set[str]:
    code = f"import sys; {statement}; print(' '.join(m for m in sys.modules if m.startswith('mcdewey')))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    return set(done.stdout.split())


def test_ingest_does_not_load_the_cli():
    assert not {m for m in _loaded_after("import mcdewey.ingest") if m.startswith("mcdewey.cli")}


def test_the_guard_does_not_load_the_pages():
    assert "mcdewey.server.web" not in _loaded_after("import mcdewey.server.guard")


def test_the_default_backend_is_decided_when_asked(monkeypatch):
    from mcdewey.embeddings import canonical_backend

    monkeypatch.setenv("MCDEWEY_BACKEND", "torch")
    assert canonical_backend(None, None) == "torch"
    monkeypatch.setenv("MCDEWEY_BACKEND", "onnx")
    assert canonical_backend(None, None) == "onnx"


def test_one_home_rule(monkeypatch, tmp_path):
    from mcdewey import paths
    from mcdewey.store import Workspace

    monkeypatch.delenv("MCDEWEY_HOME", raising=False)
    assert paths.home() == paths.DEFAULT_HOME == Workspace().home
    monkeypatch.setenv("MCDEWEY_HOME", str(tmp_path))
    assert Workspace().home == tmp_path and paths.model_cache() == tmp_path / "cache" / "models"
    assert Workspace(tmp_path / "x").home == tmp_path / "x"


@pytest.mark.slow
def test_loading_the_model_leaves_the_environment_alone(monkeypatch):
    import sentence_transformers  # noqa: F401  (torch sets its own variables on import)

    from mcdewey.embeddings import SentenceTransformerEmbedder

    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    before = dict(os.environ)
    SentenceTransformerEmbedder(None, "torch").embed_queries(["x"])
    assert dict(os.environ) == before and "HF_HUB_OFFLINE" not in os.environ
