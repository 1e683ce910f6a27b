"""Snippets: the two or three sentences of a passage that best match a query, and the query's terms in it.

Plain text in, plain text out; marking terms in HTML is done by the renderer (mcdewey.server.passages),
which calls `term_pattern` on escaped text.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

STOPWORDS = frozenset("""a an and are as at be by can do does for from how i if in into is it its of on or
that the this to what when where which who why will with you your my we our not no""".split())
MAX_SENTENCE_CHARS = 260
_WORD = re.compile(r"[\w][\w.-]*\w|\w")
# Sentence ends: . ! ? followed by space and a capital/digit/quote, or a line break.
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[\"'(\[A-Z0-9`*])|\n+")
_LETTER = re.compile(r"[^\W\d_]")
_CODE_FENCE = re.compile(r"^(```|~~~).*?^\1[^\n]*$", re.S | re.M)


def query_terms(query: str) -> list[str]:
    """Casefolded words of the query worth marking: no stopwords, no one-letter words, no repeats."""
    out: list[str] = []
    for word in _WORD.findall(query.casefold()):
        if word not in STOPWORDS and len(word) > 1 and word not in out:
            out.append(word)
    return out


def _stem(term: str) -> str:
    for suffix in ("ing", "ed", "es", "s"):
        if term.endswith(suffix) and len(term) - len(suffix) >= 4:
            return term[: -len(suffix)]
    return term


def term_pattern(terms: list[str]) -> re.Pattern | None:
    """Matches a query term, or a word starting with its stem (`enable` marks `enabled`, `enables`)."""
    if not terms:
        return None
    alts = sorted({re.escape(_stem(t)) for t in terms}, key=len, reverse=True)
    return re.compile(r"(?<![\w&])(?:" + "|".join(alts) + r")[\w]*", re.I)


@dataclass(frozen=True)
class Sentence:
    start: int
    end: int
    text: str
    score: float


def sentences(text: str) -> list[Sentence]:
    """Sentences of the prose in `text` (fenced code blocks and heading lines left out), with offsets."""
    prose = _CODE_FENCE.sub(lambda m: "\n" * m.group(0).count("\n"), text)
    out, pos = [], 0
    for m in [*_SENTENCE_END.finditer(prose), None]:
        end = m.start() if m else len(prose)
        piece = prose[pos:end]
        stripped = piece.strip()
        if stripped and not stripped.startswith("#") and _LETTER.search(stripped):
            lead = len(piece) - len(piece.lstrip())
            out.append(Sentence(pos + lead, pos + lead + len(stripped), stripped, 0.0))
        pos = m.end() if m else len(prose)
    return out


def best_sentences(text: str, query: str, n: int = 3) -> list[str]:
    """Up to `n` sentences that hold the most distinct query terms, in passage order.

    When no sentence holds a term the passage's first sentences stand in. Long sentences are cut
    around their first matched term. The terms are found in one pass over the passage.
    """
    terms = query_terms(query)
    pattern = term_pattern(terms)
    found = sentences(text)
    if not found:
        return []
    scored = _scores(text, found, terms, pattern)
    ranked = sorted((x for x in scored if x[0] > 0), key=lambda x: (-x[0], x[1]))[:n]
    picked = sorted(i for _, i in ranked) or list(range(min(2, len(found))))
    return [_clip(found[i].text, pattern) for i in picked]


def _scores(text: str, found: list[Sentence], terms: list[str], pattern: re.Pattern | None) -> list[tuple[float, int]]:
    """(distinct terms + 0.01 per further match, sentence index) for every sentence."""
    if pattern is None:
        return [(0.0, i) for i in range(len(found))]
    stems = [_stem(t) for t in terms]
    starts = [s.start for s in found]
    distinct: list[set] = [set() for _ in found]
    count = [0] * len(found)
    for m in pattern.finditer(text):
        i = bisect.bisect_right(starts, m.start()) - 1
        if i < 0 or m.start() >= found[i].end:
            continue
        word = m.group(0).casefold()
        distinct[i].update(k for k, stem in enumerate(stems) if word.startswith(stem))
        count[i] += 1
    return [(len(d) + min(c, 6) * 0.01, i) for i, (d, c) in enumerate(zip(distinct, count))]


def _clip(sentence: str, pattern: re.Pattern | None) -> str:
    sentence = " ".join(sentence.split())
    if len(sentence) <= MAX_SENTENCE_CHARS:
        return sentence
    first = pattern.search(sentence) if pattern else None
    start = max(0, (first.start() if first else 0) - MAX_SENTENCE_CHARS // 3)
    start = sentence.rfind(" ", 0, start) + 1 if start else 0
    piece = sentence[start:start + MAX_SENTENCE_CHARS]
    piece = piece[: piece.rfind(" ")] if " " in piece[MAX_SENTENCE_CHARS // 2:] else piece
    return ("… " if start else "") + piece + " …"
