"""`mcdewey ingest --json` and `mcdewey inspect`: the summary object, the problem list and exit statuses 0/3/1/2."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from mcdewey.cli.app import app
from reliability.broken import CASES, GOOD, V
from reliability.conftest import build_broken_library

runner = CliRunner()
SUMMARY_KEYS = {"index", "documents", "chunks_added", "chunks_total", "seconds", "peak_rss_mb", "problems"}
DOCUMENT_KEYS = {"new", "changed", "unchanged", "deleted", "skipped", "errors"}
FEW = [c for c in CASES if c.name in ("symlink to /etc/passwd", "random bytes 0x80-0xFF named .html", "empty file",
                                       "file at the library root", "newline in a file name", "image")]


def _run(*args):
    return runner.invoke(app, [str(a) for a in args])


@pytest.fixture
def few_broken(tmp_path) -> Path:
    return build_broken_library(tmp_path / "lib", tmp_path / "outside", FEW)


def test_ingest_json_lists_each_broken_file_and_exits_3(few_broken, tmp_path):
    # A real process: stdout must hold exactly one JSON object, whatever the progress bars print on stderr.
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).parents[2]))
    proc = subprocess.run([sys.executable, "-c", "from mcdewey.cli import main; main()", "ingest", str(few_broken),
                           "--index", "x", "--model", "fake", "--json", "--home", str(tmp_path / "home")],
                          capture_output=True, text=True, env=env, timeout=300)
    assert proc.returncode == 3, proc.stderr
    summary = json.loads(proc.stdout)
    assert set(summary) == SUMMARY_KEYS | {"embedded"} and set(summary["documents"]) == DOCUMENT_KEYS
    assert summary["embedded"] == summary["chunks_added"]  # a fresh workspace: every chunk went to the model
    # random.html is new too: it passes the scan and fails when read
    assert summary["documents"]["new"] == len(GOOD) + 1 and summary["chunks_total"] == summary["chunks_added"] > 0
    problems = {p["path"]: p for p in summary["problems"]}
    assert all(set(p) == {"path", "kind", "reason"} for p in summary["problems"])
    for case in FEW:
        assert problems[case.path]["kind"] == case.kind and case.reason in problems[case.path]["reason"]
    assert summary["documents"]["errors"] == sum(p["kind"] == "error" for p in summary["problems"]) == 3
    assert f"{V}/passwd.txt" not in _indexed(tmp_path / "home", "x")


def _indexed(home: Path, index: str) -> set[str]:
    from mcdewey.store import Workspace

    files = Workspace(home).read_manifest(index)["files"]
    return {rel for rel, f in files.items() if f["status"] == "indexed"}


def test_human_output_groups_problems_and_shows_the_first_twenty(tmp_path):
    lib = tmp_path / "lib"
    for rel, text in GOOD.items():
        (lib / rel).parent.mkdir(parents=True, exist_ok=True)
        (lib / rel).write_text(text)
    for i in range(25):
        (lib / f"{V}/empty-{i:02}.md").parent.mkdir(parents=True, exist_ok=True)
        (lib / f"{V}/empty-{i:02}.md").write_bytes(b"")
    result = _run("ingest", lib, "--index", "x", "--model", "fake", "--home", tmp_path / "home")
    assert result.exit_code == 3
    assert "errors (25): empty file (0 bytes) 25" in result.stdout
    assert f"{V}/empty-19.md: empty file (0 bytes)" in result.stdout and "empty-20.md" not in result.stdout
    assert "... and 5 more" in result.stdout


def test_clean_library_exits_0(tmp_path):
    lib = tmp_path / "lib"
    build_broken_library(lib, tmp_path / "o", [c for c in CASES if c.name in ("image", "stylesheet")])
    result = _run("ingest", lib, "--index", "x", "--model", "fake", "--home", tmp_path / "home", "--json")
    assert result.exit_code == 0, result.output
    assert {p["kind"] for p in json.loads(result.stdout)["problems"]} == {"skipped"}  # by design: still 0


@pytest.mark.parametrize("layout", ["missing", "empty", "wrong depth"])
def test_nothing_to_do_exits_1_and_names_the_layout(tmp_path, layout):
    lib = tmp_path / "lib"
    if layout != "missing":
        lib.mkdir()
    if layout == "wrong depth":
        (lib / "acme/router").mkdir(parents=True)
        (lib / "acme/router/guide.md").write_text("# Guide\n\ntext\n")
    result = _run("ingest", lib, "--index", "x", "--model", "fake", "--home", tmp_path / "home")
    assert result.exit_code == 1
    message = " ".join(result.output.split())
    assert ("does not exist" in message) if layout == "missing" else "<vendor>/<product>/<version>/<file>" in message
    if layout == "wrong depth":
        assert "acme/router/guide.md: wrong depth" in message
    inspected = _run("inspect", lib, "--no-chunks")
    assert inspected.exit_code == 1


def test_usage_errors_exit_2(few_broken, tmp_path):
    assert _run("ingest", few_broken, "--index", "x", "--no-such-flag").exit_code == 2
    assert _run("ingest", few_broken, "--index", "x", "--strategy", "nonesuch", "--model", "fake").exit_code == 2
    assert _run("inspect", few_broken, "--strategy", "nonesuch").exit_code == 2


def test_inspect_exits_3_and_lists_the_broken_files(few_broken):
    result = _run("inspect", few_broken, "--no-chunks", "--json")
    assert result.exit_code == 3
    data = json.loads(result.stdout)
    assert {e["path"] for e in data["errors"]} == {c.path for c in FEW if c.kind == "error"}
