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


@pytest.fixture(scope="session")
def vexport(versioned_home, tmp_path_factory):
    """The versioned index exported, opened as the server opens it."""
    from mcdewey.export import export
    from mcdewey.store import Workspace, open_index

    out = tmp_path_factory.mktemp("versioned-export") / "export"
    export(Workspace(versioned_home), "v", out)
    return open_index(out)


@pytest.fixture(scope="session")
def vlive(vexport):
    """The server over the exported versioned index, on a free port."""
    from server.conftest import free_port, start_server

    from mcdewey.server.app import create_app

    port = free_port()
    url = f"http://127.0.0.1:{port}"
    server, thread = start_server(create_app(vexport, public_url=url), port)
    try:
        yield url
    finally:
        server.should_exit = True
        thread.join(10)
