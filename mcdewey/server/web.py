"""The pages people read (search, chunk, document in context) and the small JSON API behind them."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path

from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates

from mcdewey.models import Chunk, Document
from mcdewey.vocabulary import MODES
from mcdewey.server.catalog import MAX_LIMIT, Catalog, CatalogError
from mcdewey.server.page_views import PdfFront
from mcdewey.server.passages import cards
from mcdewey.server.views import Links, chunk_view, citation, page_label

HERE = Path(__file__).parent
_HEADING = re.compile(r"^#{1,6} .*$", re.M)
# Chunks shown on each side of the highlighted one on the doc-context page.
CONTEXT_CHUNKS = 4


def make_templates() -> Jinja2Templates:
    templates = Jinja2Templates(directory=HERE / "templates")  # autoescapes .html: document text stays text
    templates.env.globals.update(links=Links(), citation=citation, page_label=page_label, modes=MODES)
    return templates


def login_page(request: Request, status: int, wrong: bool = False) -> Response:
    """The token form the guard shows a browser without the token (server.guard.LoginPage)."""
    return _templates().TemplateResponse(request, "login.html", {"index_name": "locked", "wrong": wrong},
                                         status_code=status)


@functools.cache
def _templates() -> Jinja2Templates:
    return make_templates()


def web_routes(catalog: Catalog) -> list[Route | Mount]:
    """Routes of the pages, the JSON API and the static assets."""
    pages = Pages(catalog, make_templates())
    return [
        Route("/", pages.search_page, name="search"),
        Route("/chunks/{chunk_id}", pages.chunk_page, name="chunk"),
        Route("/docs/{doc_id:path}/pages/{page:int}.png", pages.pdf.page_png, name="page_image"),
        Route("/api/chunks/{chunk_id}/boxes", pages.pdf.api_boxes),
        Route("/docs/{doc_id:path}", pages.doc_page, name="doc"),
        Route("/compare", pages.compare_page, name="compare"),
        Route("/api/compare", pages.api_compare),
        Route("/api/search", pages.api_search),
        Route("/api/chunks/{chunk_id}", pages.api_chunk),
        Route("/api/context/{chunk_id}", pages.api_context),
        Route("/api/library", pages.api_library),
        Route("/healthz", pages.healthz),
        Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
    ]


@dataclass
class Segment:
    """A run of document text on the doc-context page; `page` set means a page marker precedes it."""

    text: str
    marked: bool = False
    page: int | None = None
    label: str | None = None
    anchor: bool = False  # the first marked run carries id="hit", the scroll target

    def runs(self) -> list[tuple[str, bool]]:
        """The text cut into (text, is_heading) runs, so Markdown heading lines can stand out."""
        out, pos = [], 0
        for m in _HEADING.finditer(self.text):
            out += [(self.text[pos:m.start()], False), (m.group(0), True)]
            pos = m.end()
        return [r for r in out + [(self.text[pos:], False)] if r[0]]


def doc_segments(doc: Document, lo: int, hi: int, mark: tuple[int, int]) -> list[Segment]:
    """Split doc.text[lo:hi] at page starts and at the marked chunk's bounds."""
    page_starts = {p.start: p for p in doc.pages if lo < p.start < hi}
    cuts = sorted({lo, hi, *page_starts, *(m for m in mark if lo < m < hi)})
    first = doc.page_at(lo)
    out: list[Segment] = []
    for a, b in zip(cuts, cuts[1:]):
        page = page_starts.get(a) or (first if a == lo else None)
        marked = mark[0] <= a and b <= mark[1]
        out.append(Segment(
            text=doc.text[a:b], marked=marked, page=page.page if page else None,
            label=page.label if page else None, anchor=marked and not any(s.marked for s in out),
        ))
    return out


