"""`fixed`: windows of N tokens of the model's tokenizer, overlapping by a fixed number of tokens."""

from __future__ import annotations

from dataclasses import dataclass

from mcdewey.chunking.base import register
from mcdewey.chunking.layout import Layout
from mcdewey.models import Chunk, Document
from mcdewey.tokens import get_tokenizer


@register("fixed")
@dataclass(frozen=True)
class FixedChunker:
    """Consecutive windows of `max_tokens` tokens; window k+1 repeats the last `overlap` tokens of k.

    Windows cut wherever the count falls, mid-sentence or mid-word. Characters between two tokens
    (whitespace, or characters the tokenizer drops) belong to the window before them. With
    `context`, a window shrinks when its prefix would not otherwise fit the model input.
    """

    max_tokens: int = 200  # window size, in tokens of the model's tokenizer
    overlap: int = 40  # tokens shared by consecutive windows
    context: bool = True  # prefix embed_text with "Title > Section path" (measured: docs/retrieval-quality.md)
    model: str | None = None  # embedding model whose tokenizer counts tokens (None: bundled MiniLM)

    def __post_init__(self) -> None:
        if self.max_tokens < 1:
            raise ValueError(f"max_tokens must be at least 1, got {self.max_tokens}")
        if not 0 <= self.overlap < self.max_tokens:
            raise ValueError(f"overlap must be between 0 and max_tokens - 1, got {self.overlap}")

    def chunk(self, doc: Document) -> list[Chunk]:
        layout = Layout(doc, get_tokenizer(self.model), self.max_tokens, self.context)
        return layout.chunks(self.windows(layout))

    def windows(self, layout: Layout) -> list[tuple[int, int]]:
        """(start, end) of each window: from its first token to where the token after it begins."""
        starts = layout.token_starts
        n = len(starts)
        if n == 0:
            return [(0, len(layout.text))]  # no token (only whitespace or dropped characters)
        spans = []
        k = 0
        while True:
            begin = 0 if k == 0 else starts[k]  # the first window also holds any text before token 0
            size = layout.budget(begin)
            stop = k + size
            spans.append((begin, starts[stop] if stop < n else len(layout.text)))
            if stop >= n:
                return spans
            k = stop - min(self.overlap, size - 1)  # a prefix-shrunk window still advances
