"""A workspace and an export on object storage (s3:// on moto's local server), through the CLI and the API."""

from __future__ import annotations

import dataclasses
import json
import pytest

from .conftest import Served, cli, hits_json, write_clean_library


@pytest.fixture
def small_lib(tmp_path):
    return write_clean_library(tmp_path / "library")


def test_s3_home_ingest_search_export_serve_and_mcp_search(bucket, small_lib, local_cache):
    """The README's three commands with an s3:// home, then the MCP tool against the served export."""
    home, export = f"s3://{bucket}/home", f"s3://{bucket}/exports/docs"
    env = {"MCDEWEY_HOME": home}
    done = cli("ingest", str(small_lib), "--index", "docs", "--model", "fake", env=env)
    assert "chunks embedded" in done.stdout
    manifest = json.loads(cli("indexes", "--json", env=env).stdout)["docs"]
    assert manifest["counts"]["chunks"] >= 16
    query = "BGP hold timer"
    expected = hits_json(cli("search", query, "--index", "docs", "-k", "3", "--json", env=env).stdout)
    assert len(expected) == 3
    cli("export", "--index", "docs", "--to", export, env=env)
    from mcdewey.storage import location

    assert (location(export) / "current.json").is_file()
    server = Served(export)
    try:
        assert server.mcp_search(query, limit=3) == expected
        assert [c for c, _ in server.search(query, limit=3)] == expected
    finally:
        server.stop()
    # Nothing of the caches went to the bucket: they are local, under MCDEWEY_CACHE.
    assert not (location(home) / "cache").is_dir()
    assert (local_cache / "embeddings.sqlite").is_file()


def test_incremental_ingest_on_s3_embeds_only_what_changed(bucket, small_lib, local_cache):
    from mcdewey.ingest import ingest
    from mcdewey.store import Workspace

    ws = Workspace(f"s3://{bucket}/home")
    first = ingest(small_lib, ws, "t", model="fake", progress=False)
    again = ingest(small_lib, ws, "t", model="fake", progress=False)
    assert again.chunks_added == 0 and again.unchanged == first.new
    doc = next(p for p in sorted(small_lib.rglob("*.md")))
    doc.write_text(doc.read_text() + "\n\nA new paragraph about the zebra protocol.\n")
    third = ingest(small_lib, ws, "t", model="fake", progress=False)
    assert third.changed == 1 and 0 < third.chunks_added < first.chunks_added
    from mcdewey.search import search

    hits = search(ws.open_index("t"), "zebra protocol", k=1, mode="keyword")
    assert hits and "zebra" in hits[0].chunk.text


def test_interrupted_ingest_on_s3_leaves_the_previous_version_searchable(bucket, small_lib, local_cache, monkeypatch):
    from mcdewey.ingest import ingest
    from mcdewey.store import IndexWriter, Workspace

    ws = Workspace(f"s3://{bucket}/home")
    first = ingest(small_lib, ws, "t", model="fake", progress=False)
    for doc in sorted(small_lib.rglob("*.md"))[:3]:
        doc.write_text(doc.read_text() + "\n\nchanged text\n")
    calls = []

    def failing_add(self, chunks, vectors):
        calls.append(len(chunks))
        raise RuntimeError("network gone")

    monkeypatch.setattr(IndexWriter, "add_chunks", failing_add)
    with pytest.raises(RuntimeError, match="network gone"):
        ingest(small_lib, ws, "t", model="fake", progress=False)
    assert calls
    ws2 = Workspace(f"s3://{bucket}/home")  # a fresh reader, as another process would be
    assert ws2.open_index("t").count() == first.chunks_total
    monkeypatch.undo()
    again = ingest(small_lib, ws2, "t", model="fake", progress=False)
    assert again.changed == 3


@pytest.mark.parametrize("where", ["local", "s3"])
def test_a_second_concurrent_ingest_is_refused_with_a_clear_message(where, bucket, small_lib, tmp_path, local_cache):
    from mcdewey.ingest import ingest
    from mcdewey.store import IndexBusy, Workspace

    home = tmp_path / "home" if where == "local" else f"s3://{bucket}/home"
    ws = Workspace(home)
    ingest(small_lib, ws, "t", model="fake", progress=False)
    with ws.writer("t", 384):  # another writer holds the index
        with pytest.raises(IndexBusy, match="another process is changing index 't'"):
            ingest(small_lib, Workspace(home), "t", model="fake", progress=False)
        done = cli("ingest", str(small_lib), "--index", "t", "--model", "fake", env={"MCDEWEY_HOME": str(home)},
                   check=False)
        assert done.returncode == 1 and "another process is changing index" in " ".join(done.stderr.split())
    assert ingest(small_lib, ws, "t", model="fake", progress=False).unchanged > 0  # free again afterwards


