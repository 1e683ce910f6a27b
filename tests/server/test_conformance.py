"""The official MCP conformance suite's scenarios that apply to any server, run against the live test export."""

from __future__ import annotations

import shutil
import subprocess

import pytest

# The last release that runs on Node.js 20; pinned so the scenarios do not change under us.
CONFORMANCE = "@modelcontextprotocol/conformance@0.1.12"
SCENARIOS = ["server-initialize", "ping", "tools-list", "tools-call-error", "resources-list", "prompts-list",
             "dns-rebinding-protection", "logging-set-level", "completion-complete"]
pytestmark = [pytest.mark.slow, pytest.mark.skipif(shutil.which("npx") is None, reason="needs node/npx")]


def conformance(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["npx", "-y", CONFORMANCE, *args], capture_output=True, text=True, timeout=600)


@pytest.fixture(scope="module")
def suite() -> None:
    """Install the pinned package once (npx caches it) and check it knows every scenario we run."""
    done = conformance("list")
    assert done.returncode == 0, done.stderr[-2000:]
    server_part = done.stdout.split("Client scenarios")[0]
    missing = [s for s in SCENARIOS if f"- {s}\n" not in server_part]
    assert not missing, f"{CONFORMANCE} lacks scenarios {missing}"


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_conformance_scenario_passes(live, suite, scenario):
    done = conformance("server", "--url", f"{live.url}/mcp", "--scenario", scenario)
    out = done.stdout + done.stderr
    assert done.returncode == 0 and " 0 failed" in out, out[-3000:]
    assert "Passed: 0/" not in out
