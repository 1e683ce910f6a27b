"""One document prepared for chunking: token offsets, headings, pages, sections and token budgets."""

from __future__ import annotations

import bisect
import re

from mcdewey.models import Chunk, Document, make_chunk_id
from mcdewey.tokens import Tokenizer

_HEADING_LINE = re.compile(r"^#{1,6}[ \t][^\n]*", re.MULTILINE)
_HEADINGS_ONLY = re.compile(r"(?:#{1,6}[ \t][^\n]*+\s*+)++")
_NON_SPACE = re.compile(r"\S")
# A chunk cut inside a word can gain a token when its text is tokenized on its own.
RETOKENIZE_MARGIN = 2


class Layout:
    """A document tokenized once; spans are measured in tokens by bisecting the token offsets.

    The token budget of a chunk is `max_tokens` of chunk text. With `context` on, the embedded text
    is "Title > Section > Sub" + blank line + text, and the budget shrinks where needed so that the
    prefix plus the text still fit the model input (`tokenizer.max_text_tokens`, less a margin of
    RETOKENIZE_MARGIN). A prefix longer than half the model input is cut to that half, so a chunk
    always keeps room for its own text. Without context, `max_tokens` above the model input is
    allowed (for keyword search); the model then embeds only the first part of such chunks.
    """

    def __init__(self, doc: Document, tokenizer: Tokenizer, max_tokens: int, context: bool = False):
        self.doc = doc
        self.text = doc.text
        self.tokenizer = tokenizer
        self.max_tokens = max_tokens
        self.context = context
        self.token_starts: list[int] = tokenizer.offset_arrays(doc.text)[0].tolist()
        self._page_starts = [p.start for p in doc.pages]
        self._section_starts = [s.start for s in doc.sections]
        self._heading_lines = [(m.start(), m.end()) for m in _HEADING_LINE.finditer(doc.text)]
        self._heading_line_end = dict(self._heading_lines)
        self.heading_starts = self._headings()
        self._prefixes = self._make_prefixes() if context else {}

    # --- measuring -------------------------------------------------------------------------
    def tokens(self, start: int, end: int) -> int:
        """Tokens that begin inside text[start:end]."""
        ts = self.token_starts
        return bisect.bisect_left(ts, end) - bisect.bisect_left(ts, start)

    def token_index(self, offset: int) -> int:
        """Index of the first token that begins at or after `offset`."""
        return bisect.bisect_left(self.token_starts, offset)

    def budget(self, start: int) -> int:
        """Most tokens of text a chunk starting at `start` may hold."""
        if not self.context:
            return self.max_tokens
        _, prefix_tokens = self.prefix(self.section(self.skip_space(start)))
        room = self.tokenizer.max_text_tokens - prefix_tokens - RETOKENIZE_MARGIN
        return max(1, min(self.max_tokens, room))

    def fits(self, start: int, end: int) -> bool:
        return self.tokens(start, end) <= self.budget(start)

    # --- positions -------------------------------------------------------------------------
    def skip_space(self, pos: int) -> int:
        if pos < len(self.text) and not self.text[pos].isspace():
            return pos
        m = _NON_SPACE.search(self.text, pos)
        return m.start() if m else len(self.text)

    def trim(self, start: int, end: int) -> tuple[int, int]:
        """The span without whitespace at its edges (empty when it holds only whitespace)."""
        text = self.text
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        return start, end

    def heading_only(self, start: int, end: int) -> bool:
        """True when text[start:end] holds nothing but heading lines (and whitespace)."""
        start, end = self.trim(start, end)
        return start < end and _HEADINGS_ONLY.fullmatch(self.text, start, end) is not None

    def cuts(self, positions: list[int], start: int, end: int) -> list[int]:
        """The sorted `positions` strictly inside (start, end)."""
        i = bisect.bisect_right(positions, start)
        j = bisect.bisect_left(positions, end)
        return positions[i:j]

    def _headings(self) -> list[int]:
        """Where sections begin: Markdown heading lines, and section starts no heading line announces."""
        starts = {a for a, _ in self._heading_lines}
        ends = [b for _, b in self._heading_lines]
        for s in self._section_starts:
            i = bisect.bisect_right(ends, s) - 1
            announced = i >= 0 and not self.text[ends[i] : s].strip()
            if s > 0 and not announced:
                starts.add(s)
        return sorted(starts)

    # --- metadata --------------------------------------------------------------------------
    def section(self, start: int) -> tuple[str, ...]:
        """The heading path of a chunk starting at `start` (a leading heading line counts)."""
        line_end = self._heading_line_end.get(start)
        if line_end is not None:
            start = min(line_end + 1, max(len(self.text) - 1, 0))
        i = bisect.bisect_right(self._section_starts, start) - 1
        if i < 0:
            return ()
        span = self.doc.sections[i]
        return span.path if span.start <= start < span.end else ()

    def prefix(self, section: tuple[str, ...]) -> tuple[str, int]:
        """The context prefix for `section` and its token count ("" and 0 without context)."""
        if not self.context:
            return "", 0
        if section not in self._prefixes:
            self._prefixes.update(self._make_prefixes([section]))
        return self._prefixes[section]

    def _make_prefixes(self, sections=None) -> dict[tuple[str, ...], tuple[str, int]]:
        """Prefixes of every section path (one batch through the tokenizer)."""
        sections = list(sections or {(), *(s.path for s in self.doc.sections)})
        heads = [self._head(section) for section in sections]
        counts = self.tokenizer.count_batch(heads)
        room = self.tokenizer.max_text_tokens // 2
        out = {}
        for section, head, count in zip(sections, heads, counts):
            if count > room:
                head = head[: self.tokenizer.offsets(head)[room - 1][1]]
            out[section] = (head + "\n\n" if head else "", min(count, room))
        return out

    def _head(self, section: tuple[str, ...]) -> str:
        """`Title > Section > Sub`, without empty or repeated parts."""
        parts: list[str] = []
        for part in (self.doc.title, *section):
            part = " ".join(part.split())
            if part and (not parts or parts[-1].casefold() != part.casefold()):
                parts.append(part)
        return " > ".join(parts)

    def page(self, offset: int):
        i = bisect.bisect_right(self._page_starts, offset) - 1
        return self.doc.pages[max(i, 0)] if self.doc.pages else None

    # --- output ----------------------------------------------------------------------------
    def chunks(self, spans: list[tuple[int, int]]) -> list[Chunk]:
        """Chunks for `spans` in order, trimmed of edge whitespace; empty spans are dropped."""
        out: list[Chunk] = []
        for start, end in spans:
            start, end = self.trim(start, end)
            if start < end:
                out.append(self.make_chunk(len(out), start, end))
        return out

    def make_chunk(self, index: int, start: int, end: int) -> Chunk:
        """The Chunk for text[start:end], numbered `index` in its document."""
        doc = self.doc
        first, last = self.page(start), self.page(max(start, end - 1))
        section = self.section(start)
        text = self.text[start:end]
        prefix, _ = self.prefix(section)
        return Chunk(
            chunk_id=make_chunk_id(doc.doc_id, index),
            doc_id=doc.doc_id,
            vendor=doc.vendor,
            product=doc.product,
            version=doc.version,
            title=doc.title,
            start=start,
            end=end,
            page_start=first.page if first else None,
            page_end=last.page if last else None,
            page_label_start=first.label if first else None,
            page_label_end=last.label if last else None,
            section=section,
            text=text,
            tokens=self.tokens(start, end),
            embed_text=prefix + text,
            ord=index,
        )


def make_chunk(doc: Document, index: int, start: int, end: int, tokenizer: Tokenizer, context: bool = False) -> Chunk:
    """One Chunk of `doc` outside a strategy (tokenizes the document: use Layout for many)."""
    return Layout(doc, tokenizer, tokenizer.max_text_tokens, context).make_chunk(index, start, end)
