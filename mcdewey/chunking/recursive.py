"""`recursive`: split at the largest boundary that keeps chunks under the token budget, merge small ones."""

from __future__ import annotations

import re
from dataclasses import dataclass

from mcdewey.chunking.base import register
from mcdewey.chunking.layout import Layout
from mcdewey.models import Chunk, Document
from mcdewey.tokens import get_tokenizer

# Boundaries from largest to smallest; each cut falls where the next piece begins. Headings come
# from the Layout, and after words only token boundaries remain.
PARAGRAPH = re.compile(r"\n[^\S\n]*\n\s*")
LINE = re.compile(r"\n\s*")
SENTENCE = re.compile(r"[.!?][\"'\u201d\u2019)\]]*\s+")
WORD = re.compile(r"\s+")
LEVELS = ("heading", PARAGRAPH, LINE, SENTENCE, WORD)

Span = tuple[int, int]


@register("recursive")
@dataclass(frozen=True)
class RecursiveChunker:
    """Split at headings, then paragraphs, lines, sentences, words, tokens; merge neighbours that fit.

    A heading line starts a chunk where possible: a piece under `min_tokens` before a piece that
    must be split (a heading before a long section) is split together with it, and a chunk
    still under `min_tokens` at the end is merged with a neighbour that leaves room for it.
    """

    max_tokens: int = 200  # chunk text bound, in tokens of the model's tokenizer
    min_tokens: int = 50  # chunks smaller than this are merged with a neighbour when it fits
    context: bool = True  # prefix embed_text with "Title > Section path" (measured: docs/retrieval-quality.md)
    model: str | None = None  # embedding model whose tokenizer counts tokens (None: bundled MiniLM)

    def __post_init__(self) -> None:
        check_sizes(self.max_tokens, self.min_tokens)

    def chunk(self, doc: Document) -> list[Chunk]:
        layout = Layout(doc, get_tokenizer(self.model), self.max_tokens, self.context)
        return layout.chunks(split_spans(layout, 0, len(doc.text), self.min_tokens))


def check_sizes(max_tokens: int, min_tokens: int = 0) -> None:
    if max_tokens < 1:
        raise ValueError(f"max_tokens must be at least 1, got {max_tokens}")
    if not 0 <= min_tokens <= max_tokens:
        raise ValueError(f"min_tokens must be between 0 and max_tokens, got {min_tokens}")


def split_spans(layout: Layout, start: int, end: int, min_tokens: int = 0, level: int = 0) -> list[Span]:
    """Cover text[start:end] with spans that each fit the budget, preferring large boundaries."""
    spans = _split(layout, start, end, level, min_tokens)
    return merge_small(layout, spans, min_tokens)


def _split(layout: Layout, start: int, end: int, level: int, min_tokens: int) -> list[Span]:
    if layout.fits(start, end):
        return [(start, end)]
    if level >= len(LEVELS):
        return hard_split(layout, start, end)
    cuts = _cuts(layout, start, end, LEVELS[level])
    if not cuts:
        return _split(layout, start, end, level + 1, min_tokens)
    out: list[Span] = []
    buf: Span | None = None
    for piece in glue_headings(layout, list(zip([start, *cuts], [*cuts, end]))):
        if layout.fits(*piece):
            if buf and layout.fits(buf[0], piece[1]):
                buf = (buf[0], piece[1])
            else:
                out += [buf] if buf else []
                buf = piece
            continue
        first = piece[0]
        if buf and (layout.tokens(*buf) < min_tokens or layout.heading_only(*buf)):
            first = buf[0]  # a short lead-in (a heading) stays with the text it introduces
        elif buf:
            out.append(buf)
        buf = None
        out += _split(layout, first, piece[1], level + 1, min_tokens)
    return out + ([buf] if buf else [])


def glue_headings(layout: Layout, pieces: list[Span]) -> list[Span]:
    """Join each piece that is only a heading line to the piece after it: headings lead, never trail."""
    out: list[Span] = []
    lead: int | None = None
    for a, b in pieces:
        if layout.heading_only(a, b):
            lead = a if lead is None else lead
            continue
        out.append((a if lead is None else lead, b))
        lead = None
    if lead is not None:
        out.append((lead, pieces[-1][1]))
    return out


def _cuts(layout: Layout, start: int, end: int, level) -> list[int]:
    if level == "heading":
        return layout.cuts(layout.heading_starts, start, end)
    return [m.end() for m in level.finditer(layout.text, start, end) if start < m.end() < end]


def hard_split(layout: Layout, start: int, end: int) -> list[Span]:
    """Cut at token boundaries: text without any boundary larger than a token."""
    starts = layout.token_starts
    i, j = layout.token_index(start), layout.token_index(end)
    out: list[Span] = []
    a = start
    while j - i > layout.budget(a):
        i += layout.budget(a)
        out.append((a, starts[i]))
        a = starts[i]
    return out + [(a, end)]


def merge_small(layout: Layout, spans: list[Span], min_tokens: int) -> list[Span]:
    """Merge each span under `min_tokens` into its next neighbour, else its previous one, if it fits."""
    if min_tokens <= 0 or len(spans) < 2:
        return spans
    out: list[Span] = []
    i = 0
    while i < len(spans):
        a, b = spans[i]
        while layout.tokens(a, b) < min_tokens and i + 1 < len(spans) and layout.fits(a, spans[i + 1][1]):
            i += 1
            b = spans[i][1]
        if out and layout.tokens(a, b) < min_tokens and layout.fits(out[-1][0], b):
            a = out.pop()[0]
        out.append((a, b))
        i += 1
    return out
