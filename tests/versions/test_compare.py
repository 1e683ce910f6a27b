"""Comparing two versions: the module, the CLI (JSON), MCP (SDK in-memory client), the JSON API and the page."""

from __future__ import annotations

import json

import anyio
import httpx
import pytest
from typer.testing import CliRunner

from mcdewey.cli import app
from mcdewey.compare import compare, word_diff
from mcdewey.versions import UnknownVersion

CORE_1, CORE_2 = "sipco/proxy/1.0/cookbook/core.md", "sipco/proxy/2.0/cookbook/core.md"


def _by_heading(result) -> dict[str, object]:
    return {s.section[-1]: s for s in result.sections if s.section}


def test_sections_are_same_changed_added_removed(vindex):
    result = compare(vindex, "proxy", "1.0", "2.0", limit=0)
    core = next(d for d in result.documents if d.from_doc == CORE_1)
    assert core.to_doc == CORE_2 and core.matched_by == "path"
    assert core.counts == {"same": 5, "changed": 1, "added": 1, "removed": 1}  # the intro and 4 sections same
    onepage = next(d for d in result.documents if d.to_doc and "onepage" in d.to_doc)
    assert onepage.from_doc is None and onepage.counts["added"] > 0
    core_sections = {s.section[-1]: s for s in result.sections
                     if (s.from_side or s.to_side).doc_id in (CORE_1, CORE_2)}
    assert {k: s.status for k, s in core_sections.items()} == {"Timers": "changed", "XMLRPC": "removed",
                                                              "WebSocket": "added"}
    timers = core_sections["Timers"]
    assert [(o.op, o.text) for o in timers.diff if o.op != "equal"] == [("delete", "240"), ("insert", "90")]
    assert timers.from_side.chunk_id.startswith("proxy::1.0::") and timers.to_side.chunk_id.startswith("proxy::2.0::")
    assert timers.from_side.doc_id == CORE_1 and timers.to_side.doc_id == CORE_2


def test_query_keeps_the_relevant_sections_best_first(vindex):
    result = compare(vindex, "proxy", "1.0", "2.0", query="fr_timer transaction timer gateways answer slowly",
                     limit=2)
    assert len(result.sections) <= 2 and result.sections[0].section[-1] == "Timers"
    assert result.sections[0].status == "changed" and result.sections[0].rank == 1


def test_doc_filter_and_errors(vindex):
    result = compare(vindex, "proxy", "1.0", "latest", doc="cookbook/core.md", limit=0)
    assert result.to_version == "2.0" and [d.to_doc for d in result.documents] == [CORE_2]
    with pytest.raises(UnknownVersion, match="2.0, 1.0"):
        compare(vindex, "proxy", "1.0", "9.9")
    with pytest.raises(ValueError, match="no document"):
        compare(vindex, "proxy", "1.0", "2.0", doc="nowhere.md")


def test_word_diff_marks_insertions_and_deletions():
    ops = word_diff("set the timer to 240 seconds now", "set the timer to 90 seconds at once")
    assert [(o.op, o.text) for o in ops] == [("equal", "set the timer to"), ("delete", "240"), ("insert", "90"),
                                            ("equal", "seconds"), ("delete", "now"), ("insert", "at once")]


