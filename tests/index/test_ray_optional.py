"""Ray stays optional: the CLI and the Ray engine's module load without importing Ray."""

from __future__ import annotations

import subprocess
import sys


def test_the_cli_and_the_ray_engine_module_do_not_import_ray():
    code = ("import sys, mcdewey.cli, mcdewey.ray_ingest, mcdewey.ingest, mcdewey.storage; "
            "print('ray' in sys.modules, 'boto3' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["False", "False"]


def test_without_ray_the_engine_says_how_to_install_it(monkeypatch, library, workspace):
    import pytest

    from mcdewey.ingest import ingest

    monkeypatch.setitem(sys.modules, "ray", None)  # as if Ray were not installed
    with pytest.raises(ImportError, match=r"pip install 'mcdewey\[ray\]'"):
        ingest(library, workspace, "t", model="fake", progress=False, engine="ray")
