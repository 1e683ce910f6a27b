"""Notebook fixtures: the demo queries as a list (the demo library and its index are in tests/conftest.py)."""

from __future__ import annotations

import pytest

from mcdewey.evaluate.queries import load_queries


@pytest.fixture(scope="session")
def demo_query_list(demo):
    return load_queries(demo[1])
