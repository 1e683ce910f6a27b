"""The MCP Inspector CLI (a client the SDK did not write) lists and calls our tools and renders our prompts."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest

INSPECTOR = "@modelcontextprotocol/inspector@0.15.0"
pytestmark = [pytest.mark.slow, pytest.mark.skipif(shutil.which("npx") is None, reason="needs node/npx")]


def inspector(url: str, *args: str) -> dict:
    cmd = ["npx", "-y", INSPECTOR, "--cli", f"{url}/mcp", "--transport", "http", *args]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout)


def test_inspector_lists_tools(live):
    tools = inspector(live.url, "--method", "tools/list")["tools"]
    assert {t["name"] for t in tools} == {"search_docs", "get_chunk", "get_context", "list_library", "compare_versions",
                                          "get_page"}
    assert all(t.get("outputSchema") for t in tools)


def test_inspector_calls_search_docs(live):
    out = inspector(live.url, "--method", "tools/call", "--tool-name", "search_docs",
                    "--tool-arg", "query=BGP hold timer", "--tool-arg", "limit=3")
    hits = out["structuredContent"]["hits"]
    assert 1 <= len(hits) <= 3 and not out.get("isError")
    assert hits[0]["chunk_id"] in out["content"][0]["text"]


def test_inspector_lists_the_prompts_with_their_arguments(live):
    prompts = {p["name"]: p for p in inspector(live.url, "--method", "prompts/list")["prompts"]}
    assert set(prompts) == {"answer_from_docs", "compare_versions_brief"}
    assert [a["name"] for a in prompts["answer_from_docs"]["arguments"]] == ["question", "product", "version"]
    assert [a["name"] for a in prompts["compare_versions_brief"]["arguments"]] == [
        "product", "from_version", "to_version", "topic"]


def test_inspector_renders_both_prompts_with_their_arguments(live):
    answer = inspector(live.url, "--method", "prompts/get", "--prompt-name", "answer_from_docs",
                       "--prompt-args", "question=How do I add a static route?", "product=router", "version=2.0")
    text = answer["messages"][0]["content"]["text"]
    assert "How do I add a static route?" in text and 'product="router", version="2.0"' in text
    brief = inspector(live.url, "--method", "prompts/get", "--prompt-name", "compare_versions_brief",
                      "--prompt-args", "product=router", "from_version=1.0", "to_version=2.0", "topic=BGP")
    text = brief["messages"][0]["content"]["text"]
    assert 'compare_versions(product="router", from_version="1.0", to_version="2.0", query="BGP")' in text
