"""Where McDewey keeps its files: the one rule for the workspace home and the folders inside it.

The home is `MCDEWEY_HOME` when set, else `./.mcdewey` (relative to the working directory). Every
module that needs a folder (the workspace, the model build cache, an export opened without a
workspace) asks here, so there is one default and one override.
"""

from __future__ import annotations

import os
from pathlib import Path

HOME_ENV = "MCDEWEY_HOME"
DEFAULT_HOME = Path(".mcdewey")


def home(given: Path | str | None = None) -> Path:
    """The workspace folder: `given`, else $MCDEWEY_HOME, else ./.mcdewey."""
    return Path(given or os.environ.get(HOME_ENV) or DEFAULT_HOME)


def model_cache(given_home: Path | str | None = None) -> Path:
    """Where runtime backends keep the model files they build once (ONNX, OpenVINO)."""
    return home(given_home) / "cache" / "models"


def embedding_cache(given_home: Path | str | None = None) -> Path:
    """The SQLite cache of document embeddings, shared by every index of a workspace."""
    return home(given_home) / "cache" / "embeddings.sqlite"
