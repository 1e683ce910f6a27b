"""The MCP face of the catalog: six tools, three resources and two prompts on the official SDK's MCPServer."""

from __future__ import annotations

from typing import Annotated

from mcp.server import MCPServer
from mcp.server.mcpserver import Context
from mcp.server.mcpserver.exceptions import ResourceNotFoundError, ToolError
from mcp.types import CallToolResult, TextContent, ToolAnnotations
from pydantic import BaseModel, Field

from mcdewey.compare import Comparison
from mcdewey.compare import render as render_comparison
from mcdewey.vocabulary import Mode
from mcdewey.server.activity import Activity
from mcdewey.server.catalog import MAX_LIMIT, MAX_NEIGHBOURS, MAX_QUERY_CHARS, Catalog, CatalogError
from mcdewey.server.mcp_pages import add_page_tools
from mcdewey.server.prompts import add_prompts
from mcdewey.server.views import (
    ChunkView,
    ContextResult,
    LibraryResult,
    SearchResult,
    citation,
    render_chunk,
    render_context,
    render_library,
    render_search,
)

INSTRUCTIONS = """\
McDewey searches a library of vendor product documentation (manuals, admin and developer guides) and
returns passages with page-exact citations. Start with search_docs; cite results by source and page.
Call list_library to learn which vendors, products and versions exist before filtering by them."""

SEARCH_DOCS = """\
Search the documentation library and return the best-matching passages, best first.

Use it for any question about how a product works, is configured, or behaves. Each hit carries the
passage text and a citation: source (document path), page (physical page; page_label is the number
printed on the page when different), section heading path, and a url to show the user.

Filters: pass product (and version) when the user names a product or release, or when results mix up
similar products; values must match list_library exactly (e.g. product "cucm", version "v15"). Leave
them out for general questions. vendor narrows to one vendor's documents.

Each hit's chunk_id identifies the passage: pass it to get_context to read the text around it, or to
get_chunk to fetch it again. mode: "hybrid" (default, best in general), "keyword" (exact terms, error
codes, API names) or "vector" (paraphrased questions)."""

GET_CHUNK = """\
Fetch one passage by its chunk_id (from search_docs or get_context) with its full citation: document,
page, printed page label, section path and url. Use it to re-read or cite a passage you already found."""

GET_CONTEXT = """\
Read a passage together with its neighbours in the same document, in document order. Use it when a
search hit is cut off mid-procedure, refers to a table or step just before or after it, or you need
more of the surrounding section. before/after = how many passages to add on each side (0-10)."""

LIST_LIBRARY = """\
List what the library holds: vendors, their products and the versions of each, with document, page
and passage counts. Use it to find the exact product/version names that search_docs filters accept,
or to tell the user whether a product or release is covered at all."""

COMPARE_VERSIONS = """\
Compare two versions of one product: which sections of its documents are the same, changed (with a
word-level diff), added (only in to_version) or removed (only in from_version), each side with chunk_id,
document, pages and printed page labels to cite. Use it when the user asks what changed between releases,
or whether an answer found for one version still holds in another. With query, only the sections relevant
to it, best first; without, a summary per document plus the sections that differ. doc narrows to one
document (its path below the version folder). Version names as list_library gives them; "latest" is the
newest."""

READ_ONLY = ToolAnnotations(read_only_hint=True, destructive_hint=False, idempotent_hint=True,
                            open_world_hint=False)


def _prose(text: str) -> str:
    """Unwrap the hard line breaks of a description, keeping its paragraphs."""
    return "\n\n".join(" ".join(p.split()) for p in text.split("\n\n"))


def _result(model: BaseModel, text: str) -> CallToolResult:
    """Structured content for programs plus a text rendering for the model to read."""
    return CallToolResult(content=[TextContent(type="text", text=text)],
                          structured_content=model.model_dump(mode="json"))


