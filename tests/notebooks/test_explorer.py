"""The search explorer and the experiment panel: their callbacks, driven through the widgets' values."""

from __future__ import annotations

import pytest

from mcdewey.widgets import ANY, ExperimentPanel, SearchExplorer, cards_frame, explore, facet_options, render_cards
from mcdewey.lab import Lab, Setup


def test_facet_options_narrow_with_vendor_and_product(demo):
    index = demo[3]
    assert facet_options(index)["vendor"] == ["debian", "ietf"]
    assert facet_options(index, "ietf")["product"] == ["bgp", "ospf"]
    assert facet_options(index, "debian", "apt")["version"] == ["2.2", "2.6"]


def test_explore_cards_carry_page_and_chunk_id(demo):
    index = demo[3]
    cards = explore(index, "BGP hold time default", k=3)
    assert 1 <= len(cards) <= 3 and [c["rank"] for c in cards] == list(range(1, len(cards) + 1))
    for card in cards:
        chunk = index.get_chunk(card["chunk_id"])
        # A hit is a passage: its first chunk, joined by neighbours that ranked too (SearchConfig.passage_chunks).
        doc_text = index.get_document(chunk.doc_id).text
        assert card["page"] == chunk.page_start and card["source"] == chunk.source
        assert card["text"].startswith(chunk.text) and card["text"] in doc_text
    assert cards[0]["product"] == "bgp" and cards[0]["page"] == 2
    assert list(cards_frame(cards)["chunk_id"]) == [c["chunk_id"] for c in cards]


def test_explore_applies_filters(demo):
    cards = explore(demo[3], "hold a package", product="apt", version="2.2", k=10)
    assert cards and {(c["product"], c["version"]) for c in cards} == {("apt", "2.2")}


def test_render_cards_escapes_text():
    card = {"rank": 1, "score": 0.5, "page": None, "page_label": None, "source": "a/b/<c>.md", "chunk_id": "x::1",
            "section": "A > <B>", "text": "<script>alert(1)</script>"}
    out = render_cards([card])
    assert "<script>" not in out and "&lt;script&gt;" in out and "chunk_id x::1" in out
    assert render_cards([]) == "<p><em>No results.</em></p>"


def test_search_explorer_searches_on_query_and_filters(demo):
    index = demo[3]
    explorer = SearchExplorer(index)
    assert explorer.cards == [] and explorer.results.value == ""
    explorer.query.value = "hold a package"  # observing the value runs the search
    assert explorer.cards and all(c["chunk_id"] in explorer.results.value for c in explorer.cards)
    explorer.vendor.value = "debian"
    assert list(explorer.product.options) == [ANY, "apt", "dpkg"]
    explorer.product.value = "apt"
    explorer.version.value = "2.2"
    explorer.mode.value = "keyword"
    cards = explorer.search()
    assert cards == explore(index, "hold a package", "debian", "apt", "2.2", "keyword", explorer.k.value)
    explorer.vendor.value = "ietf"  # apt is not an ietf product: the dependent choices reset
    assert explorer.product.value == ANY and explorer.version.value == ANY


def test_experiment_panel_runs_the_controls_setup(demo, demo_query_list):
    lab = Lab(demo[0], demo[2], demo_query_list, model="fake")
    panel = ExperimentPanel(lab, sizes=(64, 128))
    panel.strategy.value = "fixed"
    panel.size.value = 64
    panel.overlap.value = 16
    panel.mode.value = "keyword"
    panel.k.value = 5
    assert panel.setup() == Setup("fixed", 64, 16, True, "keyword", 5)  # context on: every strategy's default
    frame = panel.run()
    assert list(frame["setup"]) == [panel.setup().label]
    assert frame.iloc[0]["hit@5"] == pytest.approx(lab.results[panel.setup()].summary()["hit@5"])
    assert "fixed 64/16" in panel.status.value and "<table" in panel.table.value
    assert panel.plot.value[:4] == b"\x89PNG"


def test_experiment_panel_subset_has_its_own_history(demo, demo_query_list):
    lab = Lab(demo[0], demo[2], demo_query_list, model="fake")
    panel = ExperimentPanel(lab, sizes=(128,))
    panel.tags.value = ("ospf",)
    frame = panel.run()
    subset = panel.lab()
    assert subset is not lab and len(subset.queries) == sum("ospf" in q.tags for q in demo_query_list)
    assert frame.iloc[0]["ndcg@10"] == pytest.approx(subset.results[panel.setup()].summary()["ndcg@10"])
    assert lab.results == {}


def test_experiment_panel_shows_a_failing_setup_instead_of_raising(demo, demo_query_list):
    lab = Lab(demo[0], demo[2], demo_query_list, model="fake")
    panel = ExperimentPanel(lab, strategies=("recursive", "no-such-strategy"), sizes=(128,))
    panel.strategy.value = "no-such-strategy"
    panel.button.click()
    assert "ValueError" in panel.status.value and "no-such-strategy" in panel.status.value
    assert lab.results == {}
