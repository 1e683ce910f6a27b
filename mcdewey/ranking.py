"""Ranking steps after retrieval: fusing two rankings, and soft boosts for the product and version a query names.

Everything here works on plain `(chunk_id, score)` lists and chunk metadata, so it is independent of
the store. search.py reads each ranking `candidates` deep, calls these steps, then keeps the first k.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace

from mcdewey.models import Chunk

Ranking = list[tuple[str, float]]
FUSIONS = ("rrf", "convex")
_TOKEN = re.compile(r"[a-z0-9][a-z0-9.]*[a-z0-9]|[a-z0-9]")


def rrf(rankings: Sequence[tuple[float, Ranking]], rrf_k: float) -> dict[str, float]:
    """Reciprocal-rank fusion: each ranking adds weight / (rrf_k + rank)."""
    scores: dict[str, float] = {}
    for weight, ranked in rankings:
        for rank, (cid, _) in enumerate(ranked, 1):
            scores[cid] = scores.get(cid, 0.0) + weight / (rrf_k + rank)
    return scores


def convex(rankings: Sequence[tuple[float, Ranking]]) -> dict[str, float]:
    """Weighted sum of min-max normalized scores (a chunk missing from a ranking gets 0 from it).

    Unlike RRF this keeps how far apart scores are: a clear winner in one ranking stays a winner.
    """
    scores: dict[str, float] = {}
    for weight, ranked in rankings:
        if not ranked:
            continue
        values = [s for _, s in ranked]
        low, span = min(values), max(values) - min(values)
        for cid, s in ranked:
            # All scores equal (one candidate, say): each is this ranking's best.
            scores[cid] = scores.get(cid, 0.0) + weight * ((s - low) / span if span else 1.0)
    return scores


def ordered(scores: Mapping[str, float], k: int | None = None) -> Ranking:
    """Best first; ties break by chunk id so results are deterministic."""
    best = sorted(scores, key=lambda cid: (-scores[cid], cid))
    return [(cid, scores[cid]) for cid in (best if k is None else best[:k])]


@dataclass(frozen=True)
class Scope:
    """The products and (product, version) pairs a query names in its own words."""

    products: frozenset[str] = frozenset()
    versions: frozenset[tuple[str, str]] = frozenset()

    def __bool__(self) -> bool:
        return bool(self.products or self.versions)


def product_aliases(vendor: str, product: str) -> set[str]:
    """Ways a query may name a product: its name with '-' as space or joined, and the first part of a
    hyphenated name ("erlang-otp" -> "erlang"). Names under 3 letters are too ambiguous to use."""
    words = product.lower().replace("_", "-").split("-")
    names = {" ".join(words), "".join(words), words[0]}
    return {n for n in names if len(n) >= 3}


def named_scope(query: str, catalog: Iterable[tuple[str, str, str]]) -> Scope:
    """The products and versions of `catalog` (vendor, product, version) that `query` names.

    A version counts when the query has it as a word ("6.0", "1.6.8", "latest"), as a dotted prefix
    ("1.6" for 1.6.8), or as a bare number right after the product's name ("bird 2" for 2.0.12).
    """
    text = " " + " ".join(_TOKEN.findall(query.lower())) + " "
    tokens = text.split()
    products: set[str] = set()
    versions: set[tuple[str, str]] = set()
    by_product: dict[str, set[str]] = {}
    for vendor, product, version in catalog:
        by_product.setdefault(product, set()).add(version)
        if any(f" {alias} " in text for alias in product_aliases(vendor, product)):
            products.add(product)
    for product in products:
        aliases = product_aliases("", product)
        after = {tokens[i + 1] for i, t in enumerate(tokens[:-1]) if t in aliases}
        for version in by_product[product]:
            v = version.lower()
            for t in tokens:
                dotted = "." in t and any(c.isdigit() for c in t)
                if t == v or (dotted and v.startswith(t + ".")) or (t in after and t.isdigit()
                                                                   and v.split(".")[0] == t):
                    versions.add((product, version))
    return Scope(frozenset(products), frozenset(versions))


def boost_scope(ranking: Ranking, chunks: Mapping[str, Chunk], scope: Scope, factor: float) -> Ranking:
    """Multiply the scores of chunks from a named product by (1 + factor), and again for a named version.

    A soft filter: chunks of other products stay in the ranking, they only give way. Scores must be
    non-negative (fused, BM25 or cosine of relevant candidates).
    """
    if not scope or factor <= 0:
        return ranking
    named_products = {p for p, _ in scope.versions}
    scores = {}
    for cid, score in ranking:
        chunk = chunks.get(cid)
        mult = 1.0
        if chunk is not None and chunk.product in scope.products:
            mult *= 1.0 + factor
            if chunk.product in named_products and (chunk.product, chunk.version) in scope.versions:
                mult *= 1.0 + factor
        scores[cid] = score * mult if score > 0 else score
    return ordered(scores)


def merge_adjacent(ranking: Ranking, chunks: Mapping[str, Chunk], k: int,
                   max_chunks: int) -> list[tuple[list[Chunk], float]]:
    """Up to k passages: a candidate next to a passage already taken (same document, neighbouring
    chunk) joins it instead of taking a slot of its own, up to `max_chunks` chunks per passage.

    Returns (chunks in document order, score of the passage's best chunk), best passage first.
    """
    passages: list[tuple[list[Chunk], float]] = []
    for cid, score in ranking:
        chunk = chunks.get(cid)
        if chunk is None:
            continue
        for group, _ in passages:
            if len(group) < max_chunks and group[0].doc_id == chunk.doc_id and \
                    chunk.ord in (group[0].ord - 1, group[-1].ord + 1):
                group.insert(0 if chunk.ord < group[0].ord else len(group), chunk)
                break
        else:
            if len(passages) == k:
                break
            passages.append(([chunk], score))
    return passages


def passage_chunk(group: Sequence[Chunk], doc_text: str | None) -> Chunk:
    """One Chunk spanning neighbouring chunks: the first chunk's id, the union of spans and pages."""
    first, last = group[0], group[-1]
    if len(group) == 1:
        return first
    if doc_text is None:  # without the document the text between chunks is unknown: no passage
        return first
    text = doc_text[first.start:last.end]
    pages = [p for c in group for p in (c.page_start, c.page_end) if p is not None]
    return replace(first, end=last.end, text=text, tokens=sum(c.tokens for c in group), embed_text="",
                   page_start=min(pages) if pages else None, page_end=max(pages) if pages else None,
                   page_label_end=last.page_label_end or first.page_label_end)


def _shingles(text: str, n: int = 3) -> frozenset[str]:
    words = _TOKEN.findall(text.lower())
    return frozenset(" ".join(words[i:i + n]) for i in range(max(1, len(words) - n + 1)))


def collapse_duplicates(ranking: Ranking, chunks: Mapping[str, Chunk], threshold: float) -> Ranking:
    """Drop a chunk whose text nearly repeats a better-ranked chunk of another document (the same
    passage in two versions or two renderings of a manual): word-trigram Jaccard >= threshold."""
    kept: Ranking = []
    seen: list[tuple[str, frozenset[str]]] = []
    for cid, score in ranking:
        chunk = chunks.get(cid)
        if chunk is None:
            continue
        grams = _shingles(chunk.text)
        if any(doc != chunk.doc_id and len(grams & g) >= threshold * len(grams | g) for doc, g in seen):
            continue
        seen.append((chunk.doc_id, grams))
        kept.append((cid, score))
    return kept