def build_mcp(catalog: Catalog, log_queries: bool = True) -> MCPServer:
    """An MCPServer whose tools, resources and prompts read from `catalog`.

    Args:
        log_queries: False keeps the query text out of log messages above the info level.
    """
    server = MCPServer("mcdewey", title="McDewey documentation search", instructions=_prose(INSTRUCTIONS),
                       version=_version(), log_level="WARNING")
    activity = Activity(catalog, log_queries)
    activity.serve_set_level(server)

    async def call(ctx: Context | None, request: str, fn, *args, **facts):
        try:
            return await activity.run(ctx, request, fn, *args, **facts)
        except CatalogError as exc:
            raise ToolError(str(exc)) from exc

    @server.tool(description=_prose(SEARCH_DOCS), annotations=READ_ONLY)
    async def search_docs(
        query: Annotated[str, Field(min_length=1, max_length=MAX_QUERY_CHARS,
                                    description="What to look for, in natural language or exact terms.")],
        vendor: Annotated[str | None, Field(description="Only this vendor's documents (see list_library).")] = None,
        product: Annotated[str | None, Field(description="Only this product (see list_library).")] = None,
        version: Annotated[str | None, Field(description="Only this version of the product.")] = None,
        limit: Annotated[int, Field(ge=1, le=MAX_LIMIT, description="How many hits to return.")] = 5,
        mode: Mode = "hybrid",
        ctx: Context | None = None,
    ) -> Annotated[CallToolResult, SearchResult]:
        result = await call(ctx, "search_docs", catalog.search, query, vendor, product, version, limit, mode,
                            query=query, filters={"vendor": vendor, "product": product, "version": version},
                            mode=mode, limit=limit)
        return _result(result, render_search(result))

    @server.tool(description=_prose(GET_CHUNK), annotations=READ_ONLY)
    async def get_chunk(
        chunk_id: Annotated[str, Field(description="A chunk_id from search_docs or get_context.")],
        ctx: Context | None = None,
    ) -> Annotated[CallToolResult, ChunkView]:
        view = await call(ctx, "get_chunk", catalog.chunk_view, chunk_id, chunk_id=chunk_id)
        return _result(view, render_chunk(view))

    @server.tool(description=_prose(GET_CONTEXT), annotations=READ_ONLY)
    async def get_context(
        chunk_id: Annotated[str, Field(description="A chunk_id from search_docs.")],
        before: Annotated[int, Field(ge=0, le=MAX_NEIGHBOURS, description="Passages to add before it.")] = 1,
        after: Annotated[int, Field(ge=0, le=MAX_NEIGHBOURS, description="Passages to add after it.")] = 1,
        ctx: Context | None = None,
    ) -> Annotated[CallToolResult, ContextResult]:
        result = await call(ctx, "get_context", catalog.context, chunk_id, before, after, chunk_id=chunk_id)
        return _result(result, render_context(result))

    @server.tool(description=_prose(LIST_LIBRARY), annotations=READ_ONLY)
    async def list_library(ctx: Context | None = None) -> Annotated[CallToolResult, LibraryResult]:
        result = await call(ctx, "list_library", catalog.library)
        return _result(result, render_library(result))

    @server.tool(description=_prose(COMPARE_VERSIONS), annotations=READ_ONLY)
    async def compare_versions(
        product: Annotated[str, Field(description="The product (see list_library).")],
        from_version: Annotated[str, Field(description="The older version.")],
        to_version: Annotated[str, Field(description="The newer version.")],
        query: Annotated[str | None, Field(max_length=MAX_QUERY_CHARS,
                                           description="Only sections relevant to this question.")] = None,
        doc: Annotated[str | None, Field(description="Only this document (path below the version folder).")] = None,
        limit: Annotated[int, Field(ge=1, le=MAX_LIMIT, description="At most this many sections.")] = 10,
        ctx: Context | None = None,
    ) -> Annotated[CallToolResult, Comparison]:
        result = await call(ctx, "compare_versions", catalog.compare, product, from_version, to_version, query,
                            doc, limit, query=query, filters={"product": product, "from": from_version,
                                                              "to": to_version, "doc": doc}, limit=limit)
        return _result(result, render_comparison(result))

    add_page_tools(server, catalog, READ_ONLY)  # before _add_resources: its doc template matches page URIs too
    _add_resources(server, catalog, activity)
    add_prompts(server, catalog)
    return server


def _add_resources(server: MCPServer, catalog: Catalog, activity: Activity) -> None:
    """mcdewey://docs/{doc_id} and mcdewey://chunks/{chunk_id}."""
    # `{+doc_id}`: reserved expansion, so the slashes of a library path match (RFC 6570).
    @server.resource("mcdewey://docs/{+doc_id}", name="document", mime_type="text/markdown",
                     description="A whole normalized document of the library, as Markdown-style text.")
    async def document_resource(doc_id: str, ctx: Context) -> str:
        try:
            doc = await activity.run(ctx, "read document", catalog.document, doc_id, doc_id=doc_id)
        except CatalogError as exc:
            raise ResourceNotFoundError(str(exc)) from exc
        return f"# {doc.title}\n\n_{doc.doc_id} ({doc.vendor} {doc.product} {doc.version})_\n\n{doc.text}"

    @server.resource("mcdewey://chunks/{chunk_id}", name="chunk", mime_type="text/markdown",
                     description="One passage with its citation, by chunk_id.")
    async def chunk_resource(chunk_id: str, ctx: Context) -> str:
        try:
            view = await activity.run(ctx, "read chunk", catalog.chunk_view, chunk_id, chunk_id=chunk_id)
        except CatalogError as exc:
            raise ResourceNotFoundError(str(exc)) from exc
        return f"{citation(view)}\nchunk_id {view.chunk_id}\n\n{view.text}"


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("mcdewey")
    except PackageNotFoundError:
        return "0"
