"""Every MCP tool and resource, called through the SDK's Streamable HTTP client against the live server."""

from __future__ import annotations

import anyio
import httpx2
import pytest
from mcp import Client
from mcp.client.streamable_http import streamable_http_client
from mcp.shared.exceptions import MCPError

TOOLS = {"search_docs", "get_chunk", "get_context", "list_library", "compare_versions", "get_page"}


def run(live, fn, mode="auto", headers=None):
    """Open a client session to the live server's /mcp and run `fn(client)`."""

    async def main():
        http = httpx2.AsyncClient(headers=headers or live.headers(), timeout=30)
        async with http, Client(streamable_http_client(f"{live.url}/mcp", http_client=http), mode=mode) as client:
            return await fn(client)

    return anyio.run(main)


async def _first_hit(client, query="BGP hold timer"):
    result = await client.call_tool("search_docs", {"query": query, "limit": 3})
    assert not result.is_error, result.content
    return result.structured_content["hits"][0]


def test_tools_are_listed_with_descriptions_and_output_schemas(live):
    tools = run(live, lambda c: c.list_tools()).tools
    assert {t.name for t in tools} == TOOLS
    for tool in tools:
        assert len(tool.description) > 80 and tool.output_schema, tool.name
    search = next(t for t in tools if t.name == "search_docs")
    props = search.input_schema["properties"]
    assert set(props) == {"query", "vendor", "product", "version", "limit", "mode"}
    assert props["limit"]["default"] == 5 and props["limit"]["maximum"] == 50
    assert search.input_schema["required"] == ["query"]


@pytest.mark.parametrize("mode", ["auto", "legacy"])
def test_search_docs_returns_structured_hits_and_text(live, served_index, mode):
    result = run(live, lambda c: c.call_tool("search_docs", {"query": "BGP hold timer", "limit": 2}), mode=mode)
    assert not result.is_error
    hits = result.structured_content["hits"]
    assert 1 <= len(hits) <= 2
    first = hits[0]
    chunk = served_index.get_chunk(first["chunk_id"])
    assert chunk is not None and first["text"] == chunk.text
    assert first["source"] == chunk.doc_id.split("/", 1)[1]
    assert first["page"] == chunk.page_start
    for key in ("score", "vendor", "product", "version", "title", "page_label", "section"):
        assert key in first
    assert first["url"] == f"{live.url}/chunks/{first['chunk_id']}"
    text = result.content[0].text
    assert first["chunk_id"] in text and first["source"] in text


def test_search_docs_filters_by_product_and_version(live, served_index):
    summary = served_index.library_summary()
    row = summary[-1]
    args = {"query": "the", "product": row["product"], "version": row["version"], "limit": 50}
    result = run(live, lambda c: c.call_tool("search_docs", args))
    hits = result.structured_content["hits"]
    assert hits and all(h["product"] == row["product"] and h["version"] == row["version"] for h in hits)


@pytest.mark.parametrize("args, message", [
    ({"query": "x", "limit": 51}, "50"),
    ({"query": "x", "limit": 0}, "1"),
    ({"query": "x" * 1001}, "1000"),
    ({"query": "x", "mode": "psychic"}, "mode"),
])
def test_search_docs_refuses_out_of_range_input(live, args, message):
    result = run(live, lambda c: c.call_tool("search_docs", args))
    assert result.is_error and message in result.content[0].text


def test_get_chunk_returns_the_chunk_and_unknown_id_is_a_clear_tool_error(live, served_index):
    async def calls(client):
        hit = await _first_hit(client)
        good = await client.call_tool("get_chunk", {"chunk_id": hit["chunk_id"]})
        bad = await client.call_tool("get_chunk", {"chunk_id": "no::such::chunk::0"})
        return hit, good, bad

    hit, good, bad = run(live, calls)
    assert not good.is_error and good.structured_content["chunk_id"] == hit["chunk_id"]
    assert good.structured_content["text"] == served_index.get_chunk(hit["chunk_id"]).text
    assert good.structured_content["context_url"].startswith(live.url + "/docs/")
    assert bad.is_error and "unknown chunk_id 'no::such::chunk::0'" in bad.content[0].text


def test_get_context_returns_neighbours_in_document_order(live, served_index):
    async def calls(client):
        hit = await _first_hit(client)
        chunks = served_index.doc_chunks(hit["doc_id"])
        target = chunks[len(chunks) // 2].chunk_id
        return target, await client.call_tool("get_context", {"chunk_id": target, "before": 1, "after": 1})

    target, result = run(live, calls)
    got = result.structured_content
    ids = [c["chunk_id"] for c in got["chunks"]]
    assert got["chunk_id"] == target and target in ids and len(ids) >= 2
    assert ids == [c.chunk_id for c in served_index.neighbours(target, 1, 1)]
    assert [c["text"] for c in got["chunks"]] == [served_index.get_chunk(i).text for i in ids]
    assert ">>> [" + target in result.content[0].text


def test_list_library_nests_vendors_products_versions_with_counts(live, served_index):
    result = run(live, lambda c: c.call_tool("list_library", {}))
    lib = result.structured_content
    rows = served_index.library_summary()
    assert lib["chunks"] == sum(r["chunks"] for r in rows) and lib["documents"] == sum(r["documents"] for r in rows)
    seen = {(v["vendor"], p["product"], x["version"]): x["chunks"]
            for v in lib["vendors"] for p in v["products"] for x in p["versions"]}
    assert seen == {(r["vendor"], r["product"], r["version"]): r["chunks"] for r in rows}
    assert rows[0]["vendor"] in result.content[0].text


def test_resources_read_documents_and_chunks(live, served_index):
    async def calls(client):
        hit = await _first_hit(client)
        templates = await client.list_resource_templates()
        doc = await client.read_resource(f"mcdewey://docs/{hit['doc_id']}")
        chunk = await client.read_resource(f"mcdewey://chunks/{hit['chunk_id']}")
        return hit, templates, doc, chunk

    hit, templates, doc, chunk = run(live, calls)
    assert {t.uri_template for t in templates.resource_templates} == {
        "mcdewey://docs/{+doc_id}", "mcdewey://chunks/{chunk_id}", "mcdewey://docs/{+doc_id}/pages/{page}"}
    assert served_index.get_document(hit["doc_id"]).text in doc.contents[0].text
    assert hit["text"] in chunk.contents[0].text and hit["chunk_id"] in chunk.contents[0].text


def test_unknown_resource_is_an_error_not_a_crash(live):
    async def call(client):
        with pytest.raises(MCPError) as err:
            await client.read_resource("mcdewey://docs/nope/x/y/z.pdf")
        return err.value

    assert "unknown document" in str(run(live, call))
