"""What the server shows of chunks, hits and the library: pydantic models shared by MCP, JSON API and pages."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from urllib.parse import quote

from pydantic import BaseModel, Field

from mcdewey.models import Chunk, Hit


@dataclass(frozen=True)
class Links:
    """Builds the URLs of chunk and doc-context pages; `base` is empty for site-relative links."""

    base: str = ""

    def chunk(self, chunk_id: str) -> str:
        return f"{self.base}/chunks/{quote(chunk_id, safe=':')}"

    def doc(self, doc_id: str, chunk_id: str | None = None) -> str:
        url = f"{self.base}/docs/{quote(doc_id, safe='/')}"
        # The fragment makes the browser scroll to the highlighted chunk even without JavaScript.
        return f"{url}?chunk={quote(chunk_id, safe=':')}#hit" if chunk_id else url

    def page_image(self, doc_id: str, page: int, width: int | None = None) -> str:
        """The rendered PDF page (1-based physical page)."""
        url = f"{self.base}/docs/{quote(doc_id, safe='/')}/pages/{page}.png"
        return f"{url}?width={width}" if width else url


class ChunkView(BaseModel):
    """One chunk with everything needed to cite it."""

    chunk_id: str = Field(description="Stable id; pass it to get_chunk / get_context or cite it.")
    doc_id: str = Field(description="Document path in the library, vendor first.")
    vendor: str
    product: str
    version: str
    title: str = Field(description="Document title.")
    source: str = Field(description="Document path without the vendor, e.g. cucm/v15/guide/guide.pdf.")
    page: int | None = Field(description="Physical page (1-based) where the chunk starts; null for unpaged documents.")
    page_end: int | None = Field(description="Physical page where the chunk ends.")
    page_label: str | None = Field(description="Page number printed on the page when it differs from `page`.")
    page_label_end: str | None = Field(description="Printed number of the last page, when the chunk spans pages.")
    section: list[str] = Field(description="Heading path above the chunk, outermost first.")
    text: str
    url: str = Field(description="Web page of this chunk.")
    context_url: str = Field(description="Web page showing the chunk inside its document.")


class AlsoIn(BaseModel):
    """Another copy of a hit's passage: in another version, or another document of the same version."""

    version: str
    chunk_id: str
    doc_id: str


class HitView(ChunkView):
    """A chunk ranked by a search."""

    rank: int
    score: float = Field(description="Relevance score; higher is better, comparable only within one search.")
    versions: list[str] = Field(default_factory=list, description="Every version holding this passage, oldest "
                                "first; the hit is shown from the newest the filters allow.")
    also_in: list[AlsoIn] = Field(default_factory=list, description="The other copies of this passage.")


class SearchResult(BaseModel):
    """The hits of one search_docs call, best first."""

    query: str
    mode: str
    filters: dict[str, str] = Field(description="The vendor / product / version filters applied.")
    hits: list[HitView]
    resolved_versions: dict[str, str] = Field(default_factory=dict,
                                              description="What version 'latest' resolved to, per product.")


class ContextResult(BaseModel):
    """A chunk with its neighbours in the same document, in document order."""

    chunk_id: str = Field(description="The chunk asked for.")
    doc_id: str
    chunks: list[ChunkView]


class VersionCount(BaseModel):
    version: str
    documents: int
    pages: int
    chunks: int


class ProductCount(BaseModel):
    product: str
    documents: int
    pages: int
    chunks: int
    versions: list[VersionCount]


class VendorCount(BaseModel):
    vendor: str
    documents: int
    pages: int
    chunks: int
    products: list[ProductCount]


class LibraryResult(BaseModel):
    """What the index holds: vendors -> products -> versions, with counts."""

    documents: int
    pages: int
    chunks: int
    vendors: list[VendorCount]


def page_label(chunk: Chunk) -> str | None:
    """The printed label of the first page, only when it says something the physical number does not."""
    label = chunk.page_label_start
    return label if label and label != str(chunk.page_start) else None


def chunk_view(chunk: Chunk, links: Links) -> ChunkView:
    return ChunkView(**_chunk_fields(chunk, links))


def hit_view(hit: Hit, links: Links) -> HitView:
    return HitView(rank=hit.rank, score=round(float(hit.score), 6), **_chunk_fields(hit.chunk, links),
                   versions=list(hit.versions) or [hit.chunk.version],
                   also_in=[AlsoIn(version=c.version, chunk_id=c.chunk_id, doc_id=c.doc_id) for c in hit.copies])


