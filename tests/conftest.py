"""Fixtures shared by every test folder; topic fixtures live in each folder's own conftest.py."""

import os

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("RAGAS_DO_NOT_TRACK", "true")


import pytest  # noqa: E402


@pytest.fixture(scope="session")
def small_library(tmp_path_factory):
    """The generated test library of tests/data/build.py (every format, bad inputs); do not modify it."""
    from data.build import build_library

    return build_library(tmp_path_factory.mktemp("small-library"))


@pytest.fixture(scope="session")
def demo(tmp_path_factory):
    """(library path, queries path, workspace, index) for the demo library, recursive 128 tokens."""
    from mcdewey.demo import demo_library, demo_queries
    from mcdewey.ingest import ingest
    from mcdewey.store import Workspace

    root = tmp_path_factory.mktemp("demo")
    library = demo_library(root / "library")
    queries = demo_queries(root / "queries.jsonl")
    workspace = Workspace(root / "home")
    ingest(library, workspace, "demo", "recursive", {"max_tokens": 128}, model="fake", progress=False)
    return library, queries, workspace, workspace.open_index("demo")
