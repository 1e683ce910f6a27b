"""PDF pages on the server: page images, a chunk's highlight boxes, and the page view of the doc-context page."""

from __future__ import annotations

from pydantic import BaseModel, Field
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from mcdewey.models import Chunk, Document
from mcdewey.pages import DEFAULT_WIDTH, PageError, PageImages
from mcdewey.server.catalog import Catalog, CatalogError, NotFound

ZOOMS = (600, 800, 1000, 1300, 1700)  # page widths (CSS pixels) the page view steps through
MAX_PAGES_SHOWN = 3  # pages of one chunk shown at once; the pager reaches the rest


class PageBox(BaseModel):
    page: int = Field(description="Physical page, 1-based.")
    x0: float = Field(description="Left edge, fraction of the page width (0 = left).")
    y0: float = Field(description="Top edge, fraction of the page height (0 = top).")
    x1: float
    y1: float


class BoxesResult(BaseModel):
    """Where a chunk is printed: rectangles merged per line, on every page it covers."""

    chunk_id: str
    boxes: list[PageBox]


class PageResult(BaseModel):
    """One PDF page: its printed label, its text, and the highlight boxes of the chunk asked about."""

    doc_id: str
    page: int = Field(description="Physical page, 1-based.")
    pages: int = Field(description="Pages in the PDF.")
    label: str | None = Field(description="The page number printed on the page, when the PDF defines one.")
    text: str = Field(description="The text of the page as pdfium extracts it.")
    chunk_id: str | None = None
    boxes: list[PageBox] = Field(default_factory=list, description="Highlight rectangles of chunk_id on this page.")
    image_url: str = Field(description="The page image on the web server.")


def zoom_or(zoom: int | None) -> int:
    return zoom if zoom in ZOOMS else DEFAULT_WIDTH


class NoPage(NotFound):
    """A page that cannot be shown (not a PDF, PDF not carried, page out of range)."""


class PdfFront:
    """Page images and boxes of the served index, with the catalog's lookups and limits."""

    def __init__(self, catalog: Catalog):
        self.catalog = catalog
        self._images: PageImages | None = None

    @property
    def images(self) -> PageImages:
        if self._images is None:
            self._images = PageImages(self.catalog.index)
        return self._images

    def _doc_chunk(self, chunk_id: str) -> tuple[Document, Chunk]:
        chunk = self.catalog.chunk(chunk_id)
        return self.catalog.document(chunk.doc_id), chunk

    def boxes(self, chunk_id: str) -> BoxesResult:
        doc, chunk = self._doc_chunk(chunk_id)
        if doc.format != "pdf":
            return BoxesResult(chunk_id=chunk_id, boxes=[])
        try:
            boxes = self.images.boxes(doc, chunk)
        except PageError as exc:
            raise NoPage(str(exc)) from exc
        return BoxesResult(chunk_id=chunk_id, boxes=[PageBox(**b.to_dict()) for b in boxes])

    def _check_chunk(self, doc_id: str, chunk_id: str | None) -> None:
        if chunk_id and self.catalog.chunk(chunk_id).doc_id != doc_id:
            raise CatalogError(f"chunk {chunk_id!r} is not part of {doc_id!r}")

    def png(self, doc_id: str, page: int, width: int = DEFAULT_WIDTH, chunk_id: str | None = None) -> bytes:
        self.catalog.document(doc_id)  # unknown ids answer 404 before any file is looked at
        self._check_chunk(doc_id, chunk_id)
        try:
            if not chunk_id:
                return self.images.png(doc_id, page, width)
            boxes = self.boxes(chunk_id).boxes
            from mcdewey.pdf_geometry import Box

            return self.images.highlighted_png(doc_id, page, [Box(**b.model_dump()) for b in boxes], width)
        except PageError as exc:
            raise NoPage(str(exc)) from exc

    def page(self, doc_id: str, page: int, chunk_id: str | None = None) -> PageResult:
        doc = self.catalog.document(doc_id)
        self._check_chunk(doc_id, chunk_id)
        try:
            count, label, text = self.images.page_info(doc.doc_id, page)
        except PageError as exc:
            raise NoPage(str(exc)) from exc
        boxes = [b for b in self.boxes(chunk_id).boxes if b.page == page] if chunk_id else []
        return PageResult(doc_id=doc_id, page=page, pages=count, label=label, text=text, chunk_id=chunk_id,
                          boxes=boxes, image_url=self.catalog.links.page_image(doc_id, page))

    def view(self, doc: Document, chunk: Chunk, page: int | None, zoom: int | None) -> dict | None:
        """What doc.html needs to show PDF pages with the chunk highlighted; None when there is no PDF."""
        if doc.format != "pdf" or chunk.page_start is None:
            return None
        try:
            pdf = self.images.pdf(doc.doc_id)
        except PageError:
            return None
        from mcdewey.pdf_geometry import PdfPages

        with PdfPages(pdf) as pages:
            count = len(pages)
            first = page if page and 1 <= page <= count else chunk.page_start
            last = first if page else min(chunk.page_end or first, first + MAX_PAGES_SHOWN - 1)
            shown = [{"page": n, "label": pages.label(n), "height": round(zoom_or(zoom) * h / w) if w else 0}
                     for n in range(first, last + 1) for w, h in [pages.size(n)]]
            prev_label = pages.label(first - 1) if first > 1 else None
            next_label = pages.label(last + 1) if last < count else None
        boxes = [b for b in self.boxes(chunk.chunk_id).boxes if first <= b.page <= last]
        return {"pages": shown, "count": count, "boxes": boxes, "zoom": zoom_or(zoom), "zooms": ZOOMS,
                "prev": first - 1 if first > 1 else None, "next": last + 1 if last < count else None,
                "prev_label": prev_label, "next_label": next_label}

    # --- HTTP handlers ---

    async def page_png(self, request: Request) -> Response:
        q = request.query_params
        try:
            width = int(q.get("width") or DEFAULT_WIDTH)
            data = await self.catalog.run(self.png, request.path_params["doc_id"], request.path_params["page"],
                                          width, q.get("chunk") or None)
        except ValueError as exc:
            status = exc.status if isinstance(exc, CatalogError) else 400
            return JSONResponse({"error": str(exc) if isinstance(exc, CatalogError) else "width must be a number"},
                                status_code=status)
        return Response(data, media_type="image/png", headers={"Cache-Control": "public, max-age=86400"})

    async def api_boxes(self, request: Request) -> Response:
        try:
            result = await self.catalog.run(self.boxes, request.path_params["chunk_id"])
        except CatalogError as exc:
            return JSONResponse({"error": str(exc)}, status_code=exc.status)
        return JSONResponse(result.model_dump(mode="json"))
