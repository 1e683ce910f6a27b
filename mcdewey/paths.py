"""Where McDewey keeps its files: the one rule for the workspace home and the folders inside it.

The home is `MCDEWEY_HOME` when set, else `./.mcdewey` (relative to the working directory); it may be
an object-storage prefix (`s3://bucket/prefix`, mcdewey.storage). Every module that needs a folder (the
workspace, the model build cache, an export opened without a workspace) asks here, so there is one
default and one override. Caches are always local: `<home>/cache` for a local home; for a home on
object storage `$MCDEWEY_CACHE`, else `~/.cache/mcdewey` (a SQLite file and model files need a disk).
"""

from __future__ import annotations

import os
from pathlib import Path

HOME_ENV = "MCDEWEY_HOME"
DEFAULT_HOME = Path(".mcdewey")


def home(given: Path | str | None = None):
    """The workspace folder: `given`, else $MCDEWEY_HOME, else ./.mcdewey (a `Path`, or an object-storage path)."""
    from mcdewey.storage import location

    return location(given or os.environ.get(HOME_ENV) or DEFAULT_HOME)


def cache_dir(given_home: Path | str | None = None) -> Path:
    """The local folder of the embedding and model caches (see the module docstring)."""
    from mcdewey.storage import is_remote

    where = home(given_home)
    if not is_remote(where):
        return Path(where) / "cache"
    return Path(os.environ.get("MCDEWEY_CACHE") or Path.home() / ".cache" / "mcdewey")


def model_cache(given_home: Path | str | None = None) -> Path:
    """Where runtime backends keep the model files they build once (ONNX, OpenVINO)."""
    return cache_dir(given_home) / "models"


def embedding_cache(given_home: Path | str | None = None) -> Path:
    """The SQLite cache of document embeddings, shared by every index of a workspace."""
    return cache_dir(given_home) / "embeddings.sqlite"
