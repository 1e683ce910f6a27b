"""Two `mcdewey serve` processes on one export (a local folder and an s3:// prefix): the same answers,
no failed request while the export is replaced twice under them (a bounded load test on 127.0.0.1),
and both serve the newest version once it is ready."""

from __future__ import annotations

import threading
import time

import httpx
import pytest

from .conftest import Served, write_clean_library

QUERIES = ["bgp hold timer", "vlan trunk", "sip register tftp", "latency jitter queue", "dhcp option",
           "codec channel buffer"]


@pytest.fixture
def exported(request, tmp_path, bucket, local_cache):
    """An ingested workspace and its export: a local folder or an s3:// prefix."""
    from mcdewey.export import export
    from mcdewey.ingest import ingest
    from mcdewey.store import Workspace

    library = write_clean_library(tmp_path / "library", docs=10)
    ws = Workspace(tmp_path / "home")
    ingest(library, ws, "t", model="fake", progress=False)
    to = str(tmp_path / "export") if request.param == "local" else f"s3://{bucket}/exports/t"
    export(ws, "t", to)
    return ws, to, library


@pytest.mark.parametrize("exported", ["local", "s3"], indirect=True)
def test_two_servers_answer_alike_and_a_re_export_fails_no_request(exported):
    from mcdewey.export import export

    from mcdewey.ingest import ingest

    ws, to, library = exported
    servers = [Served(to), Served(to)]
    try:
        for mode in ("hybrid", "vector", "keyword"):
            for q in QUERIES:
                answers = [s.search(q, limit=5, mode=mode) for s in servers]
                assert answers[0] == answers[1] and answers[0], (q, mode)
        failures: list[str] = []
        done = threading.Event()
        counts = [0, 0]

        def load(i: int) -> None:
            with httpx.Client(base_url=servers[i].url, timeout=30) as client:
                n = 0
                while not done.is_set() or n < 20:  # at least 20 requests each, all through the re-export
                    r = client.get("/api/search", params={"q": QUERIES[n % len(QUERIES)], "limit": 5})
                    if r.status_code != 200 or not r.json()["hits"]:
                        failures.append(f"server {i}: {r.status_code} {r.text[:200]}")
                    n += 1
                counts[i] = n

        threads = [threading.Thread(target=load, args=(i,)) for i in range(2)]
        for t in threads:
            t.start()
        export(ws, "t", to)  # replaced while both serve: the same content
        time.sleep(3)  # past the servers' look at `current`, so they may switch in the middle of the load
        new_doc = library / "vendor9/product9/9.0/guide/zebra.md"
        new_doc.parent.mkdir(parents=True)
        new_doc.write_text("# Zebra\n\nThe zebra crossing protocol negotiates stripes over UDP port 4242.\n")
        ingest(library, ws, "t", model="fake", progress=False)
        export(ws, "t", to)  # and again, now with one more document; the first version is pruned
        time.sleep(3)
        done.set()
        for t in threads:
            t.join(120)
        assert not failures, failures[:3]
        assert min(counts) >= 20
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:  # each server switches to the newest version once it is ready
            answers = [s.search("zebra crossing stripes", limit=1, mode="keyword") for s in servers]
            if all(a and a[0][0].startswith("product9::9.0") for a in answers):
                break
            time.sleep(0.5)
        assert answers[0] == answers[1] and answers[0][0][0].startswith("product9::9.0"), answers
        for q in QUERIES:
            assert servers[0].search(q, limit=5) == servers[1].search(q, limit=5), q
    finally:
        for s in servers:
            s.stop()
