"""Evaluate one index in one search mode on a query set: search every query, score it, summarize."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from collections.abc import Callable, Sequence

from mcdewey.evaluate.metrics import (RANK_KEYS, SPAN_K, SPAN_KEYS, WRONG_VERSION_KEY, Range, coverage,
                                      first_relevant_rank, mean_metrics, percentile, rank_metrics, span_metrics,
                                      wrong_version)
from mcdewey.evaluate.queries import Query
from mcdewey.evaluate.ragas_adapter import RAGAS_KEYS, RagasInput, RagasScorer, ragas_available
from mcdewey.evaluate.spans import Resolution, SpanResolver
from mcdewey.manifest import ChunkingSpec, Manifest
from mcdewey.models import Chunk, Filters, Hit
from mcdewey.versions import UnknownVersion
from mcdewey.latency import timed_search, warm_up

SearchFn = Callable[..., list[Hit]]
METRIC_KEYS = RANK_KEYS + (WRONG_VERSION_KEY,) + SPAN_KEYS + RAGAS_KEYS
# The keys `eval run --json` promises (issue 5), in the order a summary prints them.
SUMMARY_KEYS = ("queries", "hit@1", "hit@3", "hit@5", WRONG_VERSION_KEY, "hit@10", "recall@5", "recall@10", "mrr@10",
                "ndcg@10") + SPAN_KEYS + RAGAS_KEYS + ("latency_ms_p50", "latency_ms_p95")
# The columns of a results table (the CLI's and the HTML report's).
TABLE_KEYS = ("hit@1", "hit@5", "wrong_version@5", "hit@10", "recall@10", "mrr@10", "ndcg@10", "span_iou@5",
              "latency_ms_p50", "latency_ms_p95")


@dataclass
class QueryResult:
    """One query's hits, where its evidence lies, and its scores."""

    query: Query
    hits: list[Hit]
    resolutions: list[Resolution]
    latency_ms: float
    metrics: dict[str, float | None]
    first_rank: int | None
    covers: list[frozenset[int]] = field(default_factory=list)  # evidence indexes each hit overlaps


@dataclass
class RunResult:
    """Every query of a set evaluated against one index in one mode."""

    index: str
    mode: str
    k: int
    results: list[QueryResult]
    manifest: Manifest | None = None  # the index's: its ChunkingSpec is this run's set-up
    config: dict = field(default_factory=dict)  # name, search overrides, filters (mcdewey.experiment.measure)

    @property
    def name(self) -> str:
        return self.config.get("name") or f"{self.index}/{self.mode}"

    @property
    def spec(self) -> ChunkingSpec | None:
        """How the evaluated index was chunked and embedded."""
        return self.manifest.spec if self.manifest is not None else None

    def summary(self) -> dict:
        """Aggregated metrics (means; latency percentiles), overall and per tag."""
        out = {"name": self.name, "index": self.index, "mode": self.mode, "k": self.k,
               **_aggregate(self.results)}
        tags = sorted({t for r in self.results for t in r.query.tags})
        out["by_tag"] = {t: _aggregate([r for r in self.results if t in r.query.tags]) for t in tags}
        out["unresolved_evidence"] = sum(not res.usable for r in self.results for res in r.resolutions)
        # Evidence whose quote occurs more than once in its document (any occurrence counts as relevant).
        out["repeated_evidence"] = sum(bool(res.also) for r in self.results for res in r.resolutions)
        return out


def _aggregate(results: Sequence[QueryResult]) -> dict:
    lat = [r.latency_ms for r in results]
    return {"queries": len(results), **mean_metrics([r.metrics for r in results], METRIC_KEYS),
            "latency_ms_p50": percentile(lat, 50), "latency_ms_p95": percentile(lat, 95)}


def _default_search() -> SearchFn:
    from mcdewey.search import search

    return search


class _References:
    """Chunks of the index that overlap each piece of evidence (ragas' reference contexts)."""

    def __init__(self, index):
        self._index = index
        self._chunks: dict[str, list[Chunk]] = {}

    def chunks(self, resolutions: Sequence[Resolution]) -> list[Chunk]:
        out: dict[str, Chunk] = {}
        for res in resolutions:
            if not res.usable:
                continue
            doc = res.evidence.doc
            if doc not in self._chunks:
                self._chunks[doc] = list(self._index.doc_chunks(doc)) if hasattr(self._index, "doc_chunks") else []
            span = Range(doc, res.start, res.end)
            for c in self._chunks[doc]:
                if Range(c.doc_id, c.start, c.end).overlaps(span):
                    out[c.chunk_id] = c
        return list(out.values())


