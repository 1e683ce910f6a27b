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
