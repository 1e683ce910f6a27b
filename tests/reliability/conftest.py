"""A generated library holding every broken input of broken.py next to good documents, ingested once."""

from __future__ import annotations

import functools
from pathlib import Path

import pytest

from reliability.broken import CASES, GOOD, _write

SIZE_LIMIT = 2**20  # 1 MB during these tests, so the "over the size limit" case stays small


def build_broken_library(root: Path, outside: Path, cases=CASES) -> Path:
    for rel, text in GOOD.items():
        _write(root, rel, text)
    outside.mkdir(parents=True, exist_ok=True)
    for case in cases:
        case.make(root, outside)
    return root


def ingest_limited(library: Path, workspace, index: str = "broken"):
    """Ingest with the fake embedder and a 1 MB file size limit."""
    from mcdewey import ingest as ingest_module
    from mcdewey.library import scan_library

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(ingest_module, "scan_library", functools.partial(scan_library, max_bytes=SIZE_LIMIT))
        return ingest_module.ingest(library, workspace, index, model="fake", progress=False)


@pytest.fixture(scope="module")
def broken_library(tmp_path_factory) -> Path:
    base = tmp_path_factory.mktemp("broken")
    return build_broken_library(base / "library", base / "outside")


@pytest.fixture(scope="module")
def broken_ingest(broken_library, tmp_path_factory):
    """(workspace, report) of the broken library ingested as index "broken"."""
    from mcdewey.store import Workspace

    workspace = Workspace(tmp_path_factory.mktemp("home"))
    return workspace, ingest_limited(broken_library, workspace)
