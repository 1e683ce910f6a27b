"""A tiny generated library with one pair of each kind, and a labeled query set, for the tuning tests."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

GUIDE = """# Widget guide

The widget connects calls between two endpoints and keeps a record of every call it carries.

## How do I restart the widget?

Run the restart command from the console; the widget drains active calls first and then reloads its files.

## Parameters

### 3.1. natping_interval (integer)

Period in seconds between NAT keepalive pings sent to every registered endpoint behind a NAT router.

### db_mode (integer)

How the module writes location records to the database: 0 never, 1 write-through, 2 write-back on a timer.

* `tls_verify_server` - When set, the client verifies the server certificate against the configured CA list.

## Logging

Logs go to syslog by default with the facility LOCAL0; set log_stderror to print them on the console instead.
"""

FAQ = """# Widget FAQ

## What is a widget?

A widget is a call switch for small offices, built to run on one server without a database of its own.

## 2. Can the widget record calls?

Yes: set record_calls to yes and every call leg is written to the spool folder as a WAV file of its own.
"""


def write_library(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


@pytest.fixture
def widget_library(tmp_path) -> Path:
    return write_library(tmp_path / "library", {"acme/widget/1.0/guide.md": GUIDE, "acme/widget/1.0/faq.md": FAQ})


@pytest.fixture
def eval_set(tmp_path) -> Path:
    """A labeled set whose question is a FAQ heading of the library and whose quote is a guide passage."""
    path = tmp_path / "evals" / "dev" / "queries.jsonl"
    path.parent.mkdir(parents=True)
    rows = [
        {"id": "q1", "query": "What is a widget?",
         "relevant": [{"doc": "acme/widget/1.0/faq.md", "quote": "A widget is a call switch for small offices"}]},
        {"id": "q2", "query": "where do widget logs go",
         "relevant": [{"doc": "acme/widget/1.0/guide.md", "quote": "Logs go to syslog by default"}]},
    ]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path
