"""Fixtures of the evaluation tests (helpers live in evalfixtures.py)."""

from __future__ import annotations

import pytest

from evalfixtures import TEXT_A, TEXT_B, MemoryIndex, make_chunks, make_doc
from mcdewey.evaluate.queries import Evidence, Query
from mcdewey.manifest import Manifest


@pytest.fixture
def memory_index() -> MemoryIndex:
    docs = [make_doc("ovs/openvswitch/3.1/relay.md", TEXT_A), make_doc("aws/connect/2023/logs.md", TEXT_B)]
    chunks = {d.doc_id: make_chunks(d, 60) for d in docs}
    manifest = Manifest.from_dict({"name": "mem", "strategy": "fixed-chars", "params": {"max_tokens": 15},
                                   "model": "none", "backend": "none", "dim": 8, "counts": {"chunks": 0},
                                   "files": {"x": {"fingerprint": "f", "status": "skipped", "reason": "r"}}})
    return MemoryIndex("mem", {d.doc_id: d for d in docs}, chunks, manifest)


@pytest.fixture
def labeled_queries() -> list[Query]:
    relay, logs = "ovs/openvswitch/3.1/relay.md", "aws/connect/2023/logs.md"
    return [
        Query("q1", "relay read only", (Evidence(relay, "Relay server handles all the read-only requests"),),
              {"product": "openvswitch"}, ("ovs", "concept")),
        Query("q2", "agent log location",
              (Evidence(logs, "The agent-log.txt file is saved to your browser's default directory."),),
              {}, ("connect",)),
        Query("q3", "conntrack zone", (Evidence(relay, "A zone is an independent connection tracking context"),),
              {}, ("ovs",)),
    ]
