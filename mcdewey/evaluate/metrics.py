"""Retrieval metrics over evidence pieces: hit@k, recall@k, MRR@10, nDCG@10, span overlap, latency.

Relevance is binary and defined on character spans: a retrieved chunk is relevant to a piece of
evidence when it comes from the evidence's document and its [start, end) overlaps the quote's
resolved span. `covers[i]` is the set of evidence indexes the hit at rank i + 1 overlaps.

nDCG@10 (our exact definition): every evidence piece counts once, the first time a hit covers it.
The top-10 hits are turned into an evidence ranking: a hit covering m > 0 pieces not covered by an
earlier hit contributes m consecutive positions of gain 1; any other hit (off-target, or covering
only pieces already seen) contributes one position of gain 0. DCG sums gain / log2(position + 1)
over the first 10 positions; the ideal DCG puts all n evidence pieces first:
IDCG = sum_{i=1..min(n, 10)} 1 / log2(i + 1). Redundant chunks (overlapping chunks, the same
passage found twice) therefore earn nothing, and nDCG stays within [0, 1] for every chunking.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from collections.abc import Iterable, Sequence

import numpy as np

HIT_KS = (1, 3, 5, 10)
RECALL_KS = (5, 10)
RANK_CUTOFF = 10
SPAN_K = 5


@dataclass(frozen=True)
class Range:
    """Characters [start, end) of one document."""

    doc: str
    start: int
    end: int

    def __len__(self) -> int:
        return max(0, self.end - self.start)

    def overlaps(self, other: Range) -> bool:
        return self.doc == other.doc and self.start < other.end and other.start < self.end


def coverage(retrieved: Sequence[Range], evidence: Sequence[Range | Sequence[Range] | None]) -> list[frozenset[int]]:
    """For each retrieved range, the indexes of the evidence it overlaps (None never matches). A piece of
    evidence may be several ranges (a quote occurring more than once): overlapping any one counts."""
    spans = [[] if ev is None else [ev] if isinstance(ev, Range) else list(ev) for ev in evidence]
    return [frozenset(j for j, ranges in enumerate(spans) if any(r.overlaps(e) for e in ranges))
            for r in retrieved]


def evidence_gains(covers: Sequence[Iterable[int]], cutoff: int = RANK_CUTOFF) -> list[int]:
    """The gain list of the evidence ranking described in the module docstring (first `cutoff` hits)."""
    seen: set[int] = set()
    gains: list[int] = []
    for cover in covers[:cutoff]:
        new = set(cover) - seen
        seen |= new
        gains.extend([1] * len(new) if new else [0])
    return gains


def ndcg(covers: Sequence[Iterable[int]], n_evidence: int, cutoff: int = RANK_CUTOFF) -> float:
    """nDCG@cutoff with evidence pieces as the relevant items (see module docstring)."""
    if n_evidence <= 0:
        return 0.0
    gains = evidence_gains(covers, cutoff)[:cutoff]
    dcg = sum(g / math.log2(i + 2) for i, g in enumerate(gains))
    idcg = sum(1 / math.log2(i + 2) for i in range(min(n_evidence, cutoff)))
    return dcg / idcg


def first_relevant_rank(covers: Sequence[Iterable[int]]) -> int | None:
    """1-based rank of the first hit that overlaps any evidence, or None."""
    return next((i + 1 for i, c in enumerate(covers) if c), None)


def rank_metrics(covers: Sequence[Iterable[int]], n_evidence: int) -> dict[str, float]:
    """hit@k, recall@k, MRR@10 and nDCG@10 of one query."""
    covers = [frozenset(c) for c in covers]
    first = first_relevant_rank(covers)
    out: dict[str, float] = {}
    for k in HIT_KS:
        out[f"hit@{k}"] = float(first is not None and first <= k)
    for k in RECALL_KS:
        found = set().union(*covers[:k]) if covers[:k] else set()
        out[f"recall@{k}"] = len(found) / n_evidence if n_evidence else 0.0
    out["mrr@10"] = 1.0 / first if first is not None and first <= RANK_CUTOFF else 0.0
    out["ndcg@10"] = ndcg(covers, n_evidence)
    return out


def _union(ranges: Iterable[Range]) -> list[Range]:
    merged: list[Range] = []
    for r in sorted((r for r in ranges if len(r)), key=lambda r: (r.doc, r.start)):
        last = merged[-1] if merged else None
        if last and last.doc == r.doc and r.start <= last.end:
            merged[-1] = Range(r.doc, last.start, max(last.end, r.end))
        else:
            merged.append(r)
    return merged


def _total(ranges: Iterable[Range]) -> int:
    return sum(len(r) for r in ranges)


def span_metrics(retrieved: Sequence[Range], evidence: Sequence[Range]) -> dict[str, float] | None:
    """Chroma-style token (here: character) recall, precision and IoU of retrieved text vs evidence.

    intersection = |union(retrieved) ∩ union(evidence)|; recall = intersection / |union(evidence)|;
    precision = intersection / sum of retrieved lengths (overlapping chunks count twice, as in
    Chroma's evaluation); IoU = intersection / (sum of retrieved lengths + evidence not retrieved).
    None when no evidence span is known.
    """
    ev = _union(evidence)
    if not ev:
        return None
    got = _union(retrieved)
    inter = 0
    for e in ev:
        for r in got:
            if r.doc == e.doc:
                inter += max(0, min(e.end, r.end) - max(e.start, r.start))
    retrieved_len = _total(retrieved)
    missed = _total(ev) - inter
    return {
        "span_recall": inter / _total(ev),
        "span_precision": inter / retrieved_len if retrieved_len else 0.0,
        "span_iou": inter / (retrieved_len + missed) if retrieved_len + missed else 0.0,
    }


def percentile(values: Sequence[float], q: float) -> float | None:
    """The q-th percentile (linear interpolation), None for no values."""
    return float(np.percentile(np.asarray(values, dtype=float), q)) if len(values) else None


def mean_metrics(rows: Sequence[dict[str, float | None]], keys: Sequence[str]) -> dict[str, float | None]:
    """Mean of each key over the rows that have a value for it (None when none has)."""
    out: dict[str, float | None] = {}
    for key in keys:
        vals = [r[key] for r in rows if r.get(key) is not None]
        out[key] = float(np.mean(vals)) if vals else None
    return out


def wrong_version(shown: Sequence[tuple[str, Iterable[int]]], evidence_versions: Sequence[str | None],
                  k: int = SPAN_K) -> float:
    """1.0 when the top k hold labeled evidence, but only through hits shown from another version than
    the one the label names; `shown` is (version shown, evidence indexes the hit or its copies cover)."""
    found = [(version, set(covered)) for version, covered in shown[:k] if covered]
    if not found:
        return 0.0
    return 0.0 if any(evidence_versions[j] == version for version, covered in found for j in covered) else 1.0


WRONG_VERSION_KEY = f"wrong_version@{SPAN_K}"
RANK_KEYS = tuple([f"hit@{k}" for k in HIT_KS] + [f"recall@{k}" for k in RECALL_KS] + ["mrr@10", "ndcg@10"])
SPAN_KEYS = (f"span_recall@{SPAN_K}", f"span_precision@{SPAN_K}", f"span_iou@{SPAN_K}")
