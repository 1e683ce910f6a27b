"""Server start: the index is prewarmed (vector and full-text indexes, in-memory table) and query batching set."""

from __future__ import annotations

import pytest

from mcdewey.server.app import QUERY_BATCH_MS, create_app, query_batch_ms
from mcdewey.server.catalog import Catalog
from mcdewey.server.views import Links
from mcdewey.store import Workspace
from mcdewey.vocabulary import MODES


@pytest.fixture
def fresh_demo_index(demo):
    """The demo index opened anew (nothing loaded yet)."""
    _, _, workspace, _ = demo
    return Workspace(workspace.home).open_index("demo")


def test_prewarm_loads_the_memory_table_the_fts_index_and_passages(fresh_demo_index):
    index = fresh_demo_index
    assert index._memory is None and index._passages is None and index._all_texts is None
    took = index.prewarm()
    assert index._memory is not None and index._passages is not None and index._all_texts
    assert set(took) == {"vectors", "fts", "passages"} and all(v >= 0 for v in took.values())


def test_prewarm_of_an_indexed_table_prewarms_every_index(fresh_demo_index, monkeypatch):
    index = fresh_demo_index
    names = [i.name for i in index._chunks.list_indices()]
    assert any("text" in n for n in names)  # the FTS indexes are among them
    warmed = []
    monkeypatch.setattr(index, "has_vector_index", lambda: True)
    monkeypatch.setattr(type(index._chunks), "prewarm_index", lambda self, name: warmed.append(name))
    index.prewarm()
    assert warmed == names
    assert index._memory is None and index._all_texts is None  # with an ANN index nothing is copied into memory


class _Model:
    def __init__(self):
        self.window = "unset"
        self.queries = []

    def batch_queries(self, window):
        self.window = window

    def embed_queries(self, texts):
        self.queries += texts


class _Index:
    manifest = None

    def __init__(self):
        self.model = _Model()
        self.prewarmed = False

    def embedder(self):
        return self.model

    def prewarm(self):
        self.prewarmed = True
        return {"vectors": 0.5}

    def library_summary(self):
        return []


def test_catalog_warm_sets_batching_prewarms_and_runs_each_mode_once(monkeypatch):
    index, searched = _Index(), []
    catalog = Catalog(index, lambda idx, q, k, mode, f: searched.append(mode) or [], Links(""), 4, 0.004)
    monkeypatch.setattr(catalog, "library", lambda: None)
    took = catalog.warm()
    assert index.model.window == 0.004 and index.model.queries == ["warm up"]
    assert index.prewarmed and took["vectors"] == 0.5 and {"model", "first_searches"} <= set(took)
    assert searched == list(MODES)


def test_batch_window_setting(monkeypatch):
    monkeypatch.delenv("MCDEWEY_QUERY_BATCH_MS", raising=False)
    assert query_batch_ms() == QUERY_BATCH_MS and query_batch_ms(0) == 0
    monkeypatch.setenv("MCDEWEY_QUERY_BATCH_MS", "2.5")
    assert query_batch_ms() == 2.5 and query_batch_ms(7) == 7
    monkeypatch.setenv("MCDEWEY_QUERY_BATCH_MS", "soon")
    with pytest.raises(ValueError, match="MCDEWEY_QUERY_BATCH_MS"):
        query_batch_ms()
    with pytest.raises(ValueError, match=">= 0"):
        query_batch_ms(-1)


def test_batching_lets_more_searches_run_at_once(fresh_demo_index, monkeypatch):
    import os

    monkeypatch.delenv("MCDEWEY_QUERY_BATCH_MS", raising=False)
    on = create_app(fresh_demo_index).state.catalog  # batching is the default
    off = create_app(fresh_demo_index, batch_window_ms=0).state.catalog
    assert on.batch_window == QUERY_BATCH_MS / 1000 > 0 and on.limiter.total_tokens == 32
    assert off.batch_window == 0 and off.limiter.total_tokens == (os.cpu_count() or 2)
    assert create_app(fresh_demo_index, max_parallel=3).state.catalog.limiter.total_tokens == 3


def test_the_served_app_warms_up_at_start(fresh_demo_index):
    from starlette.testclient import TestClient

    app = create_app(fresh_demo_index)
    with TestClient(app, base_url="http://127.0.0.1") as client:
        assert client.get("/healthz").status_code == 200
        assert app.state.warm_seconds > 0
    assert fresh_demo_index._memory is not None and fresh_demo_index._passages is not None
