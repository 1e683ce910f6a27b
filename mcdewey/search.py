"""Search an index by meaning (vector), by words (keyword, BM25) or both (hybrid, reciprocal-rank fusion)."""

from __future__ import annotations

import functools
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, fields

from mcdewey.models import Filters, Hit
from mcdewey.store import Index, row_to_chunk

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
        return _hits(_vector_rows(index, query, k, where, config), "vector")
    if mode == "keyword":
        return _hits(_keyword_rows(index, query, k, where, config), "keyword")
    depth = max(k, config.candidates)
    # The keyword search (Rust) runs while the query is embedded (torch): both release the GIL.
    keyword = _pool().submit(_keyword_rows, index, query, depth, where, config)
    vector = _vector_rows(index, query, depth, where, config)
    return _fuse(vector, keyword.result(), k, config)


@functools.cache
def _pool() -> ThreadPoolExecutor:
    return ThreadPoolExecutor(max_workers=4, thread_name_prefix="mcdewey-search")


def _vector_rows(index: Index, query: str, k: int, where: Filters | None, config: SearchConfig) -> list[dict]:
    vector = index.embedder().embed_queries([query])[0]
    return index.vector_candidates(vector, k, where, config)


def _keyword_rows(index: Index, query: str, k: int, where: Filters | None, config: SearchConfig) -> list[dict]:
    text = keyword_query(query)
    if not text:
        return []
    return index.keyword_candidates(text, k, where, config.keyword_field)


def _hits(rows: list[dict], kind: str) -> list[Hit]:
    hits = []
    for rank, row in enumerate(rows, 1):
        # Cosine similarity for vectors (distance is 1 - cos), BM25 for keywords.
        score = 1.0 - float(row["_distance"]) if kind == "vector" else float(row["_score"])
        hits.append(Hit(rank=rank, score=score, chunk=row_to_chunk(row)))
    return hits


def _fuse(vector_rows: list[dict], keyword_rows: list[dict], k: int, config: SearchConfig) -> list[Hit]:
    scores: dict[str, float] = {}
    rows: dict[str, dict] = {}
    for weight, ranked in ((config.vector_weight, vector_rows), (config.keyword_weight, keyword_rows)):
        for rank, row in enumerate(ranked, 1):
            cid = row["chunk_id"]
            scores[cid] = scores.get(cid, 0.0) + weight / (config.rrf_k + rank)
            rows.setdefault(cid, row)
    best = sorted(scores, key=lambda cid: (-scores[cid], cid))[:k]
    return [Hit(rank=i, score=scores[cid], chunk=row_to_chunk(rows[cid])) for i, cid in enumerate(best, 1)]
