"""Property-based fuzz of the JSON API, the pages and the MCP tools (hypothesis): never a 5xx."""

from __future__ import annotations

import json
from urllib.parse import quote

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

# JSON only: a client that accepts only JSON gets JSON answers, even for tool calls (server/transport.py).
MCP_HEADERS = {"Accept": "application/json", "Content-Type": "application/json"}
TOOLS = ["search_docs", "get_chunk", "get_context", "list_library", "no_such_tool"]
FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

text = st.text(st.characters(codec="utf-8"), max_size=300)  # any character, newlines and NULs included
scalars = st.one_of(st.none(), st.booleans(), st.integers(-2**70, 2**70), st.floats(allow_nan=True), text)
json_values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4)
                           | st.dictionaries(text, inner, max_size=4), max_leaves=12)
params = st.dictionaries(st.sampled_from(["q", "query", "k", "limit", "mode", "vendor", "product", "version",
                                          "before", "after", "chunk", "page"]) | text, text, max_size=6)


@pytest.fixture(scope="module")
def client(live):
    with httpx.Client(base_url=live.url, timeout=60) as c:
        yield c


@FUZZ
@given(path=st.sampled_from(["/api/search", "/api/library", "/", "/healthz"]), query=params)
def test_json_api_and_pages_never_fail_with_5xx(client, path, query):
    assert client.get(path, params=query).status_code < 500


@FUZZ
@given(kind=st.sampled_from(["/api/chunks/", "/api/context/", "/chunks/", "/docs/"]), ident=text, query=params)
def test_ids_in_the_path_never_fail_with_5xx(client, kind, ident, query):
    response = client.get(kind + quote(ident, safe="/:"), params=query)
    assert response.status_code < 500


def _call(client, message) -> httpx.Response:
    # NaN and Infinity go out as the bare words Python writes: not JSON, a malformed request to survive.
    return client.post("/mcp", content=json.dumps(message), headers=MCP_HEADERS)


@FUZZ
@given(tool=st.sampled_from(TOOLS), arguments=st.one_of(json_values, st.dictionaries(
    st.sampled_from(["query", "vendor", "product", "version", "limit", "mode", "chunk_id", "before", "after"]),
    json_values, max_size=5)))
def test_mcp_tools_never_fail_with_5xx(client, tool, arguments):
    message = {"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {"name": tool, "arguments": arguments}}
    response = _call(client, message)
    assert response.status_code < 500, response.text
    if response.status_code == 200:  # a JSON-RPC answer: a result or an error object, never a crash
        body = response.json()
        assert "result" in body or body["error"]["code"] != -32603, body


@FUZZ
@given(message=json_values)
def test_malformed_mcp_messages_never_fail_with_5xx(client, message):
    assert _call(client, message).status_code < 500


def test_the_fuzzed_endpoints_answer_a_valid_call(client):
    """The fuzz reaches the tools: a well-formed call gets a real result, not a 4xx wall."""
    message = {"jsonrpc": "2.0", "id": 1, "method": "tools/call",
               "params": {"name": "search_docs", "arguments": {"query": "BGP", "limit": 2}}}
    body = _call(client, message).json()
    assert body["result"]["structuredContent"]["hits"]
    assert client.get("/api/search", params={"q": "BGP"}).json()["hits"]
