"""Resolve evidence quotes to character spans of Document.text by comparing letters and digits only."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from collections.abc import Callable

import numpy as np

from mcdewey.evaluate.queries import Evidence
from mcdewey.models import Document, PageSpan

# ASCII letters/digits in runs, or any single non-ASCII character (NFKC may turn it into letters).
_RUNS = re.compile(r"[0-9A-Za-z]+|[^\x00-\x7f]")
# Markup a reader may keep in Document.text but a person quoting rendered text leaves out.
_MARKUP = re.compile(
    r"\]\([^)\s]*(?:\s+\"[^\"]*\")?\)"  # Markdown link/image target: ](url "title")
    r"|<[A-Za-z/!][^<>\n]*>"  # HTML/XML tags and autolinks
    r"|&(?:[A-Za-z]+|#\d+|#x[0-9A-Fa-f]+);"  # character references left unescaped
)
STATUSES = ("ok", "wrong_page", "not_found", "missing_doc", "empty_quote")


def normalize(text: str) -> str:
    """Letters and digits of `text` after NFKC and case folding (the FORMAT.md matching rule)."""
    return NormText.build(text).text


@dataclass(frozen=True)
class NormText:
    """A normalized view of a text with the original offset of every normalized character."""

    text: str
    offsets: np.ndarray  # int64, len(text); original index of each normalized character

    @classmethod
    def build(cls, text: str) -> NormText:
        parts: list[str] = []
        offsets: list[int] = []
        for m in _RUNS.finditer(text):
            run = m.group()
            if run.isascii():
                parts.append(run.lower())
                offsets.extend(range(m.start(), m.end()))
                continue
            # One character at a time, so every output character maps back to one source character.
            for c in unicodedata.normalize("NFKC", run).casefold():
                if c.isalnum():
                    parts.append(c)
                    offsets.append(m.start())
        return cls("".join(parts), np.asarray(offsets, dtype=np.int64))

    def span(self, pos: int, length: int) -> tuple[int, int]:
        """Original [start, end) covering normalized characters [pos, pos + length)."""
        return int(self.offsets[pos]), int(self.offsets[pos + length - 1]) + 1

    def norm_range(self, start: int, end: int) -> tuple[int, int]:
        """Normalized [a, b) of the characters whose original offsets lie in [start, end)."""
        return (int(np.searchsorted(self.offsets, start, "left")),
                int(np.searchsorted(self.offsets, end, "left")))


@dataclass(frozen=True)
class Closest:
    """The best near-miss for a quote that did not resolve."""

    score: float  # 0..100, rapidfuzz ratio of the normalized quote and the normalized candidate
    start: int
    end: int
    page: int | None
    text: str


@dataclass(frozen=True)
class Resolution:
    """Where a piece of evidence lies in its document, or why it could not be placed."""

    evidence: Evidence
    status: str  # one of STATUSES
    start: int | None = None
    end: int | None = None
    page: int | None = None  # physical page the span starts on (PDFs)
    found_pages: tuple[int, ...] = ()  # for wrong_page: pages where the quote does occur
    closest: Closest | None = None
    # Other occurrences of the quote (on its labeled page when it has one), [start, end) each: a hit on
    # any of them is as relevant as one on [start, end). Empty for evidence placed by an offset (norm_hint).
    also: tuple[tuple[int, int], ...] = ()

    @property
    def ok(self) -> bool:
        return self.status == "ok"

    def spans(self) -> list[tuple[int, int]]:
        """Every [start, end) a relevant hit may overlap: the resolved span, then the other occurrences."""
        return [(self.start, self.end), *self.also] if self.usable else []

    @property
    def usable(self) -> bool:
        """A span to score against exists (on the labeled page or, failing that, elsewhere)."""
        return self.start is not None

    def message(self) -> str:
        """One line for `eval check`: what failed and the closest match."""
        ev = self.evidence
        where = f"{ev.doc}" + (f" p.{ev.page}" if ev.page else "")
        if self.status == "missing_doc":
            return f"{where}: document is not in the index"
        if self.status == "empty_quote":
            return f"{where}: quote has no letters or digits"
        if self.status == "wrong_page":
            return f"{where}: quote found on page(s) {list(self.found_pages)}, not on page {ev.page}"
        text = f"{where}: quote not found: {ev.quote[:80]!r}"
        if self.closest:
            c = self.closest
            page = f" p.{c.page}" if c.page else ""
            text += f"; closest ({c.score:.0f}%){page} at {c.start}: {_oneline(c.text)[:120]!r}"
        return text


def _oneline(text: str) -> str:
    return " ".join(text.split())


class SpanResolver:
    """Resolves evidence against documents fetched once each through `get_document`."""

    def __init__(self, get_document: Callable[[str], Document | None]):
        self._get = get_document
        self._docs: dict[str, Document | None] = {}
        self._views: dict[tuple[str, bool], NormText] = {}

    def document(self, doc_id: str) -> Document | None:
        if doc_id not in self._docs:
            self._docs[doc_id] = self._get(doc_id)
        return self._docs[doc_id]

    def view(self, doc: Document, strip_markup: bool = False) -> NormText:
        key = (doc.doc_id, strip_markup)
        if key not in self._views:
            text = _MARKUP.sub(lambda m: " " * len(m.group()), doc.text) if strip_markup else doc.text
            self._views[key] = NormText.build(text)
        return self._views[key]

    def resolve(self, ev: Evidence) -> Resolution:
        """The span of `ev.quote` in its document; on its labeled page when it has one."""
        doc = self.document(ev.doc)
        if doc is None:
            return Resolution(ev, "missing_doc")
        needle = normalize(ev.quote)
        if not needle:
            return Resolution(ev, "empty_quote")
        for strip in (False, True):
            found = _locate(doc, self.view(doc, strip), needle, ev)
            if found:
                return found
        return Resolution(ev, "not_found", closest=closest_match(doc, self.view(doc), needle, ev.page))


def _locate(doc: Document, view: NormText, needle: str, ev: Evidence) -> Resolution | None:
    hits = _occurrences(view.text, needle)
    if not hits:
        return None
    page_span = _page(doc, ev.page)
    if page_span is not None:
        a, b = view.norm_range(page_span.start, page_span.end)
        # The quote must start on the labeled page; it may run on across the page break.
        on_page = [p for p in hits if a <= p < b]
        if not on_page:
            pos = hits[0]
            start, end = view.span(pos, len(needle))
            pages = tuple(sorted({_page_no(doc, view.span(p, len(needle))[0]) for p in hits} - {None}))
            return Resolution(ev, "wrong_page", start, end, _page_no(doc, start), found_pages=pages,
                              also=_also(view, hits, pos, len(needle)))
        hits = on_page
    pos = hits[0]
    if ev.norm_hint is not None:
        # An offset label names one occurrence (TeleQuAD: a short answer such as "3" occurs all over).
        pos = min(hits, key=lambda p: abs(p - ev.norm_hint))
        hits = [pos]
    start, end = view.span(pos, len(needle))
    return Resolution(ev, "ok", start, end, _page_no(doc, start), also=_also(view, hits, pos, len(needle)))


def _also(view: NormText, hits: list[int], pos: int, length: int) -> tuple[tuple[int, int], ...]:
    """The original spans of every occurrence but `pos` (a repeated note, a boilerplate section)."""
    return tuple(view.span(p, length) for p in hits if p != pos)


def _occurrences(haystack: str, needle: str, limit: int = 1000) -> list[int]:
    out, pos = [], haystack.find(needle)
    while pos != -1 and len(out) < limit:
        out.append(pos)
        pos = haystack.find(needle, pos + 1)
    return out


def _page(doc: Document, page: int | None):
    if page is None or not doc.pages:
        return None
    spans = [s for s in doc.pages if s.page == page]
    if not spans:
        return _EMPTY_PAGE  # a page the document does not have: nothing can start on it
    return PageSpan(min(s.start for s in spans), max(s.end for s in spans), page)


class _EmptyPage:
    start = end = -1


_EMPTY_PAGE = _EmptyPage()


def _page_no(doc: Document, offset: int) -> int | None:
    span = doc.page_at(offset) if doc.pages else None
    return span.page if span else None


def closest_match(doc: Document, view: NormText, needle: str, page: int | None = None) -> Closest | None:
    """The best candidate position for an unresolved quote: longest matching prefix or suffix,
    or a fuzzy alignment within its page (or the whole document when it is small)."""
    from rapidfuzz import fuzz

    hay = view.text
    if not hay:
        return None
    candidates: set[int] = set()
    pre = _longest_affix(hay, needle, prefix=True)
    if pre:
        candidates.add(hay.find(needle[:pre]))
    suf = _longest_affix(hay, needle, prefix=False)
    if suf:
        candidates.add(max(0, hay.find(needle[-suf:]) + suf - len(needle)))
    lo, hi = 0, len(hay)
    span = _page(doc, page)
    if span is not None and span is not _EMPTY_PAGE:
        lo, hi = view.norm_range(span.start, span.end)
        hi = min(len(hay), hi + len(needle))  # the quote may run over the page break
    if hi - lo <= 200_000:
        al = fuzz.partial_ratio_alignment(needle, hay[lo:hi])
        if al is not None and al.score > 0:
            candidates.add(lo + al.dest_start)
    best = max(candidates, key=lambda p: fuzz.ratio(needle, hay[p:p + len(needle)]), default=None)
    if best is None:
        return None
    length = max(1, min(len(needle), len(hay) - best))
    start, end = view.span(best, length)
    score = fuzz.ratio(needle, hay[best:best + len(needle)])
    return Closest(score=score, start=start, end=end, page=_page_no(doc, start), text=doc.text[start:end])


def _longest_affix(hay: str, needle: str, prefix: bool) -> int:
    """Length of the longest prefix (or suffix) of `needle` that occurs in `hay`."""
    lo, hi = 0, len(needle)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        part = needle[:mid] if prefix else needle[-mid:]
        if part in hay:
            lo = mid
        else:
            hi = mid - 1
    return lo
