"""One search vocabulary, checked on input: a typo fails with the choices instead of meaning something else."""

from __future__ import annotations

import pytest

from mcdewey.search import SearchConfig, fuse, search
from mcdewey.vocabulary import MODES, check_fusion, parse_modes


def test_one_mode_order_and_all():
    assert MODES == ("keyword", "vector", "hybrid") and parse_modes("all") == MODES
    with pytest.raises(ValueError, match="choose one of keyword, vector, hybrid"):
        parse_modes("hybird")


def test_a_fusion_typo_is_refused_not_taken_for_rrf():
    with pytest.raises(ValueError, match="unknown fusion 'rfr'; choose one of convex, rrf"):
        SearchConfig(fusion="rfr")
    with pytest.raises(ValueError, match="unknown fusion"):
        SearchConfig().with_overrides({"fusion": "RRF"})
    assert check_fusion("rrf") == "rrf"
    ranked = fuse([("a", 0.9), ("b", 0.1)], [("b", 9.0)], 2, SearchConfig(fusion="rrf"))
    assert [cid for cid, _ in ranked] == ["b", "a"]


def test_unknown_search_settings_are_refused_with_the_known_ones():
    with pytest.raises(ValueError, match=r"unknown search setting\(s\) keyword_wieght; known: vector_weight"):
        SearchConfig.from_dict({"keyword_wieght": 2})
    assert SearchConfig.from_dict({"keyword_weight": 2}).keyword_weight == 2


def test_an_index_recorded_with_a_setting_this_version_lacks_still_searches(built):
    from dataclasses import replace

    index, _ = built
    index.manifest = replace(index.manifest, search={**index.manifest.search, "retired_setting": 3})
    assert SearchConfig.of_index(index) == SearchConfig()
    assert search(index, "BGP hold timer", k=2, mode="keyword")
