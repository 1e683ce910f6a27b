"""The generated two-version manual (tests/data/versions.py), fake-embedded, as an index and an export."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def versioned_library(tmp_path_factory):
    from data.versions import build_versioned

    return build_versioned(tmp_path_factory.mktemp("versioned-library"))


@pytest.fixture(scope="session")
def versioned_home(versioned_library, tmp_path_factory):
    from data.versions import PARAMS

    from mcdewey.ingest import ingest
    from mcdewey.store import Workspace

    home = tmp_path_factory.mktemp("versioned-home")
    ingest(versioned_library, Workspace(home), "v", params=PARAMS, model="fake", progress=False)
    return home


@pytest.fixture(scope="session")
def vindex(versioned_home):
    from mcdewey.store import Workspace

    return Workspace(versioned_home).open_index("v")
