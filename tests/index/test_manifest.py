"""The typed manifest: reads what earlier versions wrote, round-trips, and keeps local paths at home."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from starlette.testclient import TestClient
from typer.testing import CliRunner

from mcdewey.cli import app
from mcdewey.manifest import MANIFEST_VERSION, ChunkingSpec, FileEntry, Manifest, ManifestError
from mcdewey.search import search
from mcdewey.store import Workspace, open_index

LEGACY = Path(__file__).parent.parent / "data" / "legacy"  # written by the code before this module (README there)


@pytest.fixture
def legacy(tmp_path) -> Path:
    """A writable copy of the pre-manifest workspace, export and library."""
    shutil.copytree(LEGACY, tmp_path / "legacy", symlinks=True)
    return tmp_path / "legacy"


def test_reads_a_manifest_written_before_the_version_field():
    raw = json.loads((LEGACY / "home" / "indexes" / "legacy" / "manifest.json").read_text())
    assert "version" not in raw
    m = Manifest.from_dict(raw)
    assert m.version == MANIFEST_VERSION and m.name == "legacy"
    assert m.spec == ChunkingSpec("recursive", raw["params"], "fake", "none")
    assert {f.status for f in m.files.values()} == {"indexed", "error"}
    assert m.counts.chunks == raw["counts"]["chunks"] and m.tables.chunks_version == raw["tables"]["chunks_version"]
    again = m.to_dict()
    assert Manifest.from_dict(again) == m
    assert {k: v for k, v in again.items() if k != "version"} == raw  # nothing lost, nothing renamed
    assert m.get("strategy") == "recursive" and m["dim"] == m.dim and m.get("nope", 1) == 1  # the dict's reads


def test_unknown_keys_survive_and_bad_statuses_fail():
    raw = json.loads((LEGACY / "home" / "indexes" / "legacy" / "manifest.json").read_text())
    m = Manifest.from_dict({**raw, "written_by_a_later_version": {"x": 1}})
    assert m.to_dict()["written_by_a_later_version"] == {"x": 1}
    with pytest.raises(ManifestError, match="status 'gone'"):
        FileEntry.from_dict({"fingerprint": "f", "status": "gone"})
    with pytest.raises(ManifestError, match="upgrade McDewey"):
        Manifest.from_dict({**raw, "version": MANIFEST_VERSION + 1})
    with pytest.raises(ManifestError, match="not a McDewey manifest"):
        Manifest.from_dict({"name": "x"}, "x/manifest.json")


def test_an_old_workspace_opens_searches_and_updates(legacy):
    ws = Workspace(legacy / "home")
    index = ws.open_index("legacy")
    hits = search(index, "BGP hold timer", k=3)
    assert hits and "BGP hold timer" in hits[0].chunk.text and hits[0].chunk.ord == 0
    from mcdewey.ingest import ingest

    report = ingest(legacy / "library", ws, "legacy", progress=False)  # same set-up: nothing to redo
    assert report.unchanged == 2 and report.new == report.changed == 0
    assert json.loads(ws.manifest_path("legacy").read_text())["version"] == MANIFEST_VERSION


def test_an_old_export_opens_and_serves(legacy):
    from mcdewey.server.app import Access, open_app

    assert open_index(legacy / "export").manifest.name == "legacy"
    with TestClient(open_app(legacy / "export", Access.for_bind("127.0.0.1", None)), base_url="http://127.0.0.1") as client:
        found = client.get("/api/search", params={"q": "nat_keepalive"}).json()
        assert found["hits"] and found["hits"][0]["doc_id"].endswith("notes.txt")
        assert client.get("/healthz").json()["index"]["name"] == "legacy"


def _strings(value):
    if isinstance(value, dict):
        for k, v in value.items():
            yield str(k)
            yield from _strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)
    elif isinstance(value, str):
        yield value


def test_no_absolute_path_in_an_export_or_healthz(legacy, tmp_path):
    """The library folder, an eval's query set and a model given as a folder stay on this machine."""
    from mcdewey.demo import demo_queries
    from mcdewey.server.app import Access, open_app

    home, queries = legacy / "home", demo_queries(tmp_path / "q" / "queries.jsonl").resolve()
    run = CliRunner().invoke(app, ["eval", "run", str(queries), "--index", "legacy", "--no-ragas",
                                   "--home", str(home)])
    assert run.exit_code == 0, run.output
    assert str(queries) in (home / "indexes" / "legacy" / "eval-summary.json").read_text()  # local: full path
    out = CliRunner().invoke(app, ["export", "--index", "legacy", "--to", str(tmp_path / "exp"), "--home", str(home)])
    assert out.exit_code == 0, out.output
    exported = json.loads((tmp_path / "exp" / "manifest.json").read_text())
    assert exported["eval"]["queries_path"] == "queries.jsonl"
    assert not [s for s in _strings(exported) if s.startswith("/") or str(tmp_path) in s]
    with TestClient(open_app(tmp_path / "exp", Access.for_bind("127.0.0.1", None)), base_url="http://127.0.0.1") as client:
        health = client.get("/healthz").json()
    assert health["index"]["eval"]["queries_path"] == "queries.jsonl"
    assert not [s for s in _strings(health) if s.startswith("/") or str(tmp_path) in s]
    folder_model = Manifest.from_dict({**exported, "model": str(tmp_path / "models" / "my-minilm")})
    assert folder_model.public()["model"] == "my-minilm"
    assert folder_model.exported("x", 1, None, "now").model == "my-minilm"


def test_manifest_keys_are_spelled_in_one_module():
    """Keys only a manifest has: any other module that spells one reads the untyped manifest again."""
    package = Path(__file__).resolve().parents[2] / "mcdewey"
    for key in ("chunks_version", "last_ingest", "fts_fields", "mcdewey_version", "exported_at", "source_index",
                "built_at"):
        spelled = {p.name for p in package.rglob("*.py") if f'"{key}"' in p.read_text()}
        assert spelled <= {"manifest.py", "index_cmds.py"}, (key, spelled)  # index_cmds: a column title
    assert not [p for p in package.rglob("*.py") if "manifest.get(" in p.read_text() or "manifest[" in p.read_text()]
