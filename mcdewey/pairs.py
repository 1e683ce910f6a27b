"""Training pairs a library gives without labels, and the guard that keeps evaluation text out of them.

Three kinds, mined from the readers' section spans and the text under them:
- ``section``: "product: title > section path" -> the passage under that heading;
- ``faq``: a heading that asks a question -> the answer under it;
- ``identifier``: a parameter, option or function name (a heading such as ``3.1. natping_interval
  (integer)``, or a definition line such as ``* `ActionID` - ...``) -> its description.
"""

from __future__ import annotations

import random
import re
import unicodedata
from bisect import bisect_right
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from mcdewey.models import Document

KINDS = ("section", "faq", "identifier")
MIN_PASSAGE_CHARS = 80
MAX_PASSAGE_CHARS = 1200  # about 250 tokens: the bundled model reads 256
MIN_DESCRIPTION_CHARS = 40

_QUESTION_START = re.compile(
    r"^(how|what|why|when|where|which|who|can|could|does|do|did|is|are|should|will|would|may|must|i)\b", re.I)
_NUMBERING = r"(?:\d+(?:\.\d+)*\.?\s+)?"
# An identifier has a joint (_ . : / ::) inside or is camelCase; an optional "(type)" may follow. A hyphen
# is no joint: "Set-up" and "Auto-Accept" are words. "e.g." and "i.e." are not identifiers either.
# Parts are letters and digits only, so each character has one way to match (no catastrophic backtracking).
_IDENT = r"`?((?!(?:e\.g|i\.e)\b)_*[A-Za-z][^\W_]*(?:(?:_+|\.|::?|/)[^\W_]+(?:-[^\W_]+)*)+|[a-z]+[A-Z][^\W_]*|[A-Z][a-z]+[A-Z][^\W_]*)`?"
_IDENT_HEADING = re.compile(rf"^{_NUMBERING}{_IDENT}(?:\(\))?(?:\s*\([\w ,|/-]+\))?$")
_DEFINITION = re.compile(rf"^\s*(?:[*+-]\s+)?{_IDENT}(?:\(\))?\s+(?:-|–|—|:)\s+(\S.*)$")


@dataclass(frozen=True)
class Pair:
    """One training example: an anchor (what a person would type) and the passage that answers it."""

    kind: str
    anchor: str
    positive: str
    doc_id: str


# ---- mining ------------------------------------------------------------------------------------------

def mine_document(doc: Document) -> Iterator[Pair]:
    """Every pair one document gives: one per section with a body, plus each definition line."""
    product = doc.product.replace("-", " ")
    for span in doc.sections:
        if not span.path:
            continue
        body = _body(doc.text[span.start:span.end])
        if len(body) < MIN_PASSAGE_CHARS:
            continue
        heading = span.path[-1].strip()
        if is_question(heading):
            yield Pair("faq", re.sub(rf"^{_NUMBERING}", "", heading), body, doc.doc_id)
        elif (match := _IDENT_HEADING.match(heading)):
            yield Pair("identifier", match.group(1), body, doc.doc_id)
        else:
            path = [p for p in span.path if p.strip()]
            if doc.title and path and path[0] != doc.title:
                path.insert(0, doc.title)
            yield Pair("section", f"{product}: {' > '.join(path)}", body, doc.doc_id)
    yield from _definitions(doc)


def is_question(heading: str) -> bool:
    """A heading that asks: ends with "?" or opens with an interrogative word."""
    heading = re.sub(rf"^{_NUMBERING}", "", heading.strip())
    return heading.endswith("?") or (len(heading.split()) >= 3 and bool(_QUESTION_START.match(heading)))


