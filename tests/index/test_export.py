"""An export is self-contained, opens without the workspace, and is replaced atomically."""

import json
import shutil

import pytest

from mcdewey.export import export
from mcdewey.ingest import ingest
from mcdewey.search import search
from mcdewey.store import open_index


def test_export_round_trip_without_workspace_or_library(built, library, workspace, tmp_path):
    index, _ = built
    (workspace.index_dir("t") / "eval-summary.json").write_text(json.dumps({"ndcg@10": 0.5}))
    export(workspace, "t", tmp_path / "out")
    shutil.rmtree(workspace.home)
    shutil.rmtree(library)
    exported = open_index(tmp_path / "out")
    m = json.loads((tmp_path / "out" / "manifest.json").read_text())
    assert m["strategy"] == "recursive" and m["model"] == "fake" and m["eval"] == {"ndcg@10": 0.5}
    assert exported.count() == m["counts"]["chunks"]
    hit = search(exported, "BGP neighbor", k=1)[0]
    assert hit.chunk.doc_id == "acme/router/1.0/guide/routing.md"
    doc = exported.get_document(hit.chunk.doc_id)
    assert doc.text[hit.chunk.start : hit.chunk.end] == hit.chunk.text
    assert exported.neighbours(hit.chunk.chunk_id, 0, 0)[0] == hit.chunk
    assert exported.library_summary() == index.library_summary()


def test_reexport_swaps_atomically_and_old_readers_keep_working(built, library, workspace, tmp_path):
    out = tmp_path / "out"
    export(workspace, "t", out)
    old_reader = open_index(out)
    old_count = old_reader.count()
    (library / "acme/router/1.0/guide/extra.md").write_text("# Extra\n\nquagga daemon settings\n")
    ingest(library, workspace, "t", model="fake", progress=False)
    export(workspace, "t", out)
    assert old_reader.count() == old_count  # the version it opened is still there
    assert search(old_reader, "quagga", k=3, mode="keyword") == []
    new_reader = open_index(out)
    assert new_reader.count() == old_count + 1
    assert search(new_reader, "quagga", k=3, mode="keyword")[0].chunk.doc_id.endswith("extra.md")
    export(workspace, "t", out)
    assert len(list((out / "versions").iterdir())) == 2
    assert (out / "current").is_symlink()


def test_export_refuses_a_folder_that_is_not_an_export(built, workspace, tmp_path):
    target = tmp_path / "precious"
    target.mkdir()
    (target / "notes.txt").write_text("keep me")
    with pytest.raises(FileExistsError):
        export(workspace, "t", target)
    assert (target / "notes.txt").read_text() == "keep me"