def test_an_expired_lease_is_taken_over_and_the_old_holder_cannot_commit(bucket):
    import time

    from mcdewey.storage import LeaseHeld, ObjectLease, location

    path = location(f"s3://{bucket}/home/indexes/t/.lock")
    dead = ObjectLease(path, seconds=0.6)
    dead.acquire()
    dead._stop.set()  # the holder stops renewing, as a killed process would
    with pytest.raises(LeaseHeld):
        ObjectLease(path, seconds=0.6).acquire()
    time.sleep(0.8)
    taker = ObjectLease(path, seconds=30)
    taker.acquire()
    try:
        assert dead._put(IfMatch=dead._etag) is False  # the old holder's renewal now fails
        assert json.loads(path.read_text())["owner"] == taker.owner
    finally:
        taker.release()
    assert not path.is_file()


def test_re_export_swaps_the_pointer_last_and_keeps_the_previous_version(bucket, small_lib, local_cache):
    from mcdewey.export import export
    from mcdewey.ingest import ingest
    from mcdewey.storage import export_root, location
    from mcdewey.store import Workspace, open_index

    ws = Workspace(f"s3://{bucket}/home")
    ingest(small_lib, ws, "t", model="fake", progress=False)
    to = location(f"s3://{bucket}/exports/t")
    first = export(ws, "t", to)
    old = open_index(to)
    second = export(ws, "t", to)
    assert export_root(to) == second and old.count() == open_index(to).count()
    assert old.chunks([c for c, _ in old.keyword_ranking("route", 3, None)])  # the old version still reads
    third = export(ws, "t", to)
    versions = sorted((to / "versions").iterdir())
    assert versions == [second, third] and first not in versions


def test_export_refuses_a_prefix_that_is_not_an_export(bucket, small_lib, local_cache):
    from mcdewey.export import export
    from mcdewey.ingest import ingest
    from mcdewey.storage import location
    from mcdewey.store import Workspace

    ws = Workspace(f"s3://{bucket}/home")
    ingest(small_lib, ws, "t", model="fake", progress=False)
    (location(f"s3://{bucket}/data") / "other.txt").write_text("not mine")
    with pytest.raises(FileExistsError, match="not a McDewey export"):
        export(ws, "t", f"s3://{bucket}/data")


def test_other_schemes_fail_clearly():
    from mcdewey.storage import location

    with pytest.raises(ValueError, match="only s3://"):
        location("gs://bucket/home")


def test_a_writer_whose_lease_was_taken_over_does_not_commit(bucket, small_lib, local_cache):
    from mcdewey.ingest import ingest
    from mcdewey.storage import s3_client
    from mcdewey.store import IndexBusy, Workspace

    ws = Workspace(f"s3://{bucket}/home")
    ingest(small_lib, ws, "t", model="fake", progress=False)
    before = ws.read_manifest("t")
    with ws.writer("t", 384) as writer:
        # Another writer took the lease over (as after an expiry while this one was stalled).
        s3_client().put_object(Bucket=bucket, Key="home/indexes/t/.lock", Body=b'{"owner": "other"}')
        assert writer._lease.renew() is False
        with pytest.raises(IndexBusy, match="another writer took it"):
            writer.commit(dataclasses.replace(before, built_at="never"))
    assert Workspace(f"s3://{bucket}/home").read_manifest("t") == before


def test_an_export_on_s3_carries_its_pdfs_and_renders_their_pages(bucket, tmp_path, local_cache, monkeypatch):
    """Page images (citations checked on the PDF page) work from an object-storage export too."""
    from data.build import router_pdf

    from mcdewey.ingest import ingest
    from mcdewey.export import export
    from mcdewey.pages import PageImages
    from mcdewey.storage import location
    from mcdewey.store import Workspace, open_index

    lib = write_clean_library(tmp_path / "library", docs=2)
    pdf = lib / "acme/router/1.0/guide/router.pdf"
    pdf.parent.mkdir(parents=True)
    pdf.write_bytes(router_pdf())
    ws = Workspace(tmp_path / "home")
    ingest(lib, ws, "docs", model="fake", progress=False)
    to = f"s3://{bucket}/exports/docs"
    version = export(ws, "docs", to)
    doc_id = "acme/router/1.0/guide/router.pdf"
    assert (version / "files" / doc_id).read_bytes() == pdf.read_bytes()
    (tmp_path / "tmp").mkdir()
    monkeypatch.setenv("TMPDIR", str(tmp_path / "tmp"))  # the downloaded copy and page cache go here
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", None)
    index = open_index(location(to))
    png = PageImages(index).png(doc_id, 1, 300)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert list((tmp_path / "tmp" / "mcdewey-sources").rglob("router.pdf"))
    assert not (location(to) / "page-cache").is_dir()  # nothing written back to the bucket
