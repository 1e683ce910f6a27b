"""Query expansion from the library itself: pseudo-relevance feedback (RM3-style), offline.

A first keyword pass ranks chunks; the words its best passages share (weighted by how well each
passage matched, RM1) that the query does not have are searched as a second keyword query, and the
two BM25 rankings are fused with the expansion at a lower weight (RM3's interpolation). The manual's
own words for what the question describes ("keepalive" for "how often the phone is pinged") reach
the ranking without a model. `SearchConfig.prf_terms` (0 = off) and `prf_weight` switch and weigh it.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Sequence

from mcdewey import ranking

FEEDBACK_CHUNKS = 10  # passages of the first pass that vote for expansion terms
_TERM = re.compile(r"[A-Za-z][A-Za-z0-9_]{2,}")
STOP_WORDS = frozenset("""
a about above after again against all also am an and any are as at be because been before being below
between both but by can cannot could did do does doing down during each either else etc even ever every
few for from further get gets had has have having he her here hers herself him himself his how however i if
in into is it its itself just least less let like made make many may me might more most much must my
myself need never no nor not now of off often on once one only or other others otherwise our ours ourselves
out over own per rather same see set sets shall she should since so some such than that the their theirs
them themselves then there these they this those though through thus to too two under until up upon us use
used uses using very via was we were what when where whether which while who whom whose why will with
within without would yes yet you your yours yourself yourselves new default example following value values
section note see also may must shall
""".split())


def feedback_terms(query: str, passages: Sequence[tuple[str, float]], n_terms: int) -> list[str]:
    """The `n_terms` words that weigh most in the feedback passages (text, score), RM1-style:
    sum over passages of P(word | passage) * P(passage | query); query words and stop words left out."""
    asked = {w.lower() for w in _TERM.findall(query)}
    total = sum(max(s, 0.0) for _, s in passages) or 1.0
    weights: Counter[str] = Counter()
    for text, score in passages:
        words = [w.lower() for w in _TERM.findall(text)]
        if not words:
            continue
        counts = Counter(w for w in words if w not in STOP_WORDS and w not in asked and not w.isdigit())
        for word, tf in counts.items():
            weights[word] += tf / len(words) * max(score, 0.0) / total
    # Ties break alphabetically so the expansion is deterministic.
    return [w for w, _ in sorted(weights.items(), key=lambda kv: (-kv[1], kv[0]))[:n_terms]]


def expand(query: str, first: ranking.Ranking, texts: Callable[[list[str]], dict[str, str]],
           search: Callable[[str], ranking.Ranking], n_terms: int, weight: float, k: int) -> ranking.Ranking:
    """`first` fused (convex) with the ranking of its feedback terms at `weight`; `first` unchanged
    when there is nothing to expand. `texts` gives chunk texts by id, `search` runs a keyword query."""
    if n_terms <= 0 or weight <= 0 or not first:
        return first
    top = first[:FEEDBACK_CHUNKS]
    by_id = texts([cid for cid, _ in top])
    terms = feedback_terms(query, [(by_id[cid], s) for cid, s in top if cid in by_id], n_terms)
    if not terms:
        return first
    second = search(" ".join(terms))
    return ranking.ordered(ranking.convex([(1.0, first), (weight, second)]), k)
