"""Search an index by meaning (vector), by words (keyword, BM25) or both (hybrid: the two rankings fused)."""

from __future__ import annotations

import functools
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, fields, replace

from mcdewey import expansion, identifiers, query_signals, ranking, versions
from mcdewey.models import Filters, Hit
from mcdewey.store import Index
from mcdewey.vocabulary import MODES, check_fusion, check_mode  # noqa: F401  (MODES: re-exported)

MAX_ALSO_IN = 50  # copies a hit names (boilerplate can repeat in hundreds of documents); `versions` names all
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
    refine_factor: int = 1  # vector index only: re-rank the candidates with exact distances (SQ scores are rough);
    # 1 re-ranks the `candidates` themselves: recall@10 0.998 at 1 M chunks, 2-3x faster than 5 (docs/performance.md)
    fusion: str = "convex"  # vocabulary.FUSIONS: "convex" (weighted min-max normalized scores) or "rrf" (reciprocal rank)
    scope_boost: float = 0.5  # soft filter: x(1 + boost) for chunks of a product (and again a version) the query names
    passage_chunks: int = 3  # neighbour expansion: a hit next to a better one joins it, up to this many chunks a hit
    collapse_duplicates: float = 0.0  # > 0: drop near-copies (trigram Jaccard >= this) of a better hit in another doc
    collapse_versions: bool = True  # one hit per passage linked across versions and copies (mcdewey.versions)
    identifiers: bool = False  # keyword search on ident_text, the query analysed alike (mcdewey.identifiers)
    prf_terms: int = 0  # > 0: pseudo-relevance feedback adds this many library words to the keyword query
    prf_weight: float = 0.3  # weight of the feedback ranking against the query's own (mcdewey.expansion)
    adaptive_fusion: bool = False  # hybrid weights scaled per query by its signals (mcdewey.query_signals)

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
           config: SearchConfig | None = None, collapse_versions: bool | None = None) -> list[Hit]:
    """The k best chunks for `query`; filters restrict the candidates before ranking.

    A passage held by several versions (or documents) is one hit, shown from the newest version the
    filters allow, unless `collapse_versions` (default: the config's) is off (mcdewey.versions).
    An unknown version raises versions.UnknownVersion; version "latest" means each product's newest.
    """
    check_mode(mode)
    if k <= 0 or not query.strip():
        return []
    config = config or SearchConfig.of_index(index)
    collapse_versions = config.collapse_versions if collapse_versions is None else collapse_versions
    asked, (filters, latest) = filters, versions.resolve_filters(index, filters)
    where = filters if filters and not filters.is_empty() else None
    ctx = _VersionView(index.passages() if hasattr(index, "passages") else None, collapse_versions, filters,
                       latest if filters is None or not filters.product else {})
    steps = config.scope_boost > 0 or config.passage_chunks > 1 or config.collapse_duplicates > 0 or bool(ctx)
    depth = max(k, config.candidates) if mode == "hybrid" or steps else k
    if mode == "vector":
        ranked = _vector_ranking(index, query, depth, where, config)
    elif mode == "keyword":
        ranked = _keyword_ranking(index, query, depth, where, config)
    else:
        # The keyword search (Rust) runs while the query is embedded: both release the GIL.
        keyword = _pool().submit(_keyword_ranking, index, query, depth, where, config)
        vector = _vector_ranking(index, query, depth, where, config)
        ranked = fuse(vector, keyword.result(), depth, _fusion_config(index, query, config))
    chunks = index.chunks([cid for cid, _ in (ranked if steps else ranked[:k])])
    hits = _hits(index, query, ranked, chunks, k, config, ctx)
    if ctx and len(hits) < k <= len(ranked) == depth and depth < 8 * max(k, SearchConfig.candidates):
        # Collapsed copies or a resolved `latest` left fewer than k: read twice as deep while more exist.
        return search(index, query, k, mode, asked, replace(config, candidates=2 * depth), collapse_versions)
    return hits


@dataclass(frozen=True)
class _VersionView:
    """How versions shape one search: passage groups to collapse, the filters, `latest` pairs."""

    groups: versions.PassageGroups | None
    collapse: bool
    filters: Filters | None
    latest: dict

    def __bool__(self) -> bool:
        return bool(self.groups) or bool(self.latest)

    def ok(self, copy: versions.Copy) -> bool:
        return versions.allowed(copy, self.filters, self.latest)


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
    """Chunk ids by BM25 score (identifier analysis and feedback expansion when the config asks)."""
    text = identifiers.query_text(query) if config.identifiers else keyword_query(query)
    field = identifiers.field_for(index, config.keyword_field) if config.identifiers else config.keyword_field
    if not text:
        return []
    ranked = index.keyword_ranking(text, k, where, field)
    if config.prf_terms > 0:
        ranked = expansion.expand(
            query, ranked, lambda ids: {cid: c.text for cid, c in index.chunks(ids).items()},
            lambda terms: index.keyword_ranking(terms, k, where, field), config.prf_terms, config.prf_weight, k)
    return ranked


