"""One Starlette app serving an exported index: the pages, the JSON API, /healthz and the MCP endpoint /mcp."""

from __future__ import annotations

import contextlib
import logging
import os
import time
from collections.abc import AsyncIterator
from pathlib import Path

from starlette.applications import Starlette
from starlette.routing import Route

from mcdewey.models import Filters, Hit
from mcdewey.server.catalog import Catalog, IndexLike, SearchFn
from mcdewey.server.guard import Access, Guard
from mcdewey.server.mcp import build_mcp
from mcdewey.server.transport import McpEndpoint
from mcdewey.server.views import Links
from mcdewey.server.web import login_page, web_routes

__all__ = ["Access", "create_app", "open_app"]

# Micro-batching of concurrent query embeddings (mcdewey.batcher): the default window, and how many
# searches may run at once when batching so that batches can form (docs/performance.md, "Round two":
# 1.4x the search_docs throughput at 32 clients over MCP).
QUERY_BATCH_MS = 5.0
BATCHING_PARALLEL = 32


def query_batch_ms(value: float | None = None) -> float:
    """The batching window in ms: `value`, else $MCDEWEY_QUERY_BATCH_MS, else QUERY_BATCH_MS."""
    if value is None:
        raw = os.environ.get("MCDEWEY_QUERY_BATCH_MS", "")
        try:
            value = float(raw) if raw.strip() else QUERY_BATCH_MS
        except ValueError:
            raise ValueError(f"MCDEWEY_QUERY_BATCH_MS must be a number of milliseconds, got {raw!r}") from None
    if value < 0:
        raise ValueError(f"the query batching window must be >= 0 ms, got {value}")
    return float(value)


def create_app(index: IndexLike, access: Access | None = None, public_url: str = "",
               search_fn: SearchFn | None = None, max_parallel: int | None = None,
               log_queries: bool = True, batch_window_ms: float | None = None) -> Starlette:
    """The whole server for one opened index.

    Args:
        public_url: scheme://host:port put in front of the links MCP tools return ("" = site-relative).
        search_fn: the search function (default mcdewey.search.search).
        max_parallel: searches run at once (default: the number of CPU cores).
        log_queries: False keeps query text out of MCP log messages above the info level.
        batch_window_ms: concurrent searches wait this long to embed their queries in one model call
            (default: $MCDEWEY_QUERY_BATCH_MS, else QUERY_BATCH_MS; 0 = each query on its own).
    """
    access = access or Access()
    window = query_batch_ms(batch_window_ms)
    parallel = max_parallel or ((os.cpu_count() or 2) if not window else BATCHING_PARALLEL)
    catalog = Catalog(index, search_fn or _search, Links(public_url.rstrip("/")), parallel, window / 1000)
    server = build_mcp(catalog, log_queries)
    # Stateless: each POST is answered on its own, so clients need no session affinity. JSON answers,
    # or an SSE stream for requests whose log and progress notifications need one (see transport.py).
    endpoint = McpEndpoint(server, access.transport_security())

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        start = time.perf_counter()
        took = await catalog.run(catalog.warm)
        app.state.warm_seconds = time.perf_counter() - start
        logging.getLogger("uvicorn.error").info(
            "warmed up in %.2f s (%s); query batching %s, %d searches at once", app.state.warm_seconds,
            ", ".join(f"{k} {v:.2f} s" for k, v in took.items()), f"{window:g} ms" if window else "off", parallel)
        async with endpoint.run():
            yield

    # POST only: with no sessions there is nothing to stream on GET or end with DELETE, so both answer 405.
    routes = [Route("/mcp", endpoint, methods=["POST"]),
              *web_routes(catalog)]
    app = Starlette(routes=routes, lifespan=lifespan)
    app.add_middleware(Guard, access=access, login_page=login_page)
    app.state.catalog = catalog
    return app


def open_app(export_dir: Path, access: Access | None = None, public_url: str = "",
             max_parallel: int | None = None, log_queries: bool = True,
             batch_window_ms: float | None = None) -> Starlette:
    """create_app over an export folder written by `mcdewey export`; a re-export is served once ready."""
    from mcdewey.server.follow import FollowingIndex

    return create_app(FollowingIndex(export_dir), access, public_url, max_parallel=max_parallel,
                      log_queries=log_queries, batch_window_ms=batch_window_ms)


def _search(index: IndexLike, query: str, k: int, mode: str, filters: Filters | None) -> list[Hit]:
    from mcdewey.search import search

    return search(index, query, k=k, mode=mode, filters=filters)
