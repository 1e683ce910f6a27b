"""A bench script's result: printed, and written to `--out` when given."""

from __future__ import annotations

import json
from pathlib import Path


def emit(report: dict, out: Path | None) -> None:
    print(json.dumps(report, indent=2))
    if out:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(report, indent=2) + "\n")