def _fusion_config(index: Index, query: str, config: SearchConfig) -> SearchConfig:
    """The config whose weights fuse this query's rankings: the configured ones, or per query
    (adaptive_fusion) scaled by the signals the query carries."""
    if not config.adaptive_fusion:
        return config
    named = bool(ranking.named_scope(query, _catalog(index))) if hasattr(index, "library_summary") else False
    vw, kw = query_signals.weights(query_signals.signals(query, named), config.vector_weight, config.keyword_weight)
    return replace(config, vector_weight=vw, keyword_weight=kw)


def fuse(vector: list[tuple[str, float]], keyword: list[tuple[str, float]], k: int,
         config: SearchConfig) -> list[tuple[str, float]]:
    """The two rankings fused by `config.fusion` (convex by default, or reciprocal rank); ties break by chunk id."""
    weighted = ((config.vector_weight, vector), (config.keyword_weight, keyword))
    if check_fusion(config.fusion) == "convex":
        return ranking.ordered(ranking.convex(weighted), k)
    return ranking.ordered(ranking.rrf(weighted, config.rrf_k), k)


def _hits(index: Index, query: str, ranked: list[tuple[str, float]], chunks: dict, k: int,
          config: SearchConfig, ctx: _VersionView | None = None) -> list[Hit]:
    """The post-retrieval steps of ranking.py (soft product/version boost, one hit per passage across
    versions, neighbour expansion), then k hits."""
    scope = ranking.named_scope(query, _catalog(index)) if config.scope_boost > 0 or ctx else None
    if ctx and ctx.latest:
        ranked = [(cid, s) for cid, s in ranked if ctx.latest.get(versions.chunk_scope(cid)[0])
                  == versions.chunk_scope(cid)[1]]
    if scope and config.scope_boost > 0 and len(ranked) > 1:
        ranked = ranking.boost_scope(ranked, chunks, scope, config.scope_boost)
    if ctx and ctx.groups and ctx.collapse:
        named: dict[str, set[str]] = {}
        for product, version in (scope.versions if scope else ()):
            named.setdefault(product, set()).add(version)
        ranked = versions.collapse(ranked, ctx.groups, ctx.ok, named)
        chunks.update(index.chunks([cid for cid, _ in ranked if cid not in chunks]))
    if config.collapse_duplicates > 0:
        ranked = ranking.collapse_duplicates(ranked, chunks, config.collapse_duplicates)
    if config.passage_chunks > 1:
        passages = ranking.merge_adjacent(ranked, chunks, k, config.passage_chunks)
        texts = index.document_texts([group[0].doc_id for group, _ in passages if len(group) > 1])
        found = [(ranking.passage_chunk(group, texts.get(group[0].doc_id)), score, group)
                 for group, score in passages]
    else:
        found = [(chunks[cid], score, [chunks[cid]]) for cid, score in ranked if cid in chunks][:k]
    if not (ctx and ctx.groups):
        return [Hit(rank=i, score=score, chunk=chunk) for i, (chunk, score, _) in enumerate(found, 1)]
    return _with_copies(index, ctx.groups, found)


def _with_copies(index: Index, groups: versions.PassageGroups, found: list) -> list[Hit]:
    """Hits that name every version of their passage and its other copies (the first MAX_ALSO_IN)."""
    others = [list(dict.fromkeys(o for c in members for o in groups.others(c.chunk_id)
                                 if o.chunk_id not in {m.chunk_id for m in members})) for _, _, members in found]
    copies = index.chunks(sorted({o.chunk_id for row in others for o in row[:MAX_ALSO_IN]}))
    hits = []
    for i, ((chunk, score, _), row) in enumerate(zip(found, others), 1):
        extra = tuple(copies[o.chunk_id] for o in row[:MAX_ALSO_IN] if o.chunk_id in copies)
        hits.append(Hit(rank=i, score=score, chunk=chunk, copies=extra,
                        versions=tuple(versions.order_versions([chunk.version, *(o.version for o in row)]))))
    return hits


def _catalog(index: Index) -> list[tuple[str, str, str]]:
    """(vendor, product, version) of every indexed document group, from the manifest (no table scan)."""
    return [(g["vendor"], g["product"], g["version"]) for g in index.library_summary()]
