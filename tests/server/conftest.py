"""Server fixtures: an index to serve and the real app under uvicorn on a free port."""

from __future__ import annotations

import shutil
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import uvicorn

from mcdewey.server.app import Access, create_app


@dataclass
class LiveServer:
    url: str
    app: object
    token: str | None = None

    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"} if self.token else {}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(app, port: int) -> tuple[uvicorn.Server, threading.Thread]:
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("server did not start")
        time.sleep(0.02)
    return server, thread


# A document of our own next to the shared test library: markup that must reach the page as text.
HOSTILE_DOC = ("hostile/console/1.0/notes/security notes #1.txt",
               "Console <Release> Notes\n\nSECURITY NOTES\n\nNever paste <script>alert('xss')</script> into the console & expect it to run.\n\n"
               "ROUTING\n\nStatic routes are configured with the route add command.\n")


@pytest.fixture(scope="session")
def export_dir(small_library, tmp_path_factory) -> Path:
    """small_library plus HOSTILE_DOC, ingested with the fake embedder and exported."""
    from mcdewey.export import export
    from mcdewey.ingest import ingest
    from mcdewey.store import Workspace

    root = tmp_path_factory.mktemp("served")
    library = root / "library"
    shutil.copytree(small_library, library)
    path = library / HOSTILE_DOC[0]
    path.parent.mkdir(parents=True)
    path.write_text(HOSTILE_DOC[1])
    workspace = Workspace(root / "home")
    ingest(library, workspace, "served", "recursive", {"max_tokens": 64}, model="fake", progress=False)
    export(workspace, "served", root / "export")
    return root / "export"


@pytest.fixture(scope="session")
def served_index(export_dir):
    from mcdewey.store import open_index

    return open_index(export_dir)


def _live(index, token: str | None) -> Iterator[LiveServer]:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    app = create_app(index, Access(token=token), public_url=url)
    server, thread = start_server(app, port)
    try:
        yield LiveServer(url, app, token)
    finally:
        server.should_exit = True
        thread.join(10)


@pytest.fixture(scope="session")
def live(served_index) -> Iterator[LiveServer]:
    """The server without a token."""
    yield from _live(served_index, None)


@pytest.fixture(scope="session")
def live_token(served_index) -> Iterator[LiveServer]:
    """The server with bearer token `s3cret`."""
    yield from _live(served_index, "s3cret")


@pytest.fixture
def http(live) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=live.url, timeout=30) as client:
        yield client
