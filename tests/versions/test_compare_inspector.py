"""compare_versions through the MCP Inspector CLI (a client the SDK did not write)."""

from __future__ import annotations

import shutil

import pytest

pytestmark = [pytest.mark.slow, pytest.mark.skipif(shutil.which("npx") is None, reason="needs node/npx")]


def test_inspector_calls_compare_versions(vlive):
    from server.test_inspector import inspector

    out = inspector(vlive, "--method", "tools/call", "--tool-name", "compare_versions",
                    "--tool-arg", "product=proxy", "--tool-arg", "from_version=1.0", "--tool-arg", "to_version=2.0",
                    "--tool-arg", "query=fr_timer transaction timer")
    assert not out.get("isError"), out
    first = out["structuredContent"]["sections"][0]
    assert first["status"] == "changed" and first["from_side"]["chunk_id"] and first["to_side"]["chunk_id"]
    assert "[-240-] {+90+}" in out["content"][0]["text"]