class Pages:
    """Request handlers; all lookups go through the catalog, so ids never touch the file system."""

    def __init__(self, catalog: Catalog, templates: Jinja2Templates):
        self.catalog = catalog
        self.templates = templates
        self.pdf = PdfFront(catalog)

    def _render(self, request: Request, name: str, status: int = 200, **context) -> Response:
        context.setdefault("index_name", self.catalog.index.manifest.name or "index")
        return self.templates.TemplateResponse(request, name, context, status_code=status)

    def _error(self, request: Request, exc: CatalogError) -> Response:
        return self._render(request, "error.html", status=exc.status, message=str(exc))

    async def search_page(self, request: Request) -> Response:
        form = _search_args(request)
        result, error = None, None
        if form["query"]:
            try:
                result = await self.catalog.run(self.catalog.search, *form.values())
            except CatalogError as exc:
                error = str(exc)
        library = await self.catalog.run(self.catalog.library)
        groups = cards(result.hits, result.query) if result else []
        return self._render(request, "search.html", status=400 if error else 200, form=form,
                            result=result, groups=groups, error=error, library=library, max_limit=MAX_LIMIT)

    async def chunk_page(self, request: Request) -> Response:
        try:
            view = await self.catalog.run(self.catalog.chunk_view, request.path_params["chunk_id"])
        except CatalogError as exc:
            return self._error(request, exc)
        return self._render(request, "chunk.html", chunk=view)

    async def doc_page(self, request: Request) -> Response:
        doc_id = request.path_params["doc_id"]
        chunk_id = request.query_params.get("chunk")
        try:
            doc = await self.catalog.run(self.catalog.document, doc_id)
            if not chunk_id:
                first = await self.catalog.run(self.catalog.index.doc_chunks, doc_id)
                if first:
                    return RedirectResponse(Links().doc(doc_id, first[0].chunk_id), status_code=302)
            window = await self.catalog.run(self.catalog.neighbours, chunk_id, CONTEXT_CHUNKS, CONTEXT_CHUNKS)
        except CatalogError as exc:
            return self._error(request, exc)
        target = next((c for c in window if c.chunk_id == chunk_id), None)
        if target is None or target.doc_id != doc.doc_id:
            return self._error(request, _NotInDoc(f"chunk {chunk_id!r} is not part of {doc_id!r}"))
        q = request.query_params
        pdf = None if q.get("view") == "text" else await self.catalog.run(
            self.pdf.view, doc, target, _int(q.get("page"), 0), _int(q.get("zoom"), 0))
        return self._render(request, "doc.html", doc=doc, chunk=chunk_view(target, Links()), **_nav(window, target),
                            pdf=pdf,
                            segments=doc_segments(doc, window[0].start, max(c.end for c in window),
                                                  (target.start, target.end)))

    async def compare_page(self, request: Request) -> Response:
        """Two versions side by side: /compare?product=&from=&to=&q= (and &doc=)."""
        form = _compare_args(request)
        result, error = None, None
        if form["product"] or form["from_version"] or form["to_version"]:
            try:
                result = await self.catalog.run(self.catalog.compare, *form.values())
            except CatalogError as exc:
                error = str(exc)
        library = await self.catalog.run(self.catalog.library)
        return self._render(request, "compare.html", status=400 if error else 200, form=form, result=result,
                            error=error, library=library)

    async def api_compare(self, request: Request) -> Response:
        return await self._json(self.catalog.compare, *_compare_args(request).values())

    async def api_search(self, request: Request) -> Response:
        return await self._json(self.catalog.search, *_search_args(request).values())

    async def api_chunk(self, request: Request) -> Response:
        return await self._json(self.catalog.chunk_view, request.path_params["chunk_id"])

    async def api_context(self, request: Request) -> Response:
        q = request.query_params
        return await self._json(self.catalog.context, request.path_params["chunk_id"],
                                _int(q.get("before"), 1), _int(q.get("after"), 1))

    async def api_library(self, request: Request) -> Response:
        return await self._json(self.catalog.library)

    async def healthz(self, request: Request) -> Response:
        summary = await self.catalog.run(self.catalog.summary)
        return JSONResponse({"status": "ok", "index": summary})

    async def _json(self, fn, *args) -> Response:
        try:
            model = await self.catalog.run(fn, *args)
        except CatalogError as exc:
            return JSONResponse({"error": str(exc)}, status_code=exc.status)
        return JSONResponse(model.model_dump(mode="json"))


class _NotInDoc(CatalogError):
    status = 404


def _search_args(request: Request) -> dict:
    """Query-string arguments of a search, in Catalog.search's order."""
    q = request.query_params
    return {
        "query": q.get("q", "").strip(),
        "vendor": q.get("vendor") or None,
        "product": q.get("product") or None,
        "version": q.get("version") or None,
        "limit": _int(q.get("limit"), 10),
        "mode": q.get("mode") or "hybrid",
    }


def _compare_args(request: Request) -> dict:
    """Query-string arguments of a comparison, in Catalog.compare's order."""
    q = request.query_params
    return {
        "product": (q.get("product") or "").strip(),
        "from_version": (q.get("from") or "").strip(),
        "to_version": (q.get("to") or "").strip(),
        "query": q.get("q", "").strip() or None,
        "doc": q.get("doc") or None,
        "limit": _int(q.get("limit"), 20),
    }


def _int(raw: str | None, default: int) -> int:
    try:
        return int(raw) if raw not in (None, "") else default
    except ValueError:
        return -1  # out of every range, so the catalog answers with its limit message


def _nav(window: list[Chunk], target: Chunk) -> dict:
    i = window.index(target)
    return {
        "prev_chunk": window[i - 1] if i > 0 else None,
        "next_chunk": window[i + 1] if i + 1 < len(window) else None,
        "window": window,
    }
