"""The ranking steps as search() applies them, on a real (fake-embedded) index."""

from __future__ import annotations

import pytest

from mcdewey.search import MODES, SearchConfig, search


def _two_neighbours_query(index) -> tuple[str, list]:
    """A query made of the words of two consecutive chunks, so both rank high."""
    chunks = [c for c in index.doc_chunks("acme/router/1.0/guide/network.md") if "Charlie" in c.text
              or "Delta" in c.text]
    assert len(chunks) == 2 and chunks[1].index == chunks[0].index + 1
    return "Charlie firewalls sessions statefully; Delta gateways transcode voice codecs", chunks


@pytest.mark.parametrize("mode", MODES)
def test_passages_are_exact_document_text_and_never_overlap(index, mode):
    query, pair = _two_neighbours_query(index)
    hits = search(index, query, k=8, mode=mode, config=SearchConfig(passage_chunks=3), collapse_versions=False)
    assert 0 < len(hits) <= 8
    assert [h.rank for h in hits] == list(range(1, len(hits) + 1))
    spans = sorted((h.chunk.doc_id, h.chunk.start, h.chunk.end) for h in hits)
    for (d1, _, e1), (d2, s2, _) in zip(spans, spans[1:]):
        assert d1 != d2 or e1 <= s2
    for h in hits:
        assert index.get_document(h.chunk.doc_id).text[h.chunk.start:h.chunk.end] == h.chunk.text
    merged = [h for h in hits if h.chunk.doc_id == pair[0].doc_id and h.chunk.start <= pair[0].start
              and h.chunk.end >= pair[1].end]
    assert merged, "the two neighbouring chunks come back as one passage"


def test_passages_off_returns_plain_chunks(index):
    query, _ = _two_neighbours_query(index)
    hits = search(index, query, k=8, mode="keyword", config=SearchConfig(passage_chunks=1))
    assert all(h.chunk == index.get_chunk(h.chunk.chunk_id) for h in hits)


@pytest.mark.parametrize("mode", MODES)
def test_scope_boost_prefers_the_version_the_query_names(index, mode):
    query = "router 2.0 echo cancellers on analog lines"
    boosted = search(index, query, k=3, mode=mode, config=SearchConfig(scope_boost=1.0))
    assert boosted[0].chunk.product == "router" and boosted[0].chunk.version == "2.0"
    other = search(index, "router 1.0 echo cancellers on analog lines", k=3, mode=mode, config=SearchConfig(scope_boost=1.0))
    assert other[0].chunk.version == "1.0"