def test_cli_compare_json_and_exit_2(versioned_home):
    runner = CliRunner()
    result = runner.invoke(app, ["compare", "proxy", "1.0", "2.0", "--index", "v", "--home", str(versioned_home),
                                 "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["from_version"] == "1.0" and data["counts"]["changed"] == 1
    changed = [s for s in data["sections"] if s["status"] == "changed"]
    assert changed[0]["from_side"]["chunk_id"] and changed[0]["to_side"]["doc_id"] == CORE_2
    assert {"pages", "labels"} <= set(changed[0]["to_side"])
    text = runner.invoke(app, ["compare", "proxy", "1.0", "2.0", "--home", str(versioned_home), "--query",
                               "fr_timer transaction timer"])
    assert text.exit_code == 0 and "[-240-] {+90+}" in text.output
    bad = runner.invoke(app, ["compare", "proxy", "1.0", "9.9", "--home", str(versioned_home)])
    assert bad.exit_code == 2 and "2.0, 1.0" in bad.output


def _mcp(index, fn):
    from mcp import Client

    from mcdewey.search import search
    from mcdewey.server.catalog import Catalog
    from mcdewey.server.mcp import build_mcp
    from mcdewey.server.views import Links

    async def main():
        async with Client(build_mcp(Catalog(index, search, Links("http://x")))) as client:
            return await fn(client)

    return anyio.run(main)


def test_mcp_compare_versions_and_version_errors(vexport):
    tools = _mcp(vexport, lambda c: c.list_tools()).tools
    tool = next(t for t in tools if t.name == "compare_versions")
    assert set(tool.input_schema["properties"]) == {"product", "from_version", "to_version", "query", "doc", "limit"}
    assert tool.input_schema["properties"]["limit"]["default"] == 10 and tool.output_schema
    args = {"product": "proxy", "from_version": "1.0", "to_version": "2.0", "query": "fr_timer transaction timer"}
    result = _mcp(vexport, lambda c: c.call_tool("compare_versions", args))
    assert not result.is_error, result.content
    first = result.structured_content["sections"][0]
    assert first["status"] == "changed" and first["from_side"]["chunk_id"] and first["to_side"]["chunk_id"]
    assert "[-240-] {+90+}" in result.content[0].text
    bad = _mcp(vexport, lambda c: c.call_tool("compare_versions", {**args, "to_version": "9.9"}))
    assert bad.is_error and "2.0, 1.0" in bad.content[0].text
    search = _mcp(vexport, lambda c: c.call_tool("search_docs", {"query": "enable_tls", "product": "proxy",
                                                                 "version": "9.9"}))
    assert search.is_error and "2.0, 1.0" in search.content[0].text
    hits = _mcp(vexport, lambda c: c.call_tool("search_docs", {"query": "enable TLS for SIP enable_tls",
                                                               "limit": 5})).structured_content["hits"]
    tls = [h for h in hits if "enable_tls" in h["text"]]
    assert len(tls) == 1 and tls[0]["versions"] == ["1.0", "2.0"]
    assert {"1.0", "2.0"} <= {a["version"] for a in tls[0]["also_in"]}
    latest = _mcp(vexport, lambda c: c.call_tool("search_docs", {"query": "enable_tls", "product": "proxy",
                                                                 "version": "latest"}))
    assert latest.structured_content["resolved_versions"] == {"proxy": "2.0"}
    assert "version latest = proxy 2.0" in latest.content[0].text
    library = _mcp(vexport, lambda c: c.call_tool("list_library", {})).structured_content
    products = {p["product"]: [v["version"] for v in p["versions"]] for p in library["vendors"][0]["products"]}
    assert products == {"proxy": ["2.0", "1.0"], "registrar": ["latest", "3.1"]}  # newest first


def test_http_compare_and_version_errors(vlive):
    with httpx.Client(base_url=vlive, timeout=30) as http:
        page = http.get("/compare", params={"product": "proxy", "from": "1.0", "to": "2.0", "q": "fr_timer timer"})
        assert page.status_code == 200 and "<del>240</del>" in page.text and "<ins>90</ins>" in page.text
        bad = http.get("/compare", params={"product": "proxy", "from": "1.0", "to": "9.9"})
        assert bad.status_code == 400 and "2.0, 1.0" in bad.text
        api = http.get("/api/search", params={"q": "enable_tls", "product": "proxy", "version": "9.9"})
        assert api.status_code == 400 and "2.0, 1.0" in api.json()["error"]
        api = http.get("/api/compare", params={"product": "proxy", "from": "1.0", "to": "2.0"})
        assert api.status_code == 200 and api.json()["counts"]["changed"] >= 1
        latest = http.get("/api/search", params={"q": "enable_tls", "product": "proxy", "version": "latest"}).json()
        assert latest["resolved_versions"] == {"proxy": "2.0"} and {h["version"] for h in latest["hits"]} == {"2.0"}


def test_word_diff_ignores_code_fence_tags():
    ops = word_diff("Example:\n```\ndisable_tls=yes\n```\n", "Example:\n``` c\ndisable_tls=yes\n```\n")
    assert [o.op for o in ops] == ["equal"]
