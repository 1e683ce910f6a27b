"""Search an index by meaning (vector), by words (keyword, BM25) or both (hybrid: the two rankings fused)."""

from __future__ import annotations

import functools
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, fields

from mcdewey import ranking
from mcdewey.models import Filters, Hit
from mcdewey.store import Index
from mcdewey.vocabulary import MODES, check_fusion, check_mode  # noqa: F401  (MODES: re-exported)
_WORD = re.compile(r"\w+", re.UNICODE)


@dataclass(frozen=True)
class SearchConfig:
    """How hybrid fusion and the vector index behave; stored in each index's manifest under "search".

    The defaults are the best set-up measured on the labeled query sets (docs/retrieval-quality.md).
    """

    vector_weight: float = 1.0
    keyword_weight: float = 1.5  # keyword evidence counts a little more than meaning (dev: +0.05 nDCG@10)
    rrf_k: int = 60  # the constant of reciprocal-rank fusion: 1 / (rrf_k + rank)
    candidates: int = 100  # how deep each ranking is read before fusing and the steps below (at least k)
    keyword_field: str = "search_text"  # "search_text" (title + section path + text) or "text"
    nprobes: int = 0  # vector index only; 0 = LanceDB default
    refine_factor: int = 5  # vector index only: re-rank 5k candidates with exact distances (SQ scores are rough)
    fusion: str = "convex"  # vocabulary.FUSIONS: "convex" (weighted min-max normalized scores) or "rrf" (reciprocal rank)
    scope_boost: float = 0.5  # soft filter: x(1 + boost) for chunks of a product (and again a version) the query names
    passage_chunks: int = 3  # neighbour expansion: a hit next to a better one joins it, up to this many chunks a hit
    collapse_duplicates: float = 0.0  # > 0: drop near-copies (trigram Jaccard >= this) of a better hit in another doc

    def __post_init__(self) -> None:
        check_fusion(self.fusion)

    @classmethod
    def from_dict(cls, data: dict | None) -> "SearchConfig":
        """A config from its dict; an unknown key (a typo, or a setting of another version) is refused."""
        known = [f.name for f in fields(cls)]
        unknown = sorted(set(data or {}) - set(known))
        if unknown:
            raise ValueError(f"unknown search setting(s) {', '.join(unknown)}; known: {', '.join(known)}")
        return cls(**(data or {}))

    def with_overrides(self, settings: dict | None) -> "SearchConfig":
        """This config with `settings` (checked like from_dict) replacing some values."""
        return SearchConfig.from_dict({**self.to_dict(), **(settings or {})})

    @classmethod
    def of_index(cls, index: Index) -> "SearchConfig":
        """The search set-up recorded with the index; settings this version no longer has are ignored."""
        known = {f.name for f in fields(cls)}
        return cls.from_dict({k: v for k, v in index.manifest.search.items() if k in known})

    def to_dict(self) -> dict:
        return asdict(self)


def keyword_query(query: str) -> str:
    """The query as plain words: FTS syntax characters (quotes, colons, parentheses, '?', '-') never reach the parser."""
    return " ".join(_WORD.findall(query))


def search(index: Index, query: str, k: int = 10, mode: str = "hybrid", filters: Filters | None = None,
           config: SearchConfig | None = None) -> list[Hit]:
    """The k best chunks for `query`; filters restrict the candidates before ranking."""
    check_mode(mode)
    if k <= 0 or not query.strip():
        return []
    config = config or SearchConfig.of_index(index)
    where = filters if filters and not filters.is_empty() else None
    steps = config.scope_boost > 0 or config.passage_chunks > 1 or config.collapse_duplicates > 0
    depth = max(k, config.candidates) if mode == "hybrid" or steps else k
    if mode == "vector":
        ranked = _vector_ranking(index, query, depth, where, config)
    elif mode == "keyword":
        ranked = _keyword_ranking(index, query, depth, where, config)
    else:
        # The keyword search (Rust) runs while the query is embedded: both release the GIL.
        keyword = _pool().submit(_keyword_ranking, index, query, depth, where, config)
        vector = _vector_ranking(index, query, depth, where, config)
        ranked = fuse(vector, keyword.result(), depth, config)
    chunks = index.chunks([cid for cid, _ in (ranked if steps else ranked[:k])])
    return _hits(index, query, ranked, chunks, k, config)


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
    """The two rankings fused by `config.fusion` (convex by default, or reciprocal rank); ties break by chunk id."""
    weighted = ((config.vector_weight, vector), (config.keyword_weight, keyword))
    if check_fusion(config.fusion) == "convex":
        return ranking.ordered(ranking.convex(weighted), k)
    return ranking.ordered(ranking.rrf(weighted, config.rrf_k), k)


def _hits(index: Index, query: str, ranked: list[tuple[str, float]], chunks: dict, k: int,
          config: SearchConfig) -> list[Hit]:
    """The post-retrieval steps of ranking.py (soft product/version boost, neighbour expansion), then k hits."""
    if config.scope_boost > 0 and len(ranked) > 1:
        scope = ranking.named_scope(query, _catalog(index))
        if scope:
            ranked = ranking.boost_scope(ranked, chunks, scope, config.scope_boost)
    if config.collapse_duplicates > 0:
        ranked = ranking.collapse_duplicates(ranked, chunks, config.collapse_duplicates)
    if config.passage_chunks > 1:
        passages = ranking.merge_adjacent(ranked, chunks, k, config.passage_chunks)
        found = [(ranking.passage_chunk(group, _doc_text(index, group[0].doc_id)), score)
                 for group, score in passages]
    else:
        found = [(chunks[cid], score) for cid, score in ranked if cid in chunks][:k]
    return [Hit(rank=i, score=score, chunk=chunk) for i, (chunk, score) in enumerate(found, 1)]


def _doc_text(index: Index, doc_id: str) -> str | None:
    doc = index.get_document(doc_id)
    return doc.text if doc is not None else None


def _catalog(index: Index) -> list[tuple[str, str, str]]:
    """(vendor, product, version) of every indexed document group, from the manifest (no table scan)."""
    return [(g["vendor"], g["product"], g["version"]) for g in index.library_summary()]
