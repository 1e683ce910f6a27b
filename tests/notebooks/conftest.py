"""Notebook fixtures: the demo library, its queries and an index of it built with the fake embedder."""

from __future__ import annotations

import pytest

from mcdewey.demo import demo_library, demo_queries
from mcdewey.evaluate.queries import load_queries


@pytest.fixture(scope="session")
def demo(tmp_path_factory):
    """(library path, queries path, workspace, index) for the demo library, recursive 128 tokens."""
    from mcdewey.ingest import ingest
    from mcdewey.store import Workspace

    root = tmp_path_factory.mktemp("demo")
    library = demo_library(root / "library")
    queries = demo_queries(root / "queries.jsonl")
    workspace = Workspace(root / "home")
    ingest(library, workspace, "demo", "recursive", {"max_tokens": 128}, model="fake", progress=False)
    return library, queries, workspace, workspace.open_index("demo")


@pytest.fixture(scope="session")
def demo_query_list(demo):
    return load_queries(demo[1])
