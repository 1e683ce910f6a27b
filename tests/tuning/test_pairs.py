"""Pair mining per kind, selection across kinds, and the evaluation guard."""

from __future__ import annotations

from pathlib import Path

import pytest

from mcdewey.library import read_document
from mcdewey.pairs import EvalGuard, EvalLeak, Pair, count_kinds, is_question, mine_document, mine_pairs, select_pairs


def _pairs(library: Path, doc: str) -> list[Pair]:
    return list(mine_document(read_document(library, doc)))


def test_section_pairs_anchor_product_title_and_path(widget_library):
    pairs = [p for p in _pairs(widget_library, "acme/widget/1.0/guide.md") if p.kind == "section"]
    by_anchor = {p.anchor: p.positive for p in pairs}
    assert by_anchor["widget: Widget guide > Logging"].startswith("Logs go to syslog by default")
    assert by_anchor["widget: Widget guide"].startswith("The widget connects calls")
    assert not any(p.positive.lstrip().startswith("#") for p in pairs)  # the heading line is not the passage


def test_faq_pairs_question_heading_to_answer(widget_library):
    pairs = [p for p in _pairs(widget_library, "acme/widget/1.0/faq.md") if p.kind == "faq"]
    assert {p.anchor: p.positive[:24] for p in pairs} == {
        "What is a widget?": "A widget is a call switc",
        "Can the widget record calls?": "Yes: set record_calls to",
    }


def test_identifier_pairs_from_headings_and_definition_lines(widget_library):
    pairs = {p.anchor: p.positive for p in _pairs(widget_library, "acme/widget/1.0/guide.md")
             if p.kind == "identifier"}
    assert pairs["natping_interval"].startswith("Period in seconds between NAT keepalive pings")
    assert pairs["db_mode"].startswith("How the module writes location records")
    assert pairs["tls_verify_server"].startswith("When set, the client verifies")
    assert "Parameters" not in pairs  # a plain heading is a section, not an identifier


@pytest.mark.parametrize("heading, expected", [
    ("How do I restart the widget?", True), ("2.3 What machines does R run on?", True),
    ("Can the widget record calls", True), ("Logging", False), ("Is", False), ("Parameters?", True),
])
def test_is_question(heading, expected):
    assert is_question(heading) is expected


def test_mine_pairs_drops_repeated_anchors_and_passages():
    from mcdewey.models import Document, SectionSpan

    text = "# Install\n\nRun the installer and accept the licence to finish the set-up of the product here.\n"
    docs = [Document(f"acme/p/1/{n}.md", "acme", "p", "1", "Install", text, "markdown",
                     sections=[SectionSpan(0, len(text), ("Install",))]) for n in ("a", "b")]
    assert len(mine_pairs(docs)) == 1


def test_select_pairs_takes_each_kind_in_turn():
    pairs = [Pair("section", f"s{i}", f"p{i}", "d") for i in range(50)] + [Pair("faq", "f?", "answer", "d")]
    chosen = select_pairs(pairs, 4, seed=1)
    assert len(chosen) == 4 and count_kinds(chosen)["faq"] == 1
    assert select_pairs(pairs, None) and len(select_pairs(pairs, None)) == 51


def test_guard_refuses_training_text_equal_to_an_eval_query():
    guard = EvalGuard(["What is a widget?"])
    leaked = [Pair("faq", "what is a  Widget", "A widget is a switch.", "d"), Pair("section", "x", "y z", "d")]
    with pytest.raises(EvalLeak, match="contain evaluation text"):
        guard.check(leaked)
    kept, dropped = guard.drop(leaked)
    assert [p.anchor for p in dropped] == ["what is a  Widget"] and [p.anchor for p in kept] == ["x"]


def test_guard_matches_whole_words_only():
    guard = EvalGuard(["What is R?"])
    guard.check([Pair("section", "r: Install", "This explains what is required to build R.", "d")])
    with pytest.raises(EvalLeak):
        guard.check([Pair("section", "r: FAQ", "The first question, what is R, has a short answer.", "d")])


def test_guard_from_sets_reads_queries_and_quotes(widget_library, eval_set):
    guard = EvalGuard.from_sets([eval_set.parent.parent])
    kept, dropped = guard.drop(mine_pairs([read_document(widget_library, d) for d in
                                           ("acme/widget/1.0/faq.md", "acme/widget/1.0/guide.md")]))
    assert {p.anchor for p in dropped} == {"What is a widget?", "widget: Widget guide > Logging"}
    guard.check(kept)
    assert guard.sources == [str(eval_set)]


@pytest.mark.parametrize("heading, identifier", [
    ("3.1. natping_interval (integer)", "natping_interval"), ("ssl:connect/3", "ssl:connect/3"),
    ("other_config:stats-update-interval", "other_config:stats-update-interval"), ("BridgeInfo", "BridgeInfo"),
    ("Auto-Accept", None), ("Set-up guide", None), ("e.g. this", None), ("Parameters", None),
])
def test_identifier_headings(heading, identifier):
    from mcdewey.pairs import _IDENT_HEADING

    match = _IDENT_HEADING.match(heading)
    assert (match.group(1) if match else None) == identifier
