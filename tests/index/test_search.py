"""Search modes rank the right chunk first, filters prefilter in every mode, odd queries never raise."""

import pytest

from mcdewey.models import Filters
from mcdewey.search import MODES, SearchConfig, keyword_query, search


@pytest.mark.parametrize("mode", MODES)
def test_each_mode_finds_the_chunk_about_the_query(built, mode):
    index, _ = built
    hits = search(index, "BGP neighbor AS number", k=5, mode=mode)
    assert hits and hits[0].chunk.doc_id == "acme/router/1.0/guide/routing.md"
    assert [h.rank for h in hits] == list(range(1, len(hits) + 1))
    assert all(a.score >= b.score for a, b in zip(hits, hits[1:]))


@pytest.mark.parametrize("mode", MODES)
def test_filters_apply_before_ranking_so_k_hits_come_back(built, mode):
    index, _ = built
    # The query matches acme documents best, but only initech chunks may be returned: a post-filter
    # over the unfiltered top k would return fewer than k.
    query = "packet frame codec latency" if mode == "keyword" else "BGP neighbor static route"
    hits = search(index, query, k=7, mode=mode, filters=Filters(vendor="initech", version="2.0"))
    assert len(hits) == 7
    assert {(h.chunk.vendor, h.chunk.version) for h in hits} == {("initech", "2.0")}


@pytest.mark.parametrize("mode", MODES)
def test_product_and_doc_prefix_filters(built, mode):
    index, _ = built
    hits = search(index, "route", k=10, mode=mode, filters=Filters(product="router"))
    assert hits and {h.chunk.product for h in hits} == {"router"}
    hits = search(index, "route static", k=10, mode=mode, filters=Filters(doc_prefix="acme/router/2.0/"))
    assert hits and {h.chunk.doc_id for h in hits} == {"acme/router/2.0/guide/routing.md"}


@pytest.mark.parametrize("query", ['"unbalanced', "key:value (group", "what? -not +must", "AND OR NOT", "*", "'; drop"])
@pytest.mark.parametrize("mode", MODES)
def test_fts_syntax_in_queries_never_raises(built, query, mode):
    index, _ = built
    assert isinstance(search(index, query, k=3, mode=mode), list)


def test_keyword_query_keeps_only_words():
    assert keyword_query('port:179 (BGP) "peer"?') == "port 179 BGP peer"


def test_quoted_filter_values_are_escaped(built):
    index, _ = built
    assert search(index, "route", k=3, filters=Filters(vendor="o'brien")) == []


def test_hybrid_weights_change_the_fusion(built):
    index, _ = built
    only_keyword = SearchConfig(vector_weight=0.0)
    fused = search(index, "echo cancellation", k=5, mode="hybrid", config=only_keyword)
    keyword = search(index, "echo cancellation", k=5, mode="keyword")
    assert [h.chunk.chunk_id for h in fused][: len(keyword)] == [h.chunk.chunk_id for h in keyword]


def test_hits_are_page_exact_and_serializable(built):
    index, _ = built
    hit = search(index, "TFTP server DHCP option 150", k=1)[0]
    data = hit.to_dict()
    assert data["doc_id"] == "globex/phone/3.1/admin/provisioning.txt"
    doc = index.get_document(data["doc_id"])
    assert doc.text[data["start"] : data["end"]] == data["text"]
    assert "option 150" in data["text"]
    page = doc.page_at(data["start"])
    assert data["page_start"] == (page.page if page else None)


def test_bad_mode_is_a_clear_error(built):
    index, _ = built
    with pytest.raises(ValueError, match="hybrid"):
        search(index, "x", mode="semantic")


@pytest.fixture
def built_with_ann(library, workspace, monkeypatch):
    """The library indexed with an approximate vector index, as a big library would be."""
    from mcdewey import store
    from mcdewey.ingest import ingest

    monkeypatch.setattr(store, "VECTOR_INDEX_MIN_ROWS", 10)
    ingest(library, workspace, "ann", model="fake", progress=False)
    return workspace.open_index("ann")


def test_ann_index_agrees_with_exact_search_and_prefilters(built, built_with_ann):
    exact, _ = built
    ann = built_with_ann
    assert ann.has_vector_index() and not exact.has_vector_index()
    for query in ("BGP neighbor AS number", "echo cancellation", "VLAN trunk ports"):
        a = search(exact, query, k=5, mode="vector")
        b = search(ann, query, k=5, mode="vector")
        assert a[0].chunk.chunk_id == b[0].chunk.chunk_id
        assert a[0].score == pytest.approx(b[0].score, abs=0.02)
    hits = search(ann, "BGP neighbor static route", k=7, mode="vector", filters=Filters(vendor="initech", version="2.0"))
    assert len(hits) == 7 and {h.chunk.version for h in hits} == {"2.0"}


def test_lookups_agree_between_memory_and_lancedb_paths(built, built_with_ann):
    exact, _ = built
    doc_id = "initech/gateway/2.0/ref/chapter-1.md"
    chunks = exact.doc_chunks(doc_id)
    assert built_with_ann.doc_chunks(doc_id) == chunks and len(chunks) > 3
    assert built_with_ann.get_chunk(chunks[1].chunk_id) == exact.get_chunk(chunks[1].chunk_id) == chunks[1]
    for before, after in ((1, 1), (0, 2), (5, 0)):
        assert built_with_ann.neighbours(chunks[2].chunk_id, before, after) == \
            exact.neighbours(chunks[2].chunk_id, before, after)
    assert built_with_ann.get_chunk("missing::1") is None and exact.neighbours("missing::1") == []


def test_reciprocal_rank_fusion_hand_worked():
    from mcdewey.search import fuse

    vector = [("a", 0.9), ("b", 0.8), ("c", 0.7)]
    keyword = [("c", 12.0), ("a", 3.0)]
    fused = fuse(vector, keyword, 3, SearchConfig(rrf_k=60, fusion="rrf", keyword_weight=1.0))
    assert [cid for cid, _ in fused] == ["a", "c", "b"]
    assert fused[0][1] == pytest.approx(1 / 61 + 1 / 62)
    assert fused[2][1] == pytest.approx(1 / 62)
    weighted = fuse(vector, keyword, 2, SearchConfig(rrf_k=60, fusion="rrf", vector_weight=0.0))
    assert [cid for cid, _ in weighted] == ["c", "a"]


def test_keyword_field_search_text_also_matches_title_and_section(built):
    index, _ = built
    doc = "initech/gateway/1.0/ref/chapter-3.md"
    chunks = index.doc_chunks(doc)
    in_text = search(index, "chapter", k=50, mode="keyword", filters=Filters(doc_prefix=doc),
                     config=SearchConfig(keyword_field="text", passage_chunks=1))
    with_title = search(index, "chapter", k=50, mode="keyword", filters=Filters(doc_prefix=doc),
                        config=SearchConfig(keyword_field="search_text", passage_chunks=1))
    assert len(in_text) < len(with_title) == len(chunks)
