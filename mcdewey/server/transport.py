"""The /mcp endpoint: stateless Streamable HTTP, answering in JSON, or in SSE when notifications can ride along.

A JSON body carries only the response, so the SDK drops the log and progress notifications of a
request answered that way. Requests that may produce them (tool calls and resource reads, which log
what they did, and any request whose `_meta` carries a progress token or the 2026-07-28 log-level
opt-in) are answered by a second stateless session manager in SSE mode; everything else (initialize,
ping, the lists, completion) stays a plain JSON answer. Both managers belong to the SDK: this module
only reads the request body to choose one.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import AsyncIterator

from mcp.server import MCPServer
from mcp.server.streamable_http_manager import StreamableHTTPASGIApp, StreamableHTTPSessionManager
from mcp.server.transport_security import DEFAULT_MAX_REQUEST_BODY_SIZE, TransportSecuritySettings
from starlette.datastructures import Headers
from starlette.types import Message, Receive, Scope, Send

# Methods whose handlers send log notifications (what they searched or read, hits, time).
LOGGED_METHODS = ("tools/call", "resources/read")
STREAM_META_KEYS = ("progressToken", "io.modelcontextprotocol/logLevel")


def wants_stream(body: bytes, accept: str) -> bool:
    """Whether this POST should be answered as an SSE stream (the client must accept one)."""
    if "text/event-stream" not in accept:
        return False
    try:
        message = json.loads(body)
    except ValueError:
        return False
    if not isinstance(message, dict) or "id" not in message:
        return False
    params = message.get("params")
    meta = params.get("_meta") if isinstance(params, dict) else None
    return message.get("method") in LOGGED_METHODS or (
        isinstance(meta, dict) and any(k in meta for k in STREAM_META_KEYS))


class McpEndpoint:
    """ASGI app for POST /mcp over two stateless SDK session managers (JSON and SSE); `run()` is their lifespan."""

    def __init__(self, server: MCPServer, security: TransportSecuritySettings,
                 peek_limit: int = DEFAULT_MAX_REQUEST_BODY_SIZE):
        # Each streamable_http_app() call builds a fresh manager on the server; keep both.
        server.streamable_http_app(stateless_http=True, json_response=False, transport_security=security)
        self.sse: StreamableHTTPSessionManager = server.session_manager
        server.streamable_http_app(stateless_http=True, json_response=True, transport_security=security)
        self.json: StreamableHTTPSessionManager = server.session_manager
        self._apps = {True: StreamableHTTPASGIApp(self.sse), False: StreamableHTTPASGIApp(self.json)}
        self.peek_limit = peek_limit

    @contextlib.asynccontextmanager
    async def run(self) -> AsyncIterator[None]:
        async with self.json.run(), self.sse.run():
            yield

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        read: list[Message] = []
        body = b""
        # Read the body once (up to the SDK's own size limit, which then still applies), then replay it.
        while len(body) <= self.peek_limit:
            message = await receive()
            read.append(message)
            if message["type"] != "http.request":
                break
            body += message.get("body", b"")
            if not message.get("more_body"):
                break

        async def replay() -> Message:
            return read.pop(0) if read else await receive()

        stream = wants_stream(body, Headers(scope=scope).get("accept", ""))
        await self._apps[stream](scope, replay, send)
