"""`section`: one chunk per heading section; large sections split recursively, tiny ones merged."""

from __future__ import annotations

from dataclasses import dataclass

from mcdewey.chunking.base import register
from mcdewey.chunking.layout import Layout
from mcdewey.chunking.recursive import check_sizes, glue_headings, split_spans
from mcdewey.models import Chunk, Document
from mcdewey.tokens import get_tokenizer

Span = tuple[int, int]


@register("section")
@dataclass(frozen=True)
class SectionChunker:
    """A chunk per section (from heading lines and the document's section spans).

    A section under `min_tokens`, or one that is only its heading, is merged with the next
    section; a section over `max_tokens` is split with the `recursive` rules inside it.
    """

    max_tokens: int = 254  # sections larger than this are split (254 = MiniLM's input)
    min_tokens: int = 50  # sections smaller than this are merged with the next one
    context: bool = True  # prefix embed_text with "Title > Section path" (measured: docs/retrieval-quality.md)
    model: str | None = None  # embedding model whose tokenizer counts tokens (None: bundled MiniLM)

    def __post_init__(self) -> None:
        check_sizes(self.max_tokens, self.min_tokens)

    def chunk(self, doc: Document) -> list[Chunk]:
        layout = Layout(doc, get_tokenizer(self.model), self.max_tokens, self.context)
        return layout.chunks(section_spans(layout, 0, len(doc.text), self.min_tokens))


def section_spans(layout: Layout, start: int, end: int, min_tokens: int) -> list[Span]:
    """Spans of text[start:end]: sections grouped and split so that each fits the budget."""
    out: list[Span] = []
    for a, b in _groups(layout, start, end, min_tokens):
        out += [(a, b)] if layout.fits(a, b) else split_spans(layout, a, b, min_tokens, level=1)
    return out


def _groups(layout: Layout, start: int, end: int, min_tokens: int) -> list[Span]:
    """Sections, each too-small one joined to the section after it (the last one to the one before)."""
    cuts = layout.cuts(layout.heading_starts, start, end)
    groups: list[Span] = []
    cur: Span | None = None
    for a, b in glue_headings(layout, list(zip([start, *cuts], [*cuts, end]))):
        if cur is not None and layout.tokens(*cur) < min_tokens:
            cur = (cur[0], b)
            continue
        if cur is not None:
            groups.append(cur)
        cur = (a, b)
    if cur is None:
        return groups
    if groups and layout.tokens(*cur) < min_tokens and layout.fits(groups[-1][0], cur[1]):
        return groups[:-1] + [(groups[-1][0], cur[1])]
    return groups + [cur]
