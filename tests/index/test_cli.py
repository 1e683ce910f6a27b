"""The ingest, search, indexes and export commands dispatch to the modules and report clearly."""

import json
import re

import pytest

from typer.testing import CliRunner

from mcdewey.cli import app

runner = CliRunner()


def _run(*args):
    return runner.invoke(app, [str(a) for a in args])


def test_ingest_search_indexes_export(library, tmp_path):
    home = tmp_path / "home"
    result = _run("ingest", library, "--index", "cli", "--model", "fake", "--param", "max_tokens=120", "--home", home)
    assert result.exit_code == 0, result.output
    assert "17 new" in result.output and "chunks/s" in result.output

    result = _run("search", "BGP neighbor", "--index", "cli", "--home", home, "--json", "-k", "3")
    assert result.exit_code == 0, result.output
    hits = json.loads(result.output)
    assert len(hits) == 3 and hits[0]["doc_id"] == "acme/router/1.0/guide/routing.md"
    assert {"chunk_id", "score", "page_start", "page_label_start", "section", "text", "title"} <= set(hits[0])

    result = _run("search", "BGP neighbor", "--index", "cli", "--home", home, "--vendor", "globex",
                  "--mode", "vector", "--json")
    assert {h["vendor"] for h in json.loads(result.output)} == {"globex"}

    result = _run("search", "route (static)?", "--index", "cli", "--home", home)
    assert result.exit_code == 0 and "router::" in result.output

    result = _run("indexes", "--home", home, "--json")
    manifest = json.loads(result.output)["cli"]
    assert manifest["params"]["max_tokens"] == 120 and "files" not in manifest

    result = _run("export", "--index", "cli", "--to", tmp_path / "exp", "--home", home)
    assert result.exit_code == 0, result.output
    assert (tmp_path / "exp" / "manifest.json").exists()
    # The export carries the PDFs it cites (for page images) and says how big it is.
    pdfs = sorted((tmp_path / "exp" / "current" / "files").rglob("*.pdf"))
    assert all(p.read_bytes().startswith(b"%PDF") for p in pdfs)  # this library has none: 0.0 MB
    size = re.search(r"([\d.]+) MB, of which ([\d.]+) MB are the PDFs", " ".join(result.output.split()))
    assert size and float(size.group(1)) > 0 and float(size.group(2)) == round(sum(p.stat().st_size for p in pdfs) / 1e6, 1)


def test_unknown_index_lists_existing_ones(library, tmp_path):
    home = tmp_path / "home"
    _run("ingest", library, "--index", "real", "--model", "fake", "--home", home)
    result = _run("search", "x", "--index", "typo", "--home", home)
    assert result.exit_code == 1
    assert "typo" in result.output and "real" in result.output


def test_bad_strategy_parameter_is_reported(library, tmp_path):
    result = _run("ingest", library, "--index", "x", "--model", "fake", "--param", "nonsense=1", "--home", tmp_path)
    assert result.exit_code == 2 and "nonsense" in result.output  # a usage error


@pytest.mark.slow
def test_no_command_prints_lancedb_fork_warning(tmp_path):
    """The real model on the default backend (OpenVINO imports telemetry that forked a process)."""
    import os
    import subprocess
    import sys

    from mcdewey.demo import demo_library

    library = demo_library(tmp_path / "library")
    env = {**os.environ, "MCDEWEY_HOME": str(tmp_path / "home"), "HF_HUB_OFFLINE": "1"}
    env.pop("MCDEWEY_BACKEND", None)
    cli = [sys.executable, "-c", "from mcdewey.cli import main; main()"]
    for args in (["ingest", str(library), "--index", "real"], ["search", "BGP hold timer", "--index", "real"]):
        done = subprocess.run(cli + args, env=env, capture_output=True, text=True, timeout=600)
        assert done.returncode == 0, done.stderr
        assert "fork" not in done.stderr, done.stderr


def test_openvino_imports_without_forking(tmp_path):
    """Fast check of the same: openvino loaded after LanceDB started its runtime forks nothing."""
    import subprocess
    import sys

    pytest.importorskip("openvino")
    code = ("import os, lancedb; db = lancedb.connect(r'%s'); db.create_table('t', [{'a': 1}]);"
            "forks = []; real = os.fork; os.fork = lambda: forks.append(1) or real();"
            "from mcdewey.backends import import_openvino; import_openvino(); import time; time.sleep(1);"
            "print('forks', len(forks))") % (tmp_path / "db")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "forks 0" in done.stdout and "fork support" not in done.stderr, done.stdout + done.stderr
