"""The strategy registry: names, parameters, errors."""

from __future__ import annotations

import dataclasses

import pytest

from mcdewey.chunking import (
    DEFAULT_STRATEGY,
    chunker_params,
    describe,
    get_chunker,
    list_strategies,
    register,
    strategy_fields,
)


def test_strategies_and_default():
    assert list_strategies() == ["fixed", "page", "recursive", "section", "semantic"]
    assert DEFAULT_STRATEGY == "recursive"
    assert get_chunker().name == "recursive"


def test_unknown_strategy_lists_the_known_ones():
    with pytest.raises(ValueError, match="unknown chunking strategy 'nope'; choose one of: fixed, page, recursive"):
        get_chunker("nope")


def test_unknown_parameter_lists_the_accepted_ones():
    with pytest.raises(ValueError) as err:
        get_chunker("fixed", size=100, max_tokens=10)
    assert "no parameter size" in str(err.value)
    assert "accepted: max_tokens, overlap, context, model" in str(err.value)


@pytest.mark.parametrize(
    "params",
    [{"max_tokens": "big"}, {"context": 1}, {"max_tokens": 2.5}, {"model": 3}, {"max_tokens": True}],
)
def test_parameter_types_are_checked(params):
    with pytest.raises(ValueError, match="must be"):
        get_chunker("recursive", **params)


@pytest.mark.parametrize(
    "name, params",
    [("fixed", {"max_tokens": 10, "overlap": 10}), ("fixed", {"max_tokens": 0}),
     ("recursive", {"max_tokens": 10, "min_tokens": 11}), ("semantic", {"breakpoint_percentile": 101})],
)
def test_parameter_values_are_checked(name, params):
    with pytest.raises(ValueError):
        get_chunker(name, **params)


def test_cli_style_values_are_coerced():
    chunker = get_chunker("semantic", max_tokens=120.0, breakpoint_percentile=95)
    assert chunker.max_tokens == 120 and isinstance(chunker.max_tokens, int)
    assert chunker.breakpoint_percentile == 95.0 and isinstance(chunker.breakpoint_percentile, float)


@pytest.mark.parametrize("name", ["fixed", "recursive", "section", "page", "semantic"])
def test_params_round_trip(name):
    chunker = get_chunker(name, max_tokens=123, context=True)
    params = chunker_params(chunker)
    assert params["max_tokens"] == 123 and params["context"] is True
    assert set(params) == set(strategy_fields(name))
    assert get_chunker(name, **params) == chunker
    assert describe(chunker).startswith(f"{name}(max_tokens=123")
    with pytest.raises(dataclasses.FrozenInstanceError):
        chunker.max_tokens = 1


def test_register_refuses_a_second_class_under_a_taken_name():
    @dataclasses.dataclass(frozen=True)
    class Other:
        def chunk(self, doc):
            return []

    with pytest.raises(ValueError, match="registered twice"):
        register("fixed")(Other)
    with pytest.raises(TypeError):
        register("plain")(object)
