"""The system-deps recipe installs only what is missing, one piece at a time, as a fresh machine would.

A fresh machine of our kind has Node.js (not Debian's) and no Chromium; asking apt for Debian's npm
beside that Node.js fails with "held broken packages" (exit 100). `apt-get install -s` proves the
recipe's path without changing the machine.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "system-deps.sh"
pytestmark = [pytest.mark.slow, pytest.mark.skipif(shutil.which("apt-get") is None, reason="needs apt-get")]


def simulate(assume_missing: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "SIMULATE": "1", "ASSUME_MISSING": assume_missing}
    return subprocess.run(["bash", str(SCRIPT)], env=env, capture_output=True, text=True, timeout=600)


@pytest.mark.skipif(shutil.which("node") is None, reason="the fresh-machine path assumes Node.js is present")
def test_fresh_machine_installs_chromium_alone():
    done = simulate("chromium")
    assert done.returncode == 0, done.stderr
    assert "installing chromium" in done.stdout
    assert "npm" not in done.stdout and "nodejs" not in done.stdout


def test_nothing_missing_installs_nothing():
    if not all(shutil.which(c) for c in ("chromium", "node", "npx")):
        pytest.skip("this machine is missing a piece; make system-deps installs it")
    done = simulate("")
    assert done.returncode == 0 and done.stdout == ""
