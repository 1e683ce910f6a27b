"""MCP tool `get_page` and resource template `mcdewey://docs/{doc_id}/pages/{page}`: a PDF page as an image."""

from __future__ import annotations

import base64
from typing import Annotated

from mcp.server import MCPServer
from mcp.server.mcpserver.exceptions import ResourceNotFoundError, ToolError
from mcp.types import CallToolResult, ImageContent, TextContent, ToolAnnotations
from pydantic import Field

from mcdewey.server.catalog import Catalog, CatalogError
from mcdewey.server.page_views import PageResult, PdfFront

GET_PAGE = """\
Show one page of a PDF document as the reader sees it: the rendered page image, with the passage of
chunk_id highlighted when given, plus the page's text and the page number printed on it. Use it to
check a citation, to read a table or figure a passage refers to, or to show the user the page. page is
the physical page (1-based): the `page` field of a search hit, not the printed label."""

IMAGE_WIDTH = 1000  # pixels: legible text at a size models accept


def add_page_tools(server: MCPServer, catalog: Catalog, annotations: ToolAnnotations) -> None:
    front = PdfFront(catalog)

    async def call(fn, *args):
        try:
            return await catalog.run(fn, *args)
        except CatalogError as exc:
            raise ToolError(str(exc)) from exc

    @server.tool(description=" ".join(GET_PAGE.split()), annotations=annotations)
    async def get_page(
        doc_id: Annotated[str, Field(description="doc_id of a search hit (a PDF document).")],
        page: Annotated[int, Field(ge=1, description="Physical page, 1-based (a hit's `page`).")],
        chunk_id: Annotated[str | None, Field(description="Highlight this passage on the page.")] = None,
    ) -> Annotated[CallToolResult, PageResult]:
        result = await call(front.page, doc_id, page, chunk_id)
        png = await call(front.png, doc_id, page, IMAGE_WIDTH, chunk_id)
        return CallToolResult(
            content=[ImageContent(type="image", data=base64.b64encode(png).decode(), mime_type="image/png"),
                     TextContent(type="text", text=_render_page(result))],
            structured_content=result.model_dump(mode="json"))

    # Registered before mcdewey://docs/{+doc_id}: templates are tried in order and that one matches any path.
    @server.resource("mcdewey://docs/{+doc_id}/pages/{page}", name="page", mime_type="image/png",
                     description="One page of a PDF document rendered as PNG (physical page, 1-based).")
    async def page_resource(doc_id: str, page: str) -> bytes:
        try:
            return await catalog.run(front.png, doc_id, int(page), IMAGE_WIDTH)
        except (CatalogError, ValueError) as exc:
            raise ResourceNotFoundError(str(exc)) from exc


def _render_page(result: PageResult) -> str:
    label = f" (printed {result.label})" if result.label and result.label != str(result.page) else ""
    marked = f"; {len(result.boxes)} highlighted line(s) of {result.chunk_id}" if result.chunk_id else ""
    return (f"{result.doc_id}, page {result.page}{label} of {result.pages}{marked}\n"
            f"{result.image_url}\n\n{result.text.strip()}")
