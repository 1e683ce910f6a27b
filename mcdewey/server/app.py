"""One Starlette app serving an exported index: the pages, the JSON API, /healthz and the MCP endpoint /mcp."""

from __future__ import annotations

import contextlib
import os
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


def create_app(index: IndexLike, access: Access | None = None, public_url: str = "",
               search_fn: SearchFn | None = None, max_parallel: int | None = None,
               log_queries: bool = True) -> Starlette:
    """The whole server for one opened index.

    Args:
        public_url: scheme://host:port put in front of the links MCP tools return ("" = site-relative).
        search_fn: the search function (default mcdewey.search.search).
        max_parallel: searches run at once (default: the number of CPU cores).
        log_queries: False keeps query text out of MCP log messages above the info level.
    """
    access = access or Access()
    catalog = Catalog(index, search_fn or _search, Links(public_url.rstrip("/")), max_parallel or os.cpu_count() or 2)
    server = build_mcp(catalog, log_queries)
    # Stateless: each POST is answered on its own, so clients need no session affinity. JSON answers,
    # or an SSE stream for requests whose log and progress notifications need one (see transport.py).
    endpoint = McpEndpoint(server, access.transport_security())

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        await catalog.run(catalog.warm)
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
             max_parallel: int | None = None, log_queries: bool = True) -> Starlette:
    """create_app over an export folder written by `mcdewey export`; a re-export is served once ready."""
    from mcdewey.server.follow import FollowingIndex

    return create_app(FollowingIndex(export_dir), access, public_url, max_parallel=max_parallel,
                      log_queries=log_queries)


def _search(index: IndexLike, query: str, k: int, mode: str, filters: Filters | None) -> list[Hit]:
    from mcdewey.search import search

    return search(index, query, k=k, mode=mode, filters=filters)
