"""Small hand-built Documents for chunking tests, and a hypothesis strategy that generates them."""

from __future__ import annotations

from dataclasses import dataclass, field

from hypothesis import strategies as st

from mcdewey.models import Document, PageSpan, SectionSpan


@dataclass
class DocBuilder:
    """Writes blocks like the readers do (blank line between blocks) and records page/section spans."""

    doc_id: str = "acme/widget/1.0/guide/guide.pdf"
    title: str = "Widget Guide"
    emit_headings: bool = True
    parts: list[str] = field(default_factory=list)
    pages: list[PageSpan] = field(default_factory=list)
    sections: list[tuple[int, tuple[str, ...]]] = field(default_factory=list)
    stack: list[tuple[int, str]] = field(default_factory=list)

    @property
    def length(self) -> int:
        return sum(map(len, self.parts))

    def _append(self, text: str) -> int:
        if self.parts:
            self.parts.append("\n\n")
        start = self.length
        self.parts.append(text)
        return start

    def block(self, text: str) -> DocBuilder:
        self._append(text)
        return self

    def heading(self, level: int, title: str) -> DocBuilder:
        while self.stack and self.stack[-1][0] >= level:
            self.stack.pop()
        self.stack.append((level, title))
        path = tuple(t for _, t in self.stack)
        if self.emit_headings:
            start = self._append("#" * level + " " + title)
        else:
            start = self.length + (2 if self.parts else 0)
        self.sections.append((start, path))
        return self

    def page(self, number: int, label: str | None = None) -> DocBuilder:
        """Start a new physical page here (the previous one ends)."""
        start = self.length + (2 if self.parts else 0)
        if self.pages:
            last = self.pages[-1]
            self.pages[-1] = PageSpan(last.start, max(last.start, self.length), last.page, last.label)
        self.pages.append(PageSpan(start, start, number, label))
        return self

    def build(self) -> Document:
        text = "".join(self.parts)
        pages = list(self.pages)
        if pages:
            last = pages[-1]
            pages[-1] = PageSpan(min(last.start, len(text)), len(text), last.page, last.label)
        starts = [(min(s, len(text)), p) for s, p in self.sections]
        sections = [
            SectionSpan(s, starts[i + 1][0] if i + 1 < len(starts) else len(text), p)
            for i, (s, p) in enumerate(starts)
        ]
        parts = self.doc_id.split("/")
        return Document(
            doc_id=self.doc_id,
            vendor=parts[0],
            product=parts[1],
            version=parts[2],
            title=self.title,
            text=text,
            format="pdf" if pages else "markdown",
            pages=pages,
            sections=[s for s in sections if s.end > s.start],
        )


def prose(n_words: int, seed: int = 0) -> str:
    """Deterministic sentences of ordinary words."""
    vocab = "router packet table session kernel filter route peer export import protocol channel".split()
    words = [vocab[(i * 7 + seed) % len(vocab)] for i in range(n_words)]
    out = []
    for i, w in enumerate(words):
        out.append(w.capitalize() if i % 12 == 0 else w)
        if i % 12 == 11:
            out[-1] += "."
    return " ".join(out) + "."


# --- hypothesis ---------------------------------------------------------------------------
_word = st.one_of(
    st.sampled_from("the BGP route is filtered by peer AS 65000 kamailio SIP über naïve 日本語 テスト é — x".split()),
    st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789", min_size=1, max_size=40),
    st.text(alphabet="qxzjkvw", min_size=60, max_size=400),  # very long word
    st.text(min_size=1, max_size=6),  # any unicode, control characters and odd spaces included
)
_sentence = st.lists(_word, min_size=1, max_size=25).map(lambda ws: " ".join(ws) + st_end(ws))
_paragraph = st.lists(_sentence, min_size=1, max_size=8).map(" ".join)
_block = st.one_of(
    st.tuples(st.just("p"), _paragraph),
    st.tuples(st.just("p"), st.lists(_sentence, min_size=1, max_size=4).map("\n".join)),  # wrapped lines
    st.tuples(st.just("h"), st.tuples(st.integers(1, 3), st.text(min_size=1, max_size=30).map(lambda t: " ".join(t.split()) or "H"))),
    st.tuples(st.just("page"), st.none()),
)


def st_end(words: list[str]) -> str:
    return "." if len(words) % 3 else ""


@st.composite
def documents(draw) -> Document:
    """Documents with or without pages and headings, unicode, long words, and the empty document."""
    b = DocBuilder(title=draw(st.sampled_from(["Widget Guide", "", "Über ñ 日本"])),
                   emit_headings=draw(st.booleans()))
    with_pages = draw(st.booleans())
    if with_pages:
        b.page(1, "i")
    number = 1
    for kind, value in draw(st.lists(_block, max_size=25)):
        if kind == "p":
            b.block(value)
        elif kind == "h":
            b.heading(*value)
        elif with_pages:
            number += 1
            b.page(number, str(number - 1))
    return b.build()
