"""Incremental ingest redoes only what changed; an interrupted ingest leaves the last commit searchable."""

import os
import signal
import subprocess
import sys
import textwrap

import pytest

from mcdewey import ingest as ingest_module
from mcdewey.ingest import ingest
from mcdewey.search import search
from mcdewey.store import IndexWriter, Workspace


def _ids(index, doc_id):
    return [c.chunk_id for c in index.doc_chunks(doc_id)]


def test_second_unchanged_run_does_no_work(built, library, workspace):
    index, first = built
    again = ingest(library, workspace, "t", model="fake", progress=False)
    assert (again.new, again.changed, again.deleted, again.unchanged) == (0, 0, 0, first.new)
    assert again.chunks_added == 0 and again.cache_misses == 0 and again.cache_hits == 0
    assert workspace.open_index("t").manifest["tables"] == index.manifest["tables"]


def test_add_change_and_delete_documents(built, library, workspace):
    index, first = built
    kept = _ids(index, "acme/switch/1.0/manual/vlans.md")
    new_doc = library / "acme/firewall/1.0/guide/rules.md"
    new_doc.parent.mkdir(parents=True)
    new_doc.write_text("# Firewall rules\n\nA zebra rule drops packets from untrusted zones.\n")
    (library / "acme/router/1.0/guide/routing.md").write_text("# Routing\n\nRIP is a distance vector protocol.\n")
    (library / "globex/phone/3.1/admin/troubleshooting.md").unlink()

    report = ingest(library, workspace, "t", model="fake", progress=False)
    assert (report.new, report.changed, report.deleted, report.unchanged) == (1, 1, 1, first.new - 2)
    index = workspace.open_index("t")
    assert _ids(index, "acme/switch/1.0/manual/vlans.md") == kept
    assert index.doc_chunks("globex/phone/3.1/admin/troubleshooting.md") == []
    assert search(index, "zebra rule", k=1, mode="keyword")[0].chunk.doc_id == new_doc.relative_to(library).as_posix()
    assert search(index, "BGP", k=5, mode="keyword") == []  # the old text of the changed document is gone
    assert "RIP" in index.doc_chunks("acme/router/1.0/guide/routing.md")[0].text
    assert index.count() == index.manifest["counts"]["chunks"] == report.chunks_total
    assert index.manifest["counts"]["documents"] == first.documents


def test_another_strategy_reuses_cached_embeddings(built, library, workspace):
    _, first = built
    again = ingest(library, workspace, "t2", model="fake", progress=False)  # same chunks, another index
    assert again.cache_hits == first.chunks_added and again.cache_misses == 0


def test_changed_setup_under_the_same_name_is_refused(built, library, workspace):
    with pytest.raises(ValueError, match="different set-up"):
        ingest(library, workspace, "t", params={"max_tokens": 64}, model="fake", progress=False)


