"""Adaptive fusion: the hybrid weights of each query come from the signals it carries."""

from __future__ import annotations

from mcdewey import query_signals as qs
from mcdewey.search import SearchConfig, _fusion_config


def test_signals_of_identifier_and_plain_questions():
    assert qs.signals("natping_interval default").identifier
    assert qs.signals("what does error E1234 mean").identifier
    long = qs.signals("why do my phones lose their registration a few minutes after they boot behind the router")
    assert not long.identifier and long.long_question
    assert not qs.signals("configure static route").long_question


def test_weights_follow_the_signals():
    assert qs.weights(qs.Signals(True, 2, False), 1.0, 1.5) == (1.0, 3.0)
    assert qs.weights(qs.Signals(False, 12, False), 1.0, 1.5) == (1.5, 1.5)
    assert qs.weights(qs.Signals(False, 3, True), 1.0, 2.0) == (1.0, 2.5)
    assert qs.weights(qs.Signals(False, 3, False), 1.0, 1.5) == (1.0, 1.5)


class _Index:
    def library_summary(self):
        return [{"vendor": "kamailio", "product": "kamailio", "version": "5.7"}]


def test_search_uses_per_query_weights_only_when_switched_on():
    off = SearchConfig()
    assert _fusion_config(_Index(), "db_mode values", off) is off
    on = SearchConfig(adaptive_fusion=True)
    assert _fusion_config(_Index(), "db_mode values", on).keyword_weight == 3.0
    named = _fusion_config(_Index(), "kamailio 5.7 usrloc", on)
    assert named.keyword_weight == 1.5 * 1.25 and named.vector_weight == 1.0


def test_round_two_levers_are_grid_search_variants(tmp_path):
    from mcdewey.evaluate.grid import load_grid

    path = tmp_path / "grid.yaml"
    path.write_text("models: [fake]\nmodes: [hybrid]\nstrategies: {recursive: {}}\nsearch:\n  - {}\n"
                    "  - {label: ident, identifiers: true}\n  - {label: prf, prf_terms: 10, prf_weight: 0.3}\n"
                    "  - {label: adaptive, adaptive_fusion: true}\n")
    grid = load_grid(path)
    assert [v.get("label") for v in grid.search] == [None, "ident", "prf", "adaptive"]


def test_acronyms_and_hyphenated_words_are_not_identifiers():
    for query in ("Amazon Connect CCP logs", "several CDRs of one call", "GNU/Linux", "hub-and-spoke BGP", "e.g. this"):
        assert not qs.signals(query).identifier, query
    for query in ("video_mode=sfu", "ssl:connect/3 fails", "net.ipv4.ip_forward", "maxConnections", "kamailio.cfg"):
        assert qs.signals(query).identifier, query
