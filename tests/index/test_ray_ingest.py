"""`ingest --engine ray` on a local Ray builds the same index as the single-process ingest."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("ray")

TIMINGS = {"seconds", "embed_seconds", "peak_rss_mb", "chunks_per_second", "model_chunks_per_second"}


@pytest.fixture(scope="module")
def local_ray():
    from mcdewey.ray_ingest import RayStartError, start

    try:
        ray = start(workers=2)
    except RayStartError as exc:  # Ray's raylet gives up when its agent starts slowly (ray-project/ray#65983)
        pytest.skip(f"Ray could not start on this machine now: {exc}")
    yield ray
    ray.shutdown()


def _comparable(manifest) -> dict:
    out = {k: v for k, v in manifest.to_dict().items() if k not in ("built_at", "tables")}
    out["last_ingest"] = {k: v for k, v in manifest.last_ingest.items() if k not in TIMINGS}
    return out


def _rows(index) -> dict[str, dict]:
    return {r["chunk_id"]: r for r in index.arrow().to_pylist()}


def test_ray_ingest_builds_the_same_index_as_one_process(local_ray, library, tmp_path):
    from mcdewey.ingest import ingest
    from mcdewey.store import Workspace

    one, ray_ws = Workspace(tmp_path / "one"), Workspace(tmp_path / "ray")
    single = ingest(library, one, "t", model="fake", progress=False)
    on_ray = ingest(library, ray_ws, "t", model="fake", progress=False, engine="ray")
    assert on_ray.chunks_added == single.chunks_added > 0
    assert (on_ray.cache_hits, on_ray.cache_misses) == (single.cache_hits, single.cache_misses)
    a, b = one.open_index("t"), ray_ws.open_index("t")
    assert _comparable(a.manifest) == _comparable(b.manifest)
    rows_a, rows_b = _rows(a), _rows(b)
    assert list(rows_a) == list(rows_b)  # same ids, in the same order
    for cid, ra in rows_a.items():
        rb = rows_b[cid]
        assert {k: v for k, v in ra.items() if k != "vector"} == {k: v for k, v in rb.items() if k != "vector"}
        va, vb = np.asarray(ra["vector"]), np.asarray(rb["vector"])
        assert float(va @ vb / (np.linalg.norm(va) * np.linalg.norm(vb))) > 0.9999
    assert a.documents_arrow().num_rows == b.documents_arrow().num_rows


def test_ray_ingest_is_incremental_and_an_interruption_keeps_the_previous_version(local_ray, library, tmp_path,
                                                                                   monkeypatch):
    from mcdewey.ingest import ingest
    from mcdewey.store import IndexWriter, Workspace

    ws = Workspace(tmp_path / "home")
    first = ingest(library, ws, "t", model="fake", progress=False, engine="ray")
    doc = library / "acme/router/1.0/guide/routing.md"
    doc.write_text(doc.read_text() + "\n## Timers\n\nThe BGP keepalive timer is a third of the hold timer.\n")

    def failing_add(self, chunks, vectors):
        raise RuntimeError("worker lost")

    monkeypatch.setattr(IndexWriter, "add_chunks", failing_add)
    with pytest.raises(RuntimeError, match="worker lost"):
        ingest(library, ws, "t", model="fake", progress=False, engine="ray")
    assert Workspace(tmp_path / "home").open_index("t").count() == first.chunks_total
    monkeypatch.undo()
    again = ingest(library, ws, "t", model="fake", progress=False, engine="ray")
    assert again.changed == 1 and again.unchanged == first.new - 1
    assert 0 < again.chunks_added < first.chunks_added
    hits = ws.open_index("t").keyword_ranking("keepalive", 1, None)
    assert hits and "keepalive" in ws.open_index("t").get_chunk(hits[0][0]).text


def test_unknown_engine_is_refused(library, workspace):
    from mcdewey.ingest import ingest

    with pytest.raises(ValueError, match="unknown engine"):
        ingest(library, workspace, "t", model="fake", progress=False, engine="spark")
