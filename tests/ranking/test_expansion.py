"""Pseudo-relevance feedback: the best passages' shared words, searched again at a lower weight."""

from __future__ import annotations

import pytest
from data.build import build_index

from mcdewey import expansion
from mcdewey.search import SearchConfig, search


def test_feedback_terms_weigh_words_by_passage_score_and_skip_query_and_stop_words():
    passages = [("Keepalive keepalive requests reach the phone behind the router.", 2.0),
                ("The keepalive period and the registrar.", 1.0),
                ("Unrelated codec table.", 0.0)]
    terms = expansion.feedback_terms("phone router", passages, 3)
    assert terms[0] == "keepalive"
    assert "phone" not in terms and "the" not in terms and "codec" not in terms


def test_expand_fuses_the_feedback_ranking_at_a_lower_weight():
    first = [("a", 4.0), ("b", 2.0), ("c", 1.0)]
    texts = {"a": "keepalive period", "b": "keepalive timer", "c": "other"}
    asked = []

    def search(terms):
        asked.append(terms)
        return [("d", 5.0), ("b", 1.0)]

    out = expansion.expand("nat ping", first, lambda ids: {i: texts[i] for i in ids}, search, 2, 0.5, 10)
    assert asked and asked[0].split()[0] == "keepalive"
    scores = dict(out)
    assert out[0][0] == "a" and scores["a"] == pytest.approx(1.0)  # the query's own best stays first
    assert scores["d"] == pytest.approx(0.5)  # found only by the feedback words, at their weight
    assert scores["b"] == pytest.approx(1 / 3)  # 1.0 * (2-1)/(4-1) + 0.5 * 0 (min of the feedback ranking)


def test_expand_is_off_without_terms_or_weight():
    first = [("a", 1.0)]
    never = lambda _: pytest.fail("no second search when expansion is off")  # noqa: E731
    assert expansion.expand("q", first, lambda ids: {}, never, 0, 0.5, 5) == first
    assert expansion.expand("q", first, lambda ids: {"a": "words here"}, never, 5, 0.0, 5) == first
    assert expansion.expand("q", [], lambda ids: {}, never, 5, 0.5, 5) == []


DOCS = {
    "acme/phone/1.0/guide/keepalive.md": "# Keepalive\n\n## Period\n\nThe keepalive timer sends a keepalive "
                                         "probe to the registrar; keepalive failures mark the extension down.\n",
    "acme/phone/1.0/guide/lines.md": "# Lines\n\n## Registration\n\nA line drops registration when the "
                                     "phone sits behind NAT; enable the keepalive timer.\n",
    **{f"acme/phone/1.0/guide/other-{i}.md": f"# Other {i}\n\n## Part\n\nCodec table {i} lists payload types "
                                             f"and jitter buffers for topic {i}.\n" for i in range(4)},
}


@pytest.fixture(scope="module")
def index(tmp_path_factory):
    return build_index(tmp_path_factory.mktemp("prf"), DOCS)


def test_feedback_reaches_a_passage_without_the_query_words(index):
    query = "line drops registration behind NAT"
    plain = [h.chunk.doc_id for h in search(index, query, 5, "keyword", config=SearchConfig(passage_chunks=1))]
    assert "acme/phone/1.0/guide/keepalive.md" not in plain  # it shares no word with the query
    config = SearchConfig(passage_chunks=1, prf_terms=5, prf_weight=0.3)
    hits = [h.chunk.doc_id for h in search(index, query, 5, "keyword", config=config)]
    assert hits[0] == "acme/phone/1.0/guide/lines.md"
    assert "acme/phone/1.0/guide/keepalive.md" in hits
