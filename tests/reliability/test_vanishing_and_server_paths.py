"""Files that vanish mid-run are per-file errors; the server reads nothing outside its export folder."""

from __future__ import annotations

import os

import pytest

from mcdewey import ingest as ingest_module
from mcdewey.ingest import ingest
from mcdewey.search import search
from mcdewey.store import UnknownIndex, Workspace, open_index
from reliability.broken import GOOD, GOOD_QUERIES, V, _write


@pytest.fixture
def library(tmp_path):
    for rel, text in GOOD.items():
        _write(tmp_path / "lib", rel, text)
    _write(tmp_path / "lib", f"{V}/doomed.md", "# Doomed\n\nThis file is deleted after the scan.\n")
    return tmp_path / "lib"


def test_a_file_deleted_between_scan_and_hashing_is_a_per_file_error(library, tmp_path, monkeypatch):
    real = ingest_module.file_fingerprint

    def delete_first(path):
        if path.name == "doomed.md":
            path.unlink()
        return real(path)

    monkeypatch.setattr(ingest_module, "file_fingerprint", delete_first)
    workspace = Workspace(tmp_path / "home")
    report = ingest(library, workspace, "v", model="fake", progress=False)
    assert report.problems == [{"path": f"{V}/doomed.md", "kind": "error",
                                "reason": "vanished: deleted after the library was scanned"}]
    assert report.errors == 1 and report.new == len(GOOD)
    index = workspace.open_index("v")
    for query, doc_id in GOOD_QUERIES.items():
        assert search(index, query, k=1, mode="keyword")[0].chunk.doc_id == doc_id


def test_a_file_deleted_while_being_read_is_a_per_file_error(library, tmp_path, monkeypatch):
    from mcdewey import library as library_module

    real = library_module.read_document

    def delete_then_read(root, path, *args, **kwargs):
        if str(path).endswith("doomed.md"):
            (root / path).unlink()
        return real(root, path, *args, **kwargs)

    monkeypatch.setattr(ingest_module, "read_document", delete_then_read)
    report = ingest(library, Workspace(tmp_path / "home"), "v", model="fake", progress=False)
    assert [(p["path"], p["kind"]) for p in report.problems] == [(f"{V}/doomed.md", "error")]
    assert "No such file" in report.problems[0]["reason"] and report.new == len(GOOD) + 1


def test_export_whose_current_link_leaves_the_folder_is_refused(tmp_path):
    outside = tmp_path / "elsewhere"
    (outside / "lancedb").mkdir(parents=True)
    (outside / "manifest.json").write_text('{"name": "evil", "tables": {"chunks": "chunks"}}')
    export = tmp_path / "export"
    export.mkdir()
    os.symlink(outside, export / "current")
    with pytest.raises(UnknownIndex, match="outside the export folder"):
        open_index(export)
