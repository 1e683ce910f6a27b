"""Metrics on hand-worked cases, and rank metrics cross-checked against ranx."""

import math
import random

import pytest

from mcdewey.evaluate.metrics import (Range, coverage, evidence_gains, mean_metrics, ndcg, percentile,
                                      rank_metrics, span_metrics)


def test_coverage_needs_same_doc_and_overlap():
    ev = [Range("a.md", 100, 150), None, Range("b.md", 0, 10)]
    hits = [Range("a.md", 0, 100), Range("a.md", 90, 110), Range("b.md", 5, 6), Range("c.md", 100, 150)]
    # [0, 100) ends where the quote starts: half-open ranges do not overlap.
    assert coverage(hits, ev) == [frozenset(), {0}, {2}, frozenset()]


def test_rank_metrics_hand_worked():
    # Two evidence pieces; rank 1 misses, rank 2 covers e0, rank 3 covers e0 again, rank 4 covers e1.
    m = rank_metrics([set(), {0}, {0}, {1}, set()], n_evidence=2)
    assert m["hit@1"] == 0 and m["hit@3"] == 1 and m["hit@5"] == 1 and m["hit@10"] == 1
    assert m["recall@5"] == 1.0 and m["recall@10"] == 1.0
    assert m["mrr@10"] == 0.5
    dcg = 1 / math.log2(3) + 1 / math.log2(5)  # gains at positions 2 and 4; the repeat at 3 earns 0
    idcg = 1 + 1 / math.log2(3)
    assert m["ndcg@10"] == pytest.approx(dcg / idcg)


def test_rank_metrics_no_hit_and_partial_recall():
    assert rank_metrics([set()] * 10, 1) == {"hit@1": 0, "hit@3": 0, "hit@5": 0, "hit@10": 0, "recall@5": 0,
                                              "recall@10": 0, "mrr@10": 0, "ndcg@10": 0}
    m = rank_metrics([set()] * 5 + [{2}], 3)
    assert m["hit@5"] == 0 and m["hit@10"] == 1 and m["recall@5"] == 0
    assert m["recall@10"] == pytest.approx(1 / 3) and m["mrr@10"] == pytest.approx(1 / 6)
    # A hit beyond rank 10 counts for nothing.
    assert rank_metrics([set()] * 10 + [{0}], 1)["mrr@10"] == 0


def test_one_chunk_covering_two_pieces_is_perfect():
    assert evidence_gains([{0, 1}, set()]) == [1, 1, 0]
    assert ndcg([{0, 1}], 2) == pytest.approx(1.0)
    assert ndcg([{0}, {0}, {0}], 1) == pytest.approx(1.0)  # duplicates never push nDCG over 1


def test_span_metrics_hand_worked():
    ev = [Range("d", 100, 200)]
    got = [Range("d", 150, 250), Range("d", 0, 50), Range("x", 100, 200)]
    m = span_metrics(got, ev)
    # intersection 50 of evidence 100; retrieved 100 + 50 + 100 = 250; missed 50.
    assert m == {"span_recall": 0.5, "span_precision": 50 / 250, "span_iou": 50 / 300}
    assert span_metrics(got, []) is None
    full = span_metrics([Range("d", 100, 200)], ev)
    assert full == {"span_recall": 1.0, "span_precision": 1.0, "span_iou": 1.0}


def test_span_metrics_counts_overlapping_chunks_twice_in_precision():
    m = span_metrics([Range("d", 0, 100), Range("d", 50, 150)], [Range("d", 0, 150)])
    assert m["span_recall"] == 1.0
    assert m["span_precision"] == pytest.approx(150 / 200)


def test_mean_and_percentile():
    rows = [{"a": 1.0, "b": None}, {"a": 0.0, "b": 0.5}]
    assert mean_metrics(rows, ["a", "b", "c"]) == {"a": 0.5, "b": 0.5, "c": None}
    assert percentile([10, 20, 30, 40], 50) == 25.0
    assert percentile([], 95) is None


def _virtual_run(covers):
    """The evidence ranking of metrics.evidence_gains as a ranx run (ids e<j> or filler x<i>)."""
    seen, items = set(), []
    for i, cover in enumerate(covers[:10]):
        new = sorted(set(cover) - seen)
        seen |= set(new)
        items.extend(f"e{j}" for j in new) if new else items.append(f"x{i}")
    return {doc: float(len(items) - pos) for pos, doc in enumerate(items)}


@pytest.mark.parametrize("multi", [False, True])
def test_rank_metrics_match_ranx(multi):
    ranx = pytest.importorskip("ranx")
    rng = random.Random(7 + multi)
    qrels, run, ours = {}, {}, []
    for q in range(60):
        n = rng.randint(1, 3)
        covers = []
        for _ in range(rng.randint(1, 12)):
            pool = list(range(n))
            size = rng.choice([0, 0, 1, 2]) if multi else rng.choice([0, 0, 1])
            covers.append(set(rng.sample(pool, min(size, n))))
        if not multi:  # ranx's recall counts positions; keep one new piece per hit to compare recall too
            seen = set()
            covers = [c - seen if not seen.update(c) else c for c in covers]
        qrels[f"q{q}"] = {f"e{j}": 1 for j in range(n)}
        run[f"q{q}"] = _virtual_run(covers)
        ours.append(rank_metrics(covers, n))
    names = ["ndcg@10", "mrr@10", "hit_rate@1", "hit_rate@5", "hit_rate@10"]
    if not multi:
        names += ["recall@5", "recall@10"]
    expected = ranx.evaluate(ranx.Qrels(qrels), ranx.Run(run), names)
    for name in names:
        key = name.replace("hit_rate", "hit")
        assert sum(m[key] for m in ours) / len(ours) == pytest.approx(expected[name], abs=1e-9), name