def test_skipped_files_are_reported_and_not_reread(library, workspace):
    (library / "acme/router/1.0/guide/diagram.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(100))
    (library / "acme/router/1.0/guide/empty.md").write_text("   \n")
    report = ingest(library, workspace, "s", model="fake", progress=False)
    assert {f["path"] for f in report.skipped_files} >= {"acme/router/1.0/guide/diagram.png",
                                                         "acme/router/1.0/guide/empty.md"}
    again = ingest(library, workspace, "s", model="fake", progress=False)
    assert again.skipped == report.skipped and again.new == 0 and again.chunks_added == 0


def test_exception_mid_ingest_keeps_the_old_version_and_next_run_completes(built, library, workspace, monkeypatch):
    index, first = built
    before = [h.chunk.chunk_id for h in search(index, "static route", k=5)]
    for i in range(8):
        (library / f"acme/router/2.0/guide/new-{i}.md").write_text(f"# New {i}\n\n" + "static route entry " * 80)
    monkeypatch.setattr(ingest_module, "EMBED_BATCH", 4)
    monkeypatch.setattr(ingest_module, "WRITE_BATCH", 4)
    calls = []
    real_add = IndexWriter.add_chunks

    def failing_add(self, chunks, vectors):
        calls.append(len(chunks))
        if len(calls) == 3:
            raise KeyboardInterrupt
        real_add(self, chunks, vectors)

    monkeypatch.setattr(IndexWriter, "add_chunks", failing_add)
    with pytest.raises(KeyboardInterrupt):
        ingest(library, workspace, "t", model="fake", progress=False)
    reopened = Workspace(workspace.home).open_index("t")
    assert reopened.count() == first.chunks_total
    assert [h.chunk.chunk_id for h in search(reopened, "static route", k=5)] == before

    monkeypatch.setattr(IndexWriter, "add_chunks", real_add)
    done = ingest(library, workspace, "t", model="fake", progress=False)
    assert done.new == 8 and done.unchanged == first.new
    final = Workspace(workspace.home).open_index("t")
    assert final.count() == done.chunks_total == first.chunks_total + done.chunks_added
    assert len({c for c in final.arrow(["chunk_id"])["chunk_id"].to_pylist()}) == final.count()


KILLED_INGEST = textwrap.dedent("""
    import sys, time
    from mcdewey import ingest as m
    from mcdewey.store import IndexWriter, Workspace
    m.EMBED_BATCH = m.WRITE_BATCH = 4
    real, calls = IndexWriter.add_chunks, []
    def slow_add(self, chunks, vectors):
        real(self, chunks, vectors)
        calls.append(1)
        if len(calls) == 2:
            print("WROTE", flush=True)
            time.sleep(60)
    IndexWriter.add_chunks = slow_add
    m.ingest(sys.argv[1], Workspace(sys.argv[2]), "t", model="fake", progress=False)
""")


def test_kill_9_mid_ingest_then_rerun(built, library, workspace):
    index, first = built
    for i in range(8):
        (library / f"globex/phone/3.1/admin/extra-{i}.md").write_text(f"# Extra {i}\n\n" + "voicemail pin " * 90)
    proc = subprocess.Popen([sys.executable, "-c", KILLED_INGEST, str(library), str(workspace.home)],
                            stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "WROTE"
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
    reopened = Workspace(workspace.home).open_index("t")
    assert reopened.count() == first.chunks_total
    assert search(reopened, "voicemail pin", k=3, mode="keyword") == []
    done = ingest(library, workspace, "t", model="fake", progress=False)
    assert done.new == 8
    final = Workspace(workspace.home).open_index("t")
    assert final.count() == done.chunks_total
    hits = search(final, "voicemail pin", k=50, mode="keyword")
    assert len({h.chunk.doc_id for h in hits}) == 8
    assert len({h.chunk.chunk_id for h in hits}) == len(hits)  # nothing written twice


def test_interrupted_first_ingest_is_invisible_and_restarts_cleanly(library, workspace, monkeypatch):
    from mcdewey.store import UnknownIndex

    monkeypatch.setattr(ingest_module, "EMBED_BATCH", 4)
    monkeypatch.setattr(ingest_module, "WRITE_BATCH", 4)
    real_add, calls = IndexWriter.add_chunks, []

    def failing_add(self, chunks, vectors):
        calls.append(1)
        real_add(self, chunks, vectors)
        if len(calls) == 2:
            raise RuntimeError("disk full")

    monkeypatch.setattr(IndexWriter, "add_chunks", failing_add)
    with pytest.raises(RuntimeError):
        ingest(library, workspace, "fresh", model="fake", progress=False)
    with pytest.raises(UnknownIndex):
        workspace.open_index("fresh")
    monkeypatch.setattr(IndexWriter, "add_chunks", real_add)
    report = ingest(library, workspace, "fresh", model="fake", progress=False)
    assert report.new == 17 and workspace.open_index("fresh").count() == report.chunks_total


def test_a_second_ingest_into_the_same_index_is_refused_while_one_runs(built, library, workspace):
    from mcdewey.store import IndexBusy

    with workspace.writer("t", 384):
        with pytest.raises(IndexBusy, match="another process"):
            ingest(library, workspace, "t", model="fake", progress=False)


def test_replace_rebuilds_an_index_with_a_new_setup(built, library, workspace):
    _, first = built
    report = ingest(library, workspace, "t", params={"max_tokens": 64}, model="fake", progress=False, replace=True)
    index = workspace.open_index("t")
    assert index.manifest["params"]["max_tokens"] == 64 and report.new == first.new
    assert index.count() == report.chunks_total > first.chunks_total


def test_delete_index_removes_it_but_keeps_the_others(built, library, workspace):
    from mcdewey.store import UnknownIndex

    ingest(library, workspace, "other", model="fake", progress=False)
    workspace.delete_index("t")
    assert workspace.index_names() == ["other"]
    with pytest.raises(UnknownIndex):
        workspace.open_index("t")
    assert workspace.open_index("other").get_document("acme/switch/1.0/manual/vlans.md") is not None
    again = ingest(library, workspace, "t", model="fake", progress=False)
    assert again.new == 17 and again.cache_misses == 0  # the embeddings were cached


def test_a_model_the_ingest_loaded_is_freed_before_the_indexes_are_built(library, workspace, monkeypatch):
    """Peak memory: the model is not held while LanceDB builds its indexes; one already in use stays."""
    from mcdewey import embeddings
    from mcdewey.store import IndexWriter

    embeddings.release_embedder("fake")
    seen = []
    finalize = IndexWriter.finalize
    monkeypatch.setattr(IndexWriter, "finalize",
                        lambda self, *a: seen.append(embeddings.embedder_loaded("fake")) or finalize(self, *a))
    ingest(library, workspace, "t", model="fake", progress=False)
    assert seen == [False] and not embeddings.embedder_loaded("fake")
    mine = embeddings.get_embedder("fake")  # a notebook that searched already holds it
    (library / "acme/router/1.0/guide/new.md").write_text("# New\n\nA new page about static routes.\n")
    ingest(library, workspace, "t", model="fake", progress=False)
    assert seen == [False, True] and embeddings.get_embedder("fake") is mine
