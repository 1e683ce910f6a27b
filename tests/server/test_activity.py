"""Log notifications per request, logging/setLevel, progress on slow calls, and the JSON-or-SSE choice of /mcp."""

from __future__ import annotations

import json
import time
import warnings
from collections.abc import Iterator

import anyio
import httpx
import httpx2
import pytest
from mcp import Client
from mcp.client.streamable_http import streamable_http_client

from mcdewey.server import activity
from mcdewey.server.app import Access, create_app
from mcdewey.server.transport import wants_stream

from .conftest import LiveServer, free_port, start_server

HEADERS = {"Accept": "application/json, text/event-stream", "Content-Type": "application/json"}


def session(live, fn, **client_args):
    """Run `fn(client)` on a client of the live server's /mcp; returns (result, log entries, progress updates)."""
    logs, progress = [], []

    async def on_log(params):
        logs.append(params)

    async def on_progress(value, total, message):
        progress.append((value, total, message))

    async def main():
        http = httpx2.AsyncClient(timeout=30)
        with warnings.catch_warnings():  # logging_callback is deprecated in the 2026-07-28 revision
            warnings.simplefilter("ignore")
            client = Client(streamable_http_client(f"{live.url}/mcp", http_client=http), logging_callback=on_log,
                            **client_args)
        async with http, client:
            return await fn(client, on_progress)

    return anyio.run(main), logs, progress


def _serve(index, **app_args) -> Iterator[LiveServer]:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    app = create_app(index, Access(), public_url=url, **app_args)
    server, thread = start_server(app, port)
    try:
        yield LiveServer(url, app)
    finally:
        server.should_exit = True
        thread.join(10)


def _slow_search(index, query, k, mode, filters):
    """The real search, made slow on purpose: long enough for a few progress beats at test thresholds."""
    from mcdewey.search import search

    time.sleep(0.5)
    return search(index, query, k=k, mode=mode, filters=filters)


@pytest.fixture(scope="module")
def slow(served_index) -> Iterator[LiveServer]:
    yield from _serve(served_index, search_fn=_slow_search)


@pytest.fixture(scope="module")
def quiet(served_index) -> Iterator[LiveServer]:
    """The server as `mcdewey serve --no-log-queries` builds it."""
    yield from _serve(served_index, log_queries=False)


async def _search(client, on_progress, **args):
    return await client.call_tool("search_docs", {"query": "BGP hold timer", "limit": 3, **args})


def test_legacy_client_sets_the_level_and_gets_one_info_entry_per_search(live):
    async def calls(client, on_progress):
        assert (await client.set_logging_level("info")).model_dump(exclude_none=True) in ({}, {"meta": None})
        return await _search(client, on_progress, product="router")

    result, logs, _ = session(live, calls, mode="legacy")
    (entry,) = [e for e in logs if e.data.get("request") == "search_docs"]
    assert entry.level == "info" and entry.logger == "mcdewey"
    assert entry.data["query"] == "BGP hold timer" and entry.data["filters"] == {"product": "router"}
    assert entry.data["hits"] == len(result.structured_content["hits"]) and entry.data["ms"] >= 0
    assert entry.data["mode"] == "hybrid" and entry.data["limit"] == 3


def test_modern_client_gets_entries_only_at_or_above_the_level_it_asks_for(live):
    _, info_logs, _ = session(live, _search, log_level="info")
    _, warning_logs, _ = session(live, _search, log_level="warning")
    assert [e.data["request"] for e in info_logs] == ["search_docs"]
    assert warning_logs == []


def test_refused_call_logs_a_warning_with_the_reason(live):
    async def bad(client, on_progress):
        return await client.call_tool("get_chunk", {"chunk_id": "no::such::chunk::0"})

    result, logs, _ = session(live, bad, mode="legacy")
    assert result.is_error
    (entry,) = logs
    assert entry.level == "warning" and entry.data["chunk_id"] == "no::such::chunk::0"
    assert "unknown chunk_id" in entry.data["refused"]


def _refused_search(client, on_progress):
    # A filter value over the catalog's length limit: refused by the catalog, logged as a warning.
    return _search(client, on_progress, product="p" * 201)