def _chunk_fields(chunk: Chunk, links: Links) -> dict:
    return {
        "chunk_id": chunk.chunk_id,
        "doc_id": chunk.doc_id,
        "vendor": chunk.vendor,
        "product": chunk.product,
        "version": chunk.version,
        "title": chunk.title,
        "source": chunk.source,
        "page": chunk.page_start,
        "page_end": chunk.page_end,
        "page_label": page_label(chunk),
        "page_label_end": chunk.page_label_end if page_label(chunk) and chunk.page_end != chunk.page_start else None,
        "section": list(chunk.section),
        "text": chunk.text,
        "url": links.chunk(chunk.chunk_id),
        "context_url": links.doc(chunk.doc_id, chunk.chunk_id),
    }


def library_result(rows: Iterable[Mapping], order: Mapping[str, list[str]] | None = None) -> LibraryResult:
    """Nest flat (vendor, product, version, documents, pages, chunks) rows into a tree with sums;
    versions newest first in `order` ({product: versions oldest first}) when given."""
    tree: dict[str, dict[str, list[VersionCount]]] = {}
    rank = {(p, v): -i for p, vs in (order or {}).items() for i, v in enumerate(vs)}
    for row in sorted(rows, key=lambda r: (r["vendor"], r["product"], rank.get((r["product"], r["version"]), 0),
                                           r["version"])):
        version = VersionCount(**{k: row[k] for k in ("version", "documents", "pages", "chunks")})
        tree.setdefault(row["vendor"], {}).setdefault(row["product"], []).append(version)
    vendors = []
    for vendor, products in tree.items():
        prods = [ProductCount(product=p, versions=vs, **_sums(vs)) for p, vs in products.items()]
        vendors.append(VendorCount(vendor=vendor, products=prods, **_sums(prods)))
    return LibraryResult(vendors=vendors, **_sums(vendors))


def _sums(items: list) -> dict[str, int]:
    return {k: sum(getattr(i, k) for i in items) for k in ("documents", "pages", "chunks")}


def citation(view: ChunkView) -> str:
    """`cucm/v15/guide/guide.pdf, page 262 (printed xii), § Intro > Setup`."""
    parts = [view.source]
    if view.page is not None:
        pages = f"page {view.page}" if view.page_end in (None, view.page) else f"pages {view.page}-{view.page_end}"
        if view.page_label:
            printed = view.page_label + (f"-{view.page_label_end}" if view.page_label_end else "")
            pages += f" (printed {printed})"
        parts.append(pages)
    if view.section:
        parts.append("§ " + " > ".join(view.section))
    return ", ".join(parts)


def render_search(result: SearchResult) -> str:
    """The readable text an assistant sees next to the structured hits."""
    if not result.hits:
        return f"No results for {result.query!r}" + (f" with filters {result.filters}." if result.filters else ".")
    head = f"{len(result.hits)} results for {result.query!r} ({result.mode}):\n\n"
    if result.resolved_versions:
        head = "version latest = " + ", ".join(f"{p} {v}" for p, v in result.resolved_versions.items()) + "; " + head
    blocks = []
    for hit in result.hits:
        blocks.append(
            f"[{hit.rank}] {hit.title} ({hit.vendor} {hit.product} {hit.version}) score {hit.score:.3f}\n"
            f"    {citation(hit)}\n    chunk_id {hit.chunk_id}\n    {hit.url}\n"
            + (f"    also in {', '.join(v for v in hit.versions if v != hit.version) or hit.version} "
               f"(versions {', '.join(hit.versions)})\n" if hit.also_in else "")
            + f"\n{hit.text.strip()}"
        )
    return head + "\n\n---\n\n".join(blocks)


def render_chunk(view: ChunkView) -> str:
    return (
        f"{view.title} ({view.vendor} {view.product} {view.version})\n{citation(view)}\n"
        f"chunk_id {view.chunk_id}\n{view.url}\n\n{view.text.strip()}"
    )


def render_context(result: ContextResult) -> str:
    marked = []
    for view in result.chunks:
        head = ">>> " if view.chunk_id == result.chunk_id else ""
        marked.append(f"{head}[{view.chunk_id}] {citation(view)}\n\n{view.text.strip()}")
    return "\n\n---\n\n".join(marked)


def render_library(result: LibraryResult) -> str:
    lines = [f"{result.documents} documents, {result.pages} pages, {result.chunks} chunks"]
    for v in result.vendors:
        lines.append(f"{v.vendor}: {v.documents} documents, {v.chunks} chunks")
        for p in v.products:
            versions = ", ".join(f"{x.version} ({x.documents} docs, {x.chunks} chunks)" for x in p.versions)
            lines.append(f"  {p.product}: {versions}")
    return "\n".join(lines)
