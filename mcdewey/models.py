"""The nouns every stage shares: documents with page and section spans, chunks, hits."""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from pathlib import PurePosixPath

# Extensions dropped from the last path part when a chunk_id is made; other names stay whole.
DOC_EXTENSIONS = (".pdf", ".html", ".htm", ".md", ".mdx", ".txt")


@dataclass(frozen=True)
class PageSpan:
    """Characters [start, end) of Document.text lie on this physical page (1-based)."""

    start: int
    end: int
    page: int
    label: str | None = None


@dataclass(frozen=True)
class SectionSpan:
    """Characters [start, end) of Document.text lie under this heading path."""

    start: int
    end: int
    path: tuple[str, ...]


@dataclass
class Document:
    """One normalized document of the library; headings appear in text as Markdown `#` lines."""

    doc_id: str  # path relative to the library root, POSIX separators
    vendor: str
    product: str
    version: str
    title: str
    text: str
    format: str  # pdf | html | markdown | mdx | text
    pages: list[PageSpan] = field(default_factory=list)
    sections: list[SectionSpan] = field(default_factory=list)

    def page_at(self, offset: int) -> PageSpan | None:
        """The page span holding character `offset`, or the nearest one before it."""
        return _span_at(self.pages, offset)

    def section_at(self, offset: int) -> tuple[str, ...]:
        """The heading path in force at character `offset` (empty before the first heading)."""
        span = _span_at(self.sections, offset)
        return span.path if span and span.start <= offset < span.end else ()

    @property
    def chunk_id_prefix(self) -> str:
        return chunk_id_prefix(self.doc_id)


def _span_at(spans: list, offset: int):
    if not spans:
        return None
    i = bisect.bisect_right([s.start for s in spans], offset) - 1
    return spans[max(i, 0)]


def chunk_id_prefix(doc_id: str) -> str:
    """`cisco/cucm/v15/guide/guide.pdf` -> `cucm::v15::guide::guide` (vendor dropped, doc extension dropped)."""
    parts = list(PurePosixPath(doc_id).parts[1:])
    last = parts[-1]
    suffix = PurePosixPath(last).suffix.lower()
    if suffix in DOC_EXTENSIONS:
        parts[-1] = last[: -len(suffix)]
    return "::".join(parts)


def make_chunk_id(doc_id: str, index: int) -> str:
    return f"{chunk_id_prefix(doc_id)}::{index}"


@dataclass(frozen=True)
class Chunk:
    """A contiguous piece of a document: `doc.text[start:end] == text`."""

    chunk_id: str
    doc_id: str
    vendor: str
    product: str
    version: str
    title: str
    start: int
    end: int
    page_start: int | None
    page_end: int | None
    page_label_start: str | None
    page_label_end: str | None
    section: tuple[str, ...]
    text: str
    tokens: int
    # What the embedder sees: text, optionally prefixed with title and section path.
    embed_text: str = ""
    # Position in its document (0, 1, 2, ...), stored as the table's `ord`: neighbours are found by it,
    # never by parsing the chunk id (ids from other tools need not end in a number).
    ord: int = 0

    @property
    def index(self) -> int:
        """The chunk's position in its document (`ord`)."""
        return self.ord

    @property
    def source(self) -> str:
        """The doc_id without its vendor: `cucm/v15/jtapi-dev-guide/jtapi-dev-guide.pdf`."""
        return self.doc_id.split("/", 1)[1]


@dataclass(frozen=True)
class Filters:
    """Restrict a search to part of the library; every set field must match."""

    vendor: str | None = None
    product: str | None = None
    version: str | None = None
    doc_prefix: str | None = None

    def is_empty(self) -> bool:
        return not (self.vendor or self.product or self.version or self.doc_prefix)


@dataclass(frozen=True)
class Hit:
    """One ranked search result."""

    rank: int
    score: float
    chunk: Chunk
    versions: tuple[str, ...] = ()  # every version holding this passage, oldest first (mcdewey.versions)
    copies: tuple[Chunk, ...] = ()  # the same passage in other versions or other documents

    def to_dict(self) -> dict:
        c = self.chunk
        return {
            "rank": self.rank,
            "score": self.score,
            "chunk_id": c.chunk_id,
            "doc_id": c.doc_id,
            "vendor": c.vendor,
            "product": c.product,
            "version": c.version,
            "title": c.title,
            "page_start": c.page_start,
            "page_end": c.page_end,
            "page_label_start": c.page_label_start,
            "page_label_end": c.page_label_end,
            "section": list(c.section),
            "source": c.source,
            "start": c.start,
            "end": c.end,
            "text": c.text,
            "versions": list(self.versions) or [c.version],
            "also_in": [{"version": o.version, "chunk_id": o.chunk_id, "doc_id": o.doc_id} for o in self.copies],
        }


def excerpt(text: str, n: int, flatten: bool = True) -> str:
    """The first `n` characters of `text` (whitespace runs made single spaces unless `flatten` is off),
    ending in "…" when cut: the one way tables, reports and cards shorten chunk text."""
    flat = " ".join(text.split()) if flatten else text
    return flat if len(flat) <= n else flat[: n - 1] + "…"
