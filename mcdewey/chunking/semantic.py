"""`semantic`: cut where the embeddings of adjacent sentences stop being similar, within a token bound."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

import numpy as np

from mcdewey.chunking.base import register
from mcdewey.chunking.layout import Layout
from mcdewey.chunking.recursive import check_sizes, merge_small, split_spans
from mcdewey.models import Chunk, Document
from mcdewey.tokens import get_tokenizer

# Sentences end at . ! ? before whitespace, at blank lines and before headings; PDF line wraps
# inside a paragraph are not boundaries.
SENTENCE_END = re.compile(r"[.!?][\"'\u201d\u2019)\]]*\s+|\n[^\S\n]*\n\s*")
Span = tuple[int, int]
@register("semantic")
@dataclass(frozen=True)
class SemanticChunker:
    """Group consecutive sentences; start a new chunk where similarity to the next sentence drops.

    The drop is relative to the document: a gap between adjacent sentences is a breakpoint when
    its cosine distance is in the top (100 - `breakpoint_percentile`) % of the document's gaps.
    Headings are breakpoints too, and a heading is embedded together with the sentence after it. A
    chunk never exceeds `max_tokens` (longer sentences are split with the `recursive` rules); no
    breakpoint cuts a chunk below `min_tokens`, and chunks left smaller are merged with a neighbour
    that has room. `model` embeds the sentences
    (through `mcdewey.embeddings.get_embedder`, loaded on first use) and counts the tokens.
    """

    max_tokens: int = 200  # chunk text bound, in tokens of the model's tokenizer
    min_tokens: int = 50  # no breakpoint before a chunk has this many tokens
    breakpoint_percentile: float = 90.0  # gaps above this percentile of distances are breakpoints
    context: bool = True  # prefix embed_text with "Title > Section path" (measured: docs/retrieval-quality.md)
    model: str | None = None  # embedding model for sentences and tokens (None: bundled MiniLM)

    def __post_init__(self) -> None:
        check_sizes(self.max_tokens, self.min_tokens)
        if not 0.0 <= self.breakpoint_percentile <= 100.0:
            raise ValueError(f"breakpoint_percentile must be within 0..100, got {self.breakpoint_percentile}")

    def chunk(self, doc: Document) -> list[Chunk]:
        layout = Layout(doc, get_tokenizer(self.model), self.max_tokens, self.context)
        units = sentences(layout)
        if len(units) < 2:
            return layout.chunks(units)
        distances = self._distances(layout, units)
        threshold = float(np.percentile(distances, self.breakpoint_percentile))
        heads = set(layout.heading_starts)
        spans: list[Span] = []
        a, b = units[0]
        for (start, end), distance in zip(units[1:], distances):
            big_enough = layout.tokens(a, b) >= self.min_tokens
            breakpoint = big_enough and (distance > threshold or layout.skip_space(start) in heads)
            if breakpoint or not layout.fits(a, end):
                spans.append((a, b))
                a = start
            b = end
        spans.append((a, b))
        return layout.chunks(merge_small(layout, spans, self.min_tokens))

    def with_cache(self, cache) -> "SemanticChunker":
        """This chunker looking sentence vectors up in (and adding them to) `cache`, an EmbeddingCache:
        ingest passes the workspace's, so a grid over breakpoint_percentile or max_tokens embeds sentences once.
        The cache is not a parameter: it changes no chunk."""
        out = replace(self)
        object.__setattr__(out, "_cache", cache)
        return out

    def _distances(self, layout: Layout, units: list[Span]) -> np.ndarray:
        """Cosine distance between each sentence and the next."""
        from mcdewey.embeddings import CachedEmbedder, get_embedder

        embedder = get_embedder(self.model)
        cache = getattr(self, "_cache", None)
        if cache is not None:
            embedder = CachedEmbedder(embedder, cache)
        vectors = embedder.embed_documents([layout.text[a:b] for a, b in units])
        return 1.0 - np.einsum("ij,ij->i", vectors[:-1], vectors[1:])


def sentences(layout: Layout) -> list[Span]:
    """Trimmed sentence spans covering the text; sentences over the budget are split further."""
    text = layout.text
    cuts = {m.end() for m in SENTENCE_END.finditer(text)} | set(layout.heading_starts)
    cuts = sorted(c for c in cuts if 0 < c < len(text))
    out: list[Span] = []
    for a, b in zip([0, *cuts], [*cuts, len(text)]):
        pieces = [(a, b)] if layout.fits(a, b) else split_spans(layout, a, b, level=2)
        for start, end in (layout.trim(*p) for p in pieces):
            if start >= end:
                continue
            if out and layout.heading_only(*out[-1]) and layout.fits(out[-1][0], end):
                start = out.pop()[0]  # a heading is one unit with the sentence after it
            out.append((start, end))
    return out
