"""Ranking steps after retrieval: fusion, soft product/version boosts, duplicates, neighbour expansion."""

from __future__ import annotations

from dataclasses import replace

import pytest

from mcdewey.models import Chunk
from mcdewey.ranking import (Scope, boost_scope, collapse_duplicates, convex, merge_adjacent, named_scope, ordered,
                             passage_chunk, product_aliases, rrf)

CATALOG = [("cz-nic", "bird", "1.6.8"), ("cz-nic", "bird", "2.0.12"), ("kamailio", "kamailio", "5.6.3"),
           ("kamailio", "kamailio", "6.0"), ("amazon", "amazon-connect", "2023-06"),
           ("sangoma", "asterisk", "18"), ("sangoma", "asterisk", "latest"), ("r-project", "r", "4.2.2")]


def chunk(cid: str, doc: str = "v/p/1/d.md", product: str = "p", version: str = "1", start: int = 0,
          end: int = 10, page: int | None = None, ord: int | None = None) -> Chunk:
    position = ord if ord is not None else int(cid.rsplit("::", 1)[1]) if "::" in cid else 0
    return Chunk(chunk_id=cid, doc_id=doc, vendor="v", product=product, version=version, title="T",
                 start=start, end=end, page_start=page, page_end=page, page_label_start=None,
                 page_label_end=None, section=("S",), text="x" * (end - start), tokens=end - start, ord=position)


def test_rrf_hand_worked():
    scores = rrf([(1.0, [("a", 9.0), ("b", 8.0)]), (2.0, [("b", 1.0), ("c", 0.5)])], rrf_k=10)
    assert scores["a"] == pytest.approx(1 / 11)
    assert scores["b"] == pytest.approx(1 / 12 + 2 / 11)
    assert scores["c"] == pytest.approx(2 / 12)
    assert [cid for cid, _ in ordered(scores)] == ["b", "c", "a"]


def test_convex_normalizes_each_ranking_and_keeps_score_gaps():
    vector = [("a", 0.9), ("b", 0.5), ("c", 0.1)]  # a is far ahead in the vector ranking
    keyword = [("c", 30.0), ("b", 29.0), ("a", 10.0)]  # c and b nearly tie in the keyword ranking
    scores = convex([(1.0, vector), (1.0, keyword)])
    assert scores["a"] == pytest.approx(1.0 + 0.0)
    assert scores["b"] == pytest.approx(0.5 + 0.95)
    assert scores["c"] == pytest.approx(0.0 + 1.0)
    assert convex([(2.0, [("only", 3.0)])]) == {"only": 2.0}  # a sole candidate is its ranking's best


def test_ordered_breaks_ties_by_chunk_id_and_cuts_at_k():
    assert ordered({"b": 1.0, "a": 1.0, "c": 2.0}, 2) == [("c", 2.0), ("a", 1.0)]


def test_product_aliases_skip_short_and_split_hyphenated_names():
    assert product_aliases("amazon", "amazon-connect") == {"amazon connect", "amazonconnect", "amazon"}
    assert product_aliases("r-project", "r") == set()


@pytest.mark.parametrize("query, products, versions", [
    ("bird 1.6.8 roa table", {"bird"}, {("bird", "1.6.8")}),
    ("migrating a bird 1.6 config to bird 2", {"bird"}, {("bird", "1.6.8"), ("bird", "2.0.12")}),
    ("kamailio 6.0 #!ifexp directive", {"kamailio"}, {("kamailio", "6.0")}),
    ("latest Asterisk docs: Macro or Gosub?", {"asterisk"}, {("asterisk", "latest")}),
    ("Amazon Connect CCP logs", {"amazon-connect"}, set()),
    ("priority 1 with 30s delay in a queue", set(), set()),  # numbers alone name no version
    ("bird 6 routes", {"bird"}, set()),  # a number after the name that is no version of it
])
def test_named_scope(query, products, versions):
    scope = named_scope(query, CATALOG)
    assert set(scope.products) == products
    assert set(scope.versions) == versions


def test_boost_scope_is_soft_and_ranks_named_product_and_version_first():
    chunks = {"a": chunk("a", product="other"), "b": chunk("b", product="bird", version="1.6.8"),
              "c": chunk("c", product="bird", version="2.0.12")}
    ranking = [("a", 1.0), ("b", 0.8), ("c", 0.7)]
    by_product = boost_scope(ranking, chunks, Scope(frozenset({"bird"})), 0.5)
    assert [cid for cid, _ in by_product] == ["b", "c", "a"]  # the other product stays, below
    assert dict(by_product)["b"] == pytest.approx(1.2)
    by_version = boost_scope(ranking, chunks, Scope(frozenset({"bird"}), frozenset({("bird", "2.0.12")})), 0.5)
    assert [cid for cid, _ in by_version] == ["c", "b", "a"]
    assert boost_scope(ranking, chunks, Scope(), 0.5) == ranking
    assert boost_scope(ranking, chunks, Scope(frozenset({"bird"})), 0.0) == ranking


def test_merge_adjacent_joins_neighbours_and_frees_slots():
    chunks = {c.chunk_id: c for c in [
        chunk("d::4", start=40, end=50), chunk("d::5", start=52, end=60), chunk("e::1", doc="v/p/1/e.md"),
        chunk("d::3", start=30, end=38), chunk("d::9", start=90, end=99), chunk("d::2", start=20, end=28)]}
    ranking = [("d::4", 0.9), ("e::1", 0.8), ("d::5", 0.7), ("d::3", 0.6), ("d::9", 0.5), ("d::2", 0.4)]
    passages = merge_adjacent(ranking, chunks, k=3, max_chunks=3)
    assert [[c.chunk_id for c in group] for group, _ in passages] == [["d::3", "d::4", "d::5"], ["e::1"], ["d::9"]]
    assert [score for _, score in passages] == [0.9, 0.8, 0.5]
    singles = merge_adjacent(ranking, chunks, k=2, max_chunks=1)
    assert [[c.chunk_id for c in group] for group, _ in singles] == [["d::4"], ["e::1"]]


def test_passage_chunk_spans_the_document_text_and_pages():
    doc_text = "".join(chr(ord("a") + i % 26) for i in range(100))
    group = [chunk("d::3", start=30, end=38, page=2), chunk("d::4", start=40, end=50, page=3)]
    merged = passage_chunk(group, doc_text)
    assert (merged.chunk_id, merged.start, merged.end) == ("d::3", 30, 50)
    assert merged.text == doc_text[30:50]
    assert (merged.page_start, merged.page_end) == (2, 3)
    assert passage_chunk(group, None) is group[0]  # no document text: no made-up text between chunks
    assert passage_chunk(group[:1], doc_text) is group[0]


def test_collapse_duplicates_drops_near_copies_from_other_documents_only():
    base = "bgp prevents routing loops by rejecting received routes with the local as number in the as path"
    texts = {"a": (base, "v/p/1/a.md"), "b": (base + " always", "v/p/2/a.md"),
             "c": ("something else entirely about ospf areas and the backbone", "v/p/2/a.md"),
             "d": (base, "v/p/1/a.md")}  # same document: a neighbour's repeat is not a version copy
    chunks = {cid: replace(chunk(cid, doc=doc), text=text) for cid, (text, doc) in texts.items()}
    ranking = [("a", 4.0), ("b", 3.0), ("c", 2.0), ("d", 1.0)]
    assert [cid for cid, _ in collapse_duplicates(ranking, chunks, 0.8)] == ["a", "c", "d"]
    assert collapse_duplicates(ranking, chunks, 1.01) == ranking
