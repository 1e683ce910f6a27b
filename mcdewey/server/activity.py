"""What the server tells a client about its work: a log notification per request, progress on slow calls."""

from __future__ import annotations

import logging
import time
import warnings
from collections.abc import Callable
from typing import Any, TypeVar

import anyio
from mcp.server import MCPServer
from mcp.server.mcpserver import Context
from mcp.shared.exceptions import MCPDeprecationWarning
from mcp.types import EmptyResult, SetLevelRequestParams

from mcdewey.server.catalog import Catalog, CatalogError

# The 2026-07-28 revision deprecates logging in favour of a per-request opt-in; the handshake revisions
# that today's assistants speak still use logging/setLevel, so this server keeps serving both on purpose.
warnings.filterwarnings("ignore", message="The logging capability is deprecated", category=MCPDeprecationWarning)

LOGGER = "mcdewey"
# Severity order of MCP log levels (RFC 5424), lowest first.
LEVELS = ("debug", "info", "notice", "warning", "error", "critical", "alert", "emergency")
# A call still running after PROGRESS_AFTER_S sends a progress notification every PROGRESS_EVERY_S.
PROGRESS_AFTER_S = 1.0
PROGRESS_EVERY_S = 1.0

log = logging.getLogger("mcdewey.server")
T = TypeVar("T")


class Activity:
    """Runs catalog calls for MCP handlers, reporting progress while they last and logging each one after."""

    def __init__(self, catalog: Catalog, log_queries: bool = True):
        self.catalog = catalog
        self.log_queries = log_queries

    def serve_set_level(self, server: MCPServer) -> None:
        """Answer logging/setLevel (and so advertise the logging capability).

        /mcp is stateless: every POST is its own connection, so no level outlives the request that set
        it. Clients on 2026-07-28 choose the level per request (`_meta` io.modelcontextprotocol/logLevel)
        and the SDK filters by it; clients on the handshake revisions receive this server's messages,
        which are at info (one per request) and warning/error (refusals and failures).
        """
        async def set_level(ctx: Any, params: SetLevelRequestParams) -> EmptyResult:
            log.debug("logging/setLevel %s", params.level)
            return EmptyResult()

        # MCPServer has no decorator for this handshake-era method; the SDK points to the lowlevel server.
        server._lowlevel_server.add_request_handler("logging/setLevel", SetLevelRequestParams, set_level)

    async def run(self, ctx: Context | None, request: str, fn: Callable[..., T], *args: Any, **facts: Any) -> T:
        """`fn(*args)` on the catalog's worker threads; `facts` (query, filters, ids) go into the log entry."""
        start = time.perf_counter()
        try:
            result = await self._with_progress(ctx, request, fn, *args)
        except CatalogError as exc:
            await self.log(ctx, "warning", {"request": request, **facts, "refused": str(exc), "ms": _ms(start)})
            raise
        except Exception as exc:
            await self.log(ctx, "error", {"request": request, **facts, "failed": type(exc).__name__, "ms": _ms(start)})
            raise
        await self.log(ctx, "info", {"request": request, **facts, **_counts(result), "ms": _ms(start)})
        return result

    async def log(self, ctx: Context | None, level: str, data: dict) -> None:
        """Send `data` as a log notification on the request's stream, and to the server's own log."""
        data = {k: v for k, v in data.items() if v is not None}
        if "filters" in data:
            data["filters"] = {k: v for k, v in data["filters"].items() if v}
        if not self.log_queries and LEVELS.index(level) > LEVELS.index("info"):
            data.pop("query", None)
        log.log(logging.ERROR if level == "error" else logging.WARNING if level == "warning" else logging.INFO,
                "%s", data)
        if ctx is not None:
            await ctx.log(level, data, logger_name=LOGGER)

    async def _with_progress(self, ctx: Context | None, request: str, fn: Callable[..., T], *args: Any) -> T:
        if ctx is None:
            return await self.catalog.run(fn, *args)
        start = time.perf_counter()

        async def heartbeat() -> None:
            # A no-op unless the client sent a progress token; no total, the work has no known size.
            await anyio.sleep(PROGRESS_AFTER_S)
            beat = 0
            while True:
                beat += 1
                try:
                    await ctx.report_progress(beat, None, f"{request}: still working "
                                                          f"({time.perf_counter() - start:.0f} s)")
                except Exception:  # a client gone away must not fail the work itself
                    return
                await anyio.sleep(PROGRESS_EVERY_S)

        error: Exception | None = None
        async with anyio.create_task_group() as tg:
            tg.start_soon(heartbeat)
            try:
                result = await self.catalog.run(fn, *args)
            except Exception as exc:  # re-raised below, outside the task group, so it is not wrapped
                error = exc
            tg.cancel_scope.cancel()
        if error is not None:
            raise error
        return result

def _ms(start: float) -> float:
    return round((time.perf_counter() - start) * 1000, 1)


def _counts(result: Any) -> dict:
    """How much came back: hits of a search, passages of a context, 1 for a chunk or document."""
    if hasattr(result, "hits"):
        return {"hits": len(result.hits)}
    if hasattr(result, "chunks") and isinstance(result.chunks, list):
        return {"passages": len(result.chunks)}
    return {}