def test_no_log_queries_keeps_query_text_out_of_entries_above_info(live, quiet):
    _, loud_logs, _ = session(live, _refused_search, mode="legacy")
    _, quiet_logs, _ = session(quiet, _refused_search, mode="legacy")
    _, quiet_info, _ = session(quiet, _search, mode="legacy")
    assert loud_logs[0].level == "warning" and loud_logs[0].data["query"] == "BGP hold timer"
    assert quiet_logs[0].level == "warning" and "query" not in quiet_logs[0].data
    assert "longer than 200" in quiet_logs[0].data["refused"]
    # At info (and below) the entry still names the query.
    assert quiet_info[0].level == "info" and quiet_info[0].data["query"] == "BGP hold timer"


@pytest.mark.parametrize("mode", ["legacy", "auto"])
def test_slow_call_sends_progress_when_the_client_sent_a_token(slow, monkeypatch, mode):
    monkeypatch.setattr(activity, "PROGRESS_AFTER_S", 0.1)
    monkeypatch.setattr(activity, "PROGRESS_EVERY_S", 0.1)

    async def call(client, on_progress):
        return await client.call_tool("search_docs", {"query": "BGP hold timer"}, progress_callback=on_progress)

    result, _, progress = session(slow, call, mode=mode)
    assert not result.is_error and result.structured_content["hits"]
    assert len(progress) >= 2
    assert [p[0] for p in progress] == list(range(1, len(progress) + 1))
    assert all(total is None and message.startswith("search_docs: still working") for _, total, message in progress)


def test_fast_call_sends_no_progress(live):
    async def call(client, on_progress):
        return await client.call_tool("list_library", {}, progress_callback=on_progress)

    result, _, progress = session(live, call, mode="legacy")
    assert not result.is_error and progress == []


def _post(url, method, params=None, accept=HEADERS["Accept"], **extra):
    body = {"jsonrpc": "2.0", "id": 7, "method": method, "params": params or {}}
    headers = HEADERS | {"Accept": accept, "MCP-Protocol-Version": "2025-06-18"} | extra
    return httpx.post(f"{url}/mcp", content=json.dumps(body), headers=headers, timeout=30)


def test_mcp_answers_json_unless_notifications_can_ride_the_response(live):
    listed = _post(live.url, "tools/list")
    assert listed.headers["content-type"].startswith("application/json") and listed.json()["result"]["tools"]
    call = {"name": "list_library", "arguments": {}}
    streamed = _post(live.url, "tools/call", call)
    assert streamed.headers["content-type"].startswith("text/event-stream")
    assert '"result"' in streamed.text and "notifications/message" in streamed.text
    # A client that accepts only JSON still gets its answer (and no notifications).
    plain = _post(live.url, "tools/call", call, accept="application/json")
    assert plain.headers["content-type"].startswith("application/json") and "result" in plain.json()
    pinged = _post(live.url, "ping", {"_meta": {"progressToken": "p1"}})
    assert pinged.headers["content-type"].startswith("text/event-stream")


@pytest.mark.parametrize("message, accept, expected", [
    ({"id": 1, "method": "tools/call", "params": {"name": "x"}}, "application/json, text/event-stream", True),
    ({"id": 1, "method": "resources/read", "params": {"uri": "x"}}, "text/event-stream, application/json", True),
    ({"id": 1, "method": "tools/list", "params": {"_meta": {"progressToken": 3}}}, "*/*, text/event-stream", True),
    ({"id": 1, "method": "prompts/get", "params": {"_meta": {"io.modelcontextprotocol/logLevel": "info"}}},
     "application/json, text/event-stream", True),
    ({"id": 1, "method": "tools/call", "params": {"name": "x"}}, "application/json", False),
    ({"id": 1, "method": "initialize", "params": {}}, "application/json, text/event-stream", False),
    ({"method": "notifications/initialized"}, "application/json, text/event-stream", False),
    ([{"id": 1, "method": "tools/call"}], "application/json, text/event-stream", False),
])
def test_wants_stream(message, accept, expected):
    assert wants_stream(json.dumps(message).encode(), accept) is expected
    assert wants_stream(b"{not json", accept) is False


def test_serve_passes_no_log_queries_to_the_app(export_dir, monkeypatch):
    from typer.testing import CliRunner

    from mcdewey.cli import app

    seen = {}
    monkeypatch.setattr("mcdewey.server.app.open_app", lambda *args, **kwargs: seen.setdefault("args", args))
    monkeypatch.setattr("uvicorn.run", lambda *args, **kwargs: None)
    for flag, expected in (([], True), (["--no-log-queries"], False)):
        seen.clear()
        done = CliRunner().invoke(app, ["serve", str(export_dir), *flag])
        assert done.exit_code == 0, done.output
        assert seen["args"][-1] is expected
