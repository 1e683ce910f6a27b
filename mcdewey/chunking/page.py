"""`page`: one chunk per PDF page; one per section for documents without pages."""

from __future__ import annotations

from dataclasses import dataclass

from mcdewey.chunking.base import register
from mcdewey.chunking.layout import Layout
from mcdewey.chunking.recursive import split_spans
from mcdewey.chunking.section import SectionChunker, section_spans
from mcdewey.models import Chunk, Document
from mcdewey.tokens import get_tokenizer


@register("page")
@dataclass(frozen=True)
class PageChunker:
    """A chunk per physical page, never crossing pages.

    A page over `max_tokens` is split with the `recursive` rules inside the page, so most full
    PDF pages become two or three chunks at the default size. Documents without pages (HTML,
    Markdown, text) are chunked as by `section` with its default `min_tokens`: a chunk per heading
    section, tiny sections joined to the next, large ones split the same way.
    """

    max_tokens: int = 254  # pages larger than this are split (254 = MiniLM's input)
    context: bool = True  # prefix embed_text with "Title > Section path" (measured: docs/retrieval-quality.md)
    model: str | None = None  # embedding model whose tokenizer counts tokens (None: bundled MiniLM)

    def __post_init__(self) -> None:
        if self.max_tokens < 1:
            raise ValueError(f"max_tokens must be at least 1, got {self.max_tokens}")

    def chunk(self, doc: Document) -> list[Chunk]:
        layout = Layout(doc, get_tokenizer(self.model), self.max_tokens, self.context)
        end = len(doc.text)
        if not doc.pages:
            return layout.chunks(section_spans(layout, 0, end, SectionChunker.min_tokens))
        cuts = layout.cuts(sorted({p.start for p in doc.pages}), 0, end)
        spans: list[tuple[int, int]] = []
        for a, b in zip([0, *cuts], [*cuts, end]):
            spans += [(a, b)] if layout.fits(a, b) else split_spans(layout, a, b)
        return layout.chunks(spans)