def _body(section_text: str) -> str:
    """The passage under a heading: the heading line dropped, whitespace tidied, cut at a word near the limit."""
    lines = section_text.strip().splitlines()
    if lines and lines[0].lstrip().startswith("#"):
        lines = lines[1:]
    text = re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
    if len(text) > MAX_PASSAGE_CHARS:
        cut = text.rfind(" ", 0, MAX_PASSAGE_CHARS)
        text = text[: cut if cut > MAX_PASSAGE_CHARS // 2 else MAX_PASSAGE_CHARS]
    return text


def _definitions(doc: Document) -> Iterator[Pair]:
    for line in doc.text.splitlines():
        if len(line) > 2000 or not (match := _DEFINITION.match(line)):
            continue
        description = match.group(2).strip()
        if len(description) >= MIN_DESCRIPTION_CHARS:
            yield Pair("identifier", match.group(1), description, doc.doc_id)


def mine_pairs(documents: Iterable[Document]) -> list[Pair]:
    """Pairs of every document, each anchor and each passage used once (in-batch negatives need distinct texts)."""
    seen_anchor: set[str] = set()
    seen_positive: set[str] = set()
    out = []
    for doc in documents:
        for pair in mine_document(doc):
            a, p = pair.anchor.casefold(), pair.positive
            if a in seen_anchor or p in seen_positive:
                continue
            seen_anchor.add(a)
            seen_positive.add(p)
            out.append(pair)
    return out


def select_pairs(pairs: list[Pair], max_pairs: int | None, seed: int = 0) -> list[Pair]:
    """At most `max_pairs`, taken in turn from each kind (shuffled) so a small kind is not crowded out."""
    rng = random.Random(seed)
    by_kind = {k: [p for p in pairs if p.kind == k] for k in KINDS}
    for group in by_kind.values():
        rng.shuffle(group)
    limit = len(pairs) if max_pairs is None else min(max_pairs, len(pairs))
    out: list[Pair] = []
    i = 0
    while len(out) < limit:
        for group in by_kind.values():
            if i < len(group) and len(out) < limit:
                out.append(group[i])
        i += 1
    rng.shuffle(out)
    return out


def count_kinds(pairs: Iterable[Pair]) -> dict[str, int]:
    counts = dict.fromkeys(KINDS, 0)
    for pair in pairs:
        counts[pair.kind] = counts.get(pair.kind, 0) + 1
    return counts


# ---- the evaluation guard ----------------------------------------------------------------------------

class EvalLeak(ValueError):
    """Training text contains a question or a labeled quote of an evaluation set."""


def words(text: str) -> str:
    """` word word ... `: NFKC, case folded, letters and digits only, padded so containment is by whole words."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    return " " + " ".join(re.findall(r"[^\W_]+", folded)) + " "


class EvalGuard:
    """The texts of the evaluation sets (queries and quotes); finds pairs that contain any of them."""

    def __init__(self, texts: Iterable[str], sources: Iterable[str] = ()):
        self.needles = sorted({w for t in texts if (w := words(t)).strip()})
        self.sources = list(sources)

    @classmethod
    def from_sets(cls, query_sets: Iterable[Path], telequad: Path | None = None) -> "EvalGuard":
        """Queries and quotes of every labeled query set (file or folder) and, if given, TeleQuAD's questions."""
        from mcdewey.evaluate.queries import load_queries, query_files

        texts, sources = [], []
        for path in query_sets:
            for file in query_files(path):
                for query in load_queries(file):
                    texts.append(query.query)
                    texts.extend(ev.quote for ev in query.relevant)
                sources.append(str(file))
        if telequad is not None:
            from mcdewey.evaluate.telequad import load_telequad

            texts.extend(q.query for q in load_telequad(telequad)[1])
            sources.append(str(telequad))
        return cls(texts, sources)

    def leaks(self, pairs: list[Pair]) -> dict[int, str]:
        """Index of each pair whose anchor or passage contains an evaluation text -> that text."""
        if not pairs or not self.needles:
            return {}
        # One haystack and one find per needle: fast for thousands of needles over tens of MB.
        parts, starts, pos = [], [], 0
        for pair in pairs:
            part = words(pair.anchor) + "\0" + words(pair.positive) + "\0"
            starts.append(pos)
            parts.append(part)
            pos += len(part)
        hay = "".join(parts)
        found: dict[int, str] = {}
        for needle in self.needles:
            at = hay.find(needle)
            while at != -1:
                found.setdefault(bisect_right(starts, at) - 1, needle.strip())
                at = hay.find(needle, at + 1)
        return found

    def drop(self, pairs: list[Pair]) -> tuple[list[Pair], list[Pair]]:
        """(pairs kept, pairs dropped because they touch an evaluation text)."""
        leaks = self.leaks(pairs)
        return [p for i, p in enumerate(pairs) if i not in leaks], [pairs[i] for i in sorted(leaks)]

    def check(self, pairs: list[Pair]) -> None:
        """Raise EvalLeak naming the first few pairs that contain evaluation text (the last check before training)."""
        leaks = self.leaks(pairs)
        if leaks:
            shown = "; ".join(f"{pairs[i].kind} pair of {pairs[i].doc_id} contains {text[:80]!r}"
                              for i, text in list(leaks.items())[:3])
            raise EvalLeak(f"{len(leaks)} training pairs contain evaluation text ({shown}); "
                           "the evaluation sets must never be trained on")
