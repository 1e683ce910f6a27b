"""What every reader shares: the outcome exceptions, document identity and a text builder with spans."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from mcdewey.models import Document, PageSpan, SectionSpan


class SkipFile(Exception):
    """The file is not a document (an image, an asset, a PDF without text): counted, not an error."""

    @property
    def reason(self) -> str:
        return str(self.args[0]) if self.args else "skipped"


class ReadError(Exception):
    """The file should be a document but cannot be read (corrupt, encrypted, empty, too large)."""

    @property
    def reason(self) -> str:
        return str(self.args[0]) if self.args else "unreadable"


@dataclass(frozen=True)
class DocInfo:
    """Where a document sits in the library; the readers copy it into the Document."""

    doc_id: str
    vendor: str
    product: str
    version: str

    def document(self, title: str, text: str, fmt: str, pages=(), sections=()) -> Document:
        return Document(
            doc_id=self.doc_id,
            vendor=self.vendor,
            product=self.product,
            version=self.version,
            title=title,
            text=text,
            format=fmt,
            pages=list(pages),
            sections=list(sections),
        )


_LIGATURES = str.maketrans({"\ufb00": "ff", "\ufb01": "fi", "\ufb02": "fl", "\ufb03": "ffi", "\ufb04": "ffl", "\ufb05": "st", "\ufb06": "st"})
# Control characters other than tab and newline never carry meaning in documentation text.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\u200b\ufeff\ufffe\uffff]")
_SPACES = re.compile(r"[ \t\xa0\u2000-\u200a\u202f\u205f\u3000]+")
_BLANKS = re.compile(r"\n{3,}")


def clean_inline(text: str) -> str:
    """One line of prose: whitespace runs collapsed, ligatures and control characters removed."""
    text = _CONTROL.sub("", unicodedata.normalize("NFC", text).translate(_LIGATURES))
    return _SPACES.sub(" ", text.replace("\n", " ").replace("\r", " ")).strip()


def clean_block(text: str, preformatted: bool = False) -> str:
    """A block of lines: each line cleaned (indentation kept when preformatted), blank runs squeezed."""
    text = _CONTROL.sub("", unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n")).translate(_LIGATURES))
    if preformatted:
        lines = [line.replace("\xa0", " ").rstrip() for line in text.expandtabs(8).split("\n")]
    else:
        lines = [_SPACES.sub(" ", line).strip() for line in text.split("\n")]
    return _BLANKS.sub("\n\n", "\n".join(lines)).strip("\n")


@dataclass
class TextBuilder:
    """Assembles normalized text from blocks and headings, recording page and section spans as it goes."""

    parts: list[str] = field(default_factory=list)
    length: int = 0
    pages: list[PageSpan] = field(default_factory=list)
    _section_starts: list[tuple[int, tuple[str, ...]]] = field(default_factory=list)
    _stack: list[tuple[int, str]] = field(default_factory=list)
    _page: tuple[int, int, str | None] | None = None

    def _append(self, text: str) -> int:
        """Append `text` as a new block (blank line before it); returns where it starts."""
        if self.length:
            self.parts.append("\n\n")
            self.length += 2
        start = self.length
        self.parts.append(text)
        self.length += len(text)
        return start

    def block(self, text: str, preformatted: bool = False) -> None:
        text = clean_block(text, preformatted)
        if text.strip():
            self._append(text)

    def heading(self, level: int, title: str, emit: bool = True) -> None:
        """Open a section; with emit, the heading is written into the text as a Markdown `#` line."""
        title = clean_inline(title)
        if not title:
            return
        level = max(1, min(level, 6))
        while self._stack and self._stack[-1][0] >= level:
            self._stack.pop()
        self._stack.append((level, title))
        path = tuple(t for _, t in self._stack)
        if emit:
            start = self._append("#" * level + " " + title)
        else:
            start = self.length + (2 if self.length else 0)
        if self._section_starts and self._section_starts[-1][0] == start:
            self._section_starts.pop()  # an empty section is superseded by the one that follows it
        self._section_starts.append((start, path))

    def start_page(self, number: int, label: str | None) -> None:
        self.end_page()
        self._page = (self.length + (2 if self.length else 0), number, label)

    def end_page(self) -> None:
        if self._page is None:
            return
        start, number, label = self._page
        start = min(start, self.length)
        self.pages.append(PageSpan(start, max(start, self.length), number, label))
        self._page = None

    def build(self) -> tuple[str, list[PageSpan], list[SectionSpan]]:
        self.end_page()
        text = "".join(self.parts)
        starts = [(min(s, len(text)), p) for s, p in self._section_starts]
        sections = [
            SectionSpan(s, starts[i + 1][0] if i + 1 < len(starts) else len(text), p)
            for i, (s, p) in enumerate(starts)
        ]
        return text, self.pages, [s for s in sections if s.end > s.start]
