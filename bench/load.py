"""Bounded load test of `mcdewey serve` on loopback: N clients for S seconds, 1 % malformed requests mixed in.

It serves EXPORT (an exported index; without one it builds a small generated library with the fake
embedder, ingests and exports it) with `mcdewey serve --host 127.0.0.1` in a subprocess, then N asyncio
clients send a mix of valid requests (JSON search, MCP search_docs, chunk, context, document and
search pages, library) and, with probability --malformed, a malformed one (bad JSON-RPC, bad
parameters, garbage ids, an oversized query). It reports per-kind latency percentiles, requests per
second, failed valid requests (anything but 2xx/3xx) and 5xx answers, and writes bench/results/load.json.
Only 127.0.0.1 is ever contacted.

    .venv/bin/python bench/load.py [EXPORT] --clients 32 --seconds 60 --malformed 0.01
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import random
import statistics
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).parent))
from benchlib.serve import HOST, ServerProcess  # noqa: E402

MCP_HEADERS = {"Accept": "application/json, text/event-stream", "Content-Type": "application/json"}
QUERIES = ["how do I configure a static route", "BGP hold timer", "reset the admin password", "VLAN trunk ports",
           "TFTP provisioning of phones", "one-way audio NAT", "upgrade the firmware", "backup configuration"]
VALID_MIX = [("api_search", 35), ("mcp_search", 20), ("api_chunk", 10), ("api_context", 10), ("doc_page", 10),
             ("search_page", 10), ("api_library", 5)]


def generated_export(folder: Path) -> Path:
    """A 60-document generated library, ingested with the fake embedder and exported."""
    sys.path.insert(0, str(Path(__file__).parents[1]))
    from mcdewey.export import export
    from mcdewey.ingest import ingest
    from mcdewey.store import Workspace

    rng = random.Random(0)
    words = " ".join(QUERIES).split() + "router phone gateway codec trunk interface firmware audio".split()
    for i in range(60):
        path = folder / f"lib/acme/product{i % 4}/{1 + i % 3}.0/guide-{i}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"# Guide {i}\n\n" + "\n\n".join(f"## Part {j}\n\n" + " ".join(rng.choice(words)
                                                         for _ in range(120)) for j in range(6)))
    workspace = Workspace(folder / "home")
    ingest(folder / "lib", workspace, "load", model="fake", progress=False)
    export(workspace, "load", folder / "export")
    return folder / "export"


def valid_request(kind: str, rng: random.Random, chunk_ids: list[str], doc_ids: list[str]) -> tuple[str, str, dict]:
    """(method, path, httpx kwargs) of one well-formed request."""
    q = rng.choice(QUERIES)
    if kind == "api_search":
        return "GET", "/api/search", {"params": {"q": q, "limit": rng.choice([3, 5, 10])}}
    if kind == "mcp_search":
        body = {"jsonrpc": "2.0", "id": rng.randint(1, 10**6), "method": "tools/call",
                "params": {"name": "search_docs", "arguments": {"query": q, "limit": 5}}}
        return "POST", "/mcp", {"content": json.dumps(body), "headers": MCP_HEADERS}
    if kind == "api_chunk":
        return "GET", f"/api/chunks/{rng.choice(chunk_ids)}", {}
    if kind == "api_context":
        return "GET", f"/api/context/{rng.choice(chunk_ids)}", {"params": {"before": 1, "after": 1}}
    if kind == "doc_page":
        return "GET", f"/docs/{rng.choice(doc_ids)}", {}
    if kind == "search_page":
        return "GET", "/", {"params": {"q": q}}
    return "GET", "/api/library", {}


def malformed_request(rng: random.Random) -> tuple[str, str, dict]:
    """One of several malformed requests; each must get a 4xx, never a 5xx."""
    return rng.choice([
        ("POST", "/mcp", {"content": "{not json", "headers": MCP_HEADERS}),
        ("POST", "/mcp", {"content": json.dumps({"jsonrpc": "2.0", "id": 1, "method": "tools/call",
                                                 "params": {"name": "search_docs", "arguments": {"limit": "x"}}}),
                          "headers": MCP_HEADERS}),
        ("POST", "/mcp", {"content": json.dumps([1, 2, 3]), "headers": {"Content-Type": "text/plain"}}),
        ("GET", "/api/search", {"params": {"q": "x" * 20000}}),
        ("GET", "/api/search", {"params": {"q": "route", "limit": "-5", "mode": "psychic"}}),
        ("GET", "/api/chunks/%00%ff..%2F..%2Fetc%2Fpasswd", {}),
        ("GET", "/api/context/no-such-chunk", {"params": {"before": "many"}}),
        ("GET", "/docs/../../etc/passwd", {}),
    ])


async def client_loop(client: httpx.AsyncClient, rng: random.Random, until: float, share: float,
                      chunk_ids: list[str], doc_ids: list[str], stats: dict) -> None:
    kinds, weights = zip(*VALID_MIX)
    while time.monotonic() < until:
        malformed = rng.random() < share
        kind = "malformed" if malformed else rng.choices(kinds, weights)[0]
        method, path, kwargs = malformed_request(rng) if malformed else valid_request(kind, rng, chunk_ids, doc_ids)
        start = time.perf_counter()
        try:
            response = await client.request(method, path, **kwargs)
            status = response.status_code
        except httpx.HTTPError as exc:
            status = f"transport error: {type(exc).__name__}"
        stats["latency"][kind].append(time.perf_counter() - start)
        stats["status"][kind][status] += 1


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return round(1000 * ordered[min(len(ordered) - 1, int(p * (len(ordered) - 1) + 0.5))], 1) if ordered else 0.0


async def run_load(base: str, clients: int, seconds: float, share: float, seed: int) -> dict:
    async with httpx.AsyncClient(base_url=base, timeout=120, limits=httpx.Limits(max_connections=clients)) as c:
        hits = []
        for q in QUERIES:
            hits += (await c.get("/api/search", params={"q": q, "limit": 10})).json()["hits"]
        chunk_ids = sorted({h["chunk_id"] for h in hits})
        doc_ids = sorted({h["doc_id"] for h in hits})
        stats = {"latency": defaultdict(list), "status": defaultdict(Counter)}
        until = time.monotonic() + seconds
        started = time.perf_counter()
        await asyncio.gather(*(client_loop(c, random.Random(seed + i), until, share, chunk_ids, doc_ids, stats)
                               for i in range(clients)))
        elapsed = time.perf_counter() - started
    return summarise(stats, elapsed)


def summarise(stats: dict, elapsed: float) -> dict:
    total = sum(len(v) for v in stats["latency"].values())
    ok = lambda s: isinstance(s, int) and 200 <= s < 400  # noqa: E731
    valid = {k: v for k, v in stats["status"].items() if k != "malformed"}
    return {
        "requests": total,
        "seconds": round(elapsed, 1),
        "requests_per_second": round(total / elapsed, 1),
        "valid_requests": sum(sum(c.values()) for c in valid.values()),
        "failed_valid_requests": sum(n for c in valid.values() for s, n in c.items() if not ok(s)),
        "malformed_requests": sum(stats["status"]["malformed"].values()),
        "malformed_statuses": {str(s): n for s, n in sorted(stats["status"]["malformed"].items(), key=str)},
        "server_errors_5xx": sum(n for c in stats["status"].values() for s, n in c.items()
                                 if isinstance(s, int) and s >= 500),
        "by_kind_ms": {k: {"n": len(v), "p50": pct(v, .5), "p90": pct(v, .9), "p99": pct(v, .99)}
                       for k, v in sorted(stats["latency"].items())},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("export", nargs="?", type=Path, help="Exported index folder (default: a generated one).")
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--malformed", type=float, default=0.01, help="Share of malformed requests.")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "results" / "load.json")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        export = args.export or generated_export(Path(tmp))
        with ServerProcess(export) as server:
            result = asyncio.run(run_load(server.url, args.clients, args.seconds, args.malformed, args.seed))
    result = {"export": str(args.export) if args.export else "generated (60 documents, fake embedder)",
              "clients": args.clients, "malformed_share": args.malformed, "cpus": os.cpu_count(),
              "machine": platform.platform(), **result}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))
    sys.exit(1 if result["server_errors_5xx"] or result["failed_valid_requests"] else 0)


if __name__ == "__main__":
    main()