def _doc_version(doc_id: str) -> str | None:
    """The version a label names: the third part of its document path (vendor/product/version/...)."""
    parts = doc_id.split("/")
    return parts[2] if len(parts) > 3 else None


def evaluate_index(index, queries: Sequence[Query], mode: str = "hybrid", k: int = 10,
                   search_fn: SearchFn | None = None, use_ragas: bool = True,
                   progress: Callable[[int, int], None] | None = None, use_filters: bool = True) -> RunResult:
    """Search each query with its own filters (unless `use_filters` is off) and score the hits."""
    search_fn = search_fn or _default_search()
    resolver = SpanResolver(index.get_document)
    references = _References(index)
    scorer = RagasScorer() if use_ragas and ragas_available() else None
    if queries:  # warm-up: model loading and table opening are not per-query latency
        try:
            warm_up(index, queries[0].query, k, mode, queries[0].search_filters() if use_filters else None, search_fn)
        except UnknownVersion:
            pass
    results = []
    for n, query in enumerate(queries, 1):
        results.append(_evaluate_query(index, query, mode, k, search_fn, resolver, references, scorer,
                                       use_filters))
        if progress:
            progress(n, len(queries))
    manifest = getattr(index, "manifest", None)
    return RunResult(index=getattr(index, "name", "?"), mode=mode, k=k, results=results,
                     manifest=manifest if isinstance(manifest, Manifest) else None)


def _evaluate_query(index, query: Query, mode: str, k: int, search_fn: SearchFn, resolver: SpanResolver,
                    references: _References, scorer: RagasScorer | None, use_filters: bool = True) -> QueryResult:
    filters: Filters | None = query.search_filters() if use_filters else None
    t0 = time.perf_counter()
    try:  # timed as every latency figure is (mcdewey.latency): a first-time query, its embedding paid
        hits, latency = timed_search(index, query.query, k, mode, filters, search_fn)
    except UnknownVersion:  # the query's version filter names a version this index does not hold: a miss
        hits, latency = [], (time.perf_counter() - t0) * 1000
    resolutions = [resolver.resolve(ev) for ev in query.relevant]
    evidence = [Range(r.evidence.doc, r.start, r.end) if r.usable else None for r in resolutions]
    retrieved = [Range(h.chunk.doc_id, h.chunk.start, h.chunk.end) for h in hits]
    # A quote that occurs more than once in its document is found by a hit on any occurrence.
    occurrences = [[Range(r.evidence.doc, s, e) for s, e in r.spans()] or None for r in resolutions]
    # A hit standing for several copies of a passage (mcdewey.versions) is relevant when any copy is.
    covers = [frozenset().union(*coverage([Range(c.doc_id, c.start, c.end) for c in (h.chunk, *h.copies)],
                                          occurrences)) for h in hits]
    metrics: dict[str, float | None] = dict(rank_metrics(covers, len(query.relevant)))
    metrics[WRONG_VERSION_KEY] = wrong_version([(h.chunk.version, c) for h, c in zip(hits, covers)],
                                               [_doc_version(r.evidence.doc) for r in resolutions])
    spans = span_metrics(retrieved[:SPAN_K], [e for e in evidence if e is not None])
    for key, name in zip(SPAN_KEYS, ("span_recall", "span_precision", "span_iou")):
        metrics[key] = spans[name] if spans else None
    metrics.update(dict.fromkeys(RAGAS_KEYS))
    if scorer is not None:
        refs = references.chunks(resolutions)
        metrics.update(scorer.score(RagasInput(
            retrieved_ids=[h.chunk.chunk_id for h in hits], reference_ids=[c.chunk_id for c in refs],
            retrieved_texts=[h.chunk.text for h in hits], reference_texts=[c.text for c in refs])))
    return QueryResult(query, hits, resolutions, latency, metrics, first_relevant_rank(covers), covers)
