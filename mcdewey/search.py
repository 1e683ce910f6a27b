"""Search an index by meaning (vector), by words (keyword, BM25) or both (hybrid, reciprocal-rank fusion)."""

from __future__ import annotations

import functools
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, fields

from mcdewey.models import Filters, Hit
from mcdewey.store import Index

MODES = ("vector", "keyword", "hybrid")
_WORD = re.compile(r"\w+", re.UNICODE)


@dataclass(frozen=True)
class SearchConfig:
    """How hybrid fusion and the vector index behave; stored in each index's manifest under "search"."""

    vector_weight: float = 1.0
    keyword_weight: float = 1.0
    rrf_k: int = 60  # the constant of reciprocal-rank fusion: 1 / (rrf_k + rank)
    candidates: int = 50  # how deep each ranking is read before fusing (at least k)
    keyword_field: str = "text"  # "text", or "search_text" (title + section path + text)
    nprobes: int = 0  # vector index only; 0 = LanceDB default
    refine_factor: int = 5  # vector index only: re-rank 5k candidates with exact distances (SQ scores are rough)

    @classmethod
    def from_dict(cls, data: dict | None) -> "SearchConfig":
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in (data or {}).items() if k in known})

    def to_dict(self) -> dict:
        return asdict(self)


def keyword_query(query: str) -> str:
    """The query as plain words: FTS syntax characters (quotes, colons, parentheses, '?', '-') never reach the parser."""
    return " ".join(_WORD.findall(query))


def search(index: Index, query: str, k: int = 10, mode: str = "hybrid", filters: Filters | None = None,
           config: SearchConfig | None = None) -> list[Hit]:
    """The k best chunks for `query`; filters restrict the candidates before ranking."""
    if mode not in MODES:
        raise ValueError(f"unknown search mode {mode!r}; choose one of {', '.join(MODES)}")
    if k <= 0 or not query.strip():
        return []
    config = config or SearchConfig.from_dict(index.manifest.get("search"))
    where = filters if filters and not filters.is_empty() else None
    if mode == "vector":
        ranking = _vector_ranking(index, query, k, where, config)
    elif mode == "keyword":
        ranking = _keyword_ranking(index, query, k, where, config)
    else:
        depth = max(k, config.candidates)
        # The keyword search (Rust) runs while the query is embedded: both release the GIL.
        keyword = _pool().submit(_keyword_ranking, index, query, depth, where, config)
        vector = _vector_ranking(index, query, depth, where, config)
        ranking = fuse(vector, keyword.result(), k, config)
    chunks = index.chunks([cid for cid, _ in ranking])
    return [Hit(rank=i, score=score, chunk=chunks[cid]) for i, (cid, score) in enumerate(ranking, 1)]


@functools.cache
def _pool() -> ThreadPoolExecutor:
    return ThreadPoolExecutor(max_workers=4, thread_name_prefix="mcdewey-search")


def _vector_ranking(index: Index, query: str, k: int, where: Filters | None,
                    config: SearchConfig) -> list[tuple[str, float]]:
    """Chunk ids by cosine similarity to the embedded query."""
    vector = index.embedder().embed_queries([query])[0]
    return index.vector_ranking(vector, k, where, config)


def _keyword_ranking(index: Index, query: str, k: int, where: Filters | None,
                     config: SearchConfig) -> list[tuple[str, float]]:
    """Chunk ids by BM25 score."""
    text = keyword_query(query)
    return index.keyword_ranking(text, k, where, config.keyword_field) if text else []


def fuse(vector: list[tuple[str, float]], keyword: list[tuple[str, float]], k: int,
         config: SearchConfig) -> list[tuple[str, float]]:
    """Reciprocal-rank fusion: each ranking adds weight / (rrf_k + rank); ties break by chunk id."""
    scores: dict[str, float] = {}
    for weight, ranked in ((config.vector_weight, vector), (config.keyword_weight, keyword)):
        for rank, (cid, _) in enumerate(ranked, 1):
            scores[cid] = scores.get(cid, 0.0) + weight / (config.rrf_k + rank)
    best = sorted(scores, key=lambda cid: (-scores[cid], cid))[:k]
    return [(cid, scores[cid]) for cid in best]
