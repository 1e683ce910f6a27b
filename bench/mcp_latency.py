"""search_docs latency over MCP Streamable HTTP with 1, 8 and 32 concurrent clients (loopback only).

For each concurrency level it starts `mcdewey serve EXPORT` in a subprocess on a free loopback port
(a fresh process, so the query-embedding cache is empty and every measured query is new), checks the
endpoint with the official SDK client, warms up, then has N concurrent clients POST `tools/call
search_docs` JSON-RPC requests (stateless JSON responses, the way the server runs) and reports
p50/p90/p99. For comparison it also times mcdewey.search.search in-process on the same queries.

    .venv/bin/python bench/mcp_latency.py /tmp/ref-export \
        --queries ../shared/evals/dev/queries.jsonl --queries ../shared/evals/faq/debian-faq-11.1.jsonl
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import platform
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx

PROTOCOL = "2025-06-18"
# JSON only: /mcp then answers tools/call with one JSON body (no log notifications), as the figures assume.
HEADERS = {"Accept": "application/json", "Content-Type": "application/json",
           "MCP-Protocol-Version": PROTOCOL}


def load_queries(path: Path | None, n: int) -> list[str]:
    if path is None:
        return ["how do I configure a static route", "BGP hold timer", "reset the admin password",
                "TFTP provisioning of phones", "one-way audio NAT"][:n]
    rows = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    return [r["query"] for r in rows][:n]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(export: Path, port: int, max_parallel: int) -> subprocess.Popen:
    cmd = [str(Path(sys.executable).parent / "mcdewey"), "serve", str(export), "--host", "127.0.0.1",
           "--port", str(port), "--max-parallel", str(max_parallel)]
    env = os.environ | {"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200:
                return proc
        except httpx.TransportError:
            time.sleep(0.2)
        if proc.poll() is not None:
            raise RuntimeError(f"server exited: {proc.stderr.read()[-2000:]}")
    proc.terminate()
    raise RuntimeError("server did not become healthy in 120 s")


async def check_with_sdk(url: str, query: str) -> int:
    """One real MCP session with the SDK client: the endpoint answers search_docs with structured hits."""
    from mcp import Client

    async with Client(url) as client:
        result = await client.call_tool("search_docs", {"query": query, "limit": 5})
        assert not result.is_error, result.content
        return len(result.structured_content["hits"])


async def run_level(url: str, queries: list[str], clients: int, requests: int, limit: int, mode: str) -> list[float]:
    """`clients` workers share `requests` calls; returns each call's latency in seconds."""
    counter = itertools.count()
    latencies: list[float] = []
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)

    async def worker(http: httpx.AsyncClient) -> None:
        while (i := next(counter)) < requests:
            body = {"jsonrpc": "2.0", "id": i, "method": "tools/call", "params": {
                "name": "search_docs", "arguments": {"query": queries[i % len(queries)], "limit": limit, "mode": mode}}}
            t0 = time.perf_counter()
            response = await http.post(url, json=body, headers=HEADERS)
            elapsed = time.perf_counter() - t0
            response.raise_for_status()
            result = response.json()["result"]
            if result.get("isError"):
                raise RuntimeError(result["content"][0]["text"])
            latencies.append(elapsed)

    async with httpx.AsyncClient(timeout=120, limits=limits) as http:
        await asyncio.gather(*(worker(http) for _ in range(clients)))
    return latencies


def percentiles(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    q = statistics.quantiles(ordered, n=100, method="inclusive")
    return {"n": len(ordered), "p50_ms": 1000 * q[49], "p90_ms": 1000 * q[89], "p99_ms": 1000 * q[98],
            "max_ms": 1000 * ordered[-1], "mean_ms": 1000 * statistics.fmean(ordered)}


def in_process(export: Path, queries: list[str], limit: int, mode: str, n: int) -> dict[str, float]:
    from mcdewey.search import search
    from mcdewey.store import open_index

    index = open_index(export)
    search(index, "warm up", k=limit, mode=mode)  # load the model outside the timing
    times = []
    for q in (queries * (n // len(queries) + 1))[:n]:
        t0 = time.perf_counter()
        search(index, q, k=limit, mode=mode)
        times.append(time.perf_counter() - t0)
    return percentiles(times)


def machine() -> str:
    model = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                  if line.startswith("model name")), platform.processor())
    return f"{model}, {os.cpu_count()} cores, Python {platform.python_version()}"


def measure_level(args, queries: list[str], clients: int, requests: int) -> dict:
    """A fresh server (empty query-embedding cache, model loaded) answering `requests` calls from `clients`."""
    port = free_port()
    url = f"http://127.0.0.1:{port}/mcp"
    proc = start_server(args.export, port, args.max_parallel)
    try:
        hits = asyncio.run(check_with_sdk(url, "SDK client check"))
        # Warm-up queries are not in the measured pool, so every measured query is new to the server.
        warm = [f"warm up query {i}" for i in range(args.warmup)]
        asyncio.run(run_level(url, warm, 1, len(warm), args.limit, args.mode))
        t0 = time.perf_counter()
        lat = asyncio.run(run_level(url, queries, clients, requests, args.limit, args.mode))
        wall = time.perf_counter() - t0
    finally:
        proc.terminate()
        proc.wait(30)
    return percentiles(lat) | {"throughput_rps": len(lat) / wall, "sdk_check_hits": hits,
                               "load_avg_1min": os.getloadavg()[0]}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("export", type=Path, help="export folder (mcdewey export --to ...)")
    ap.add_argument("--queries", type=Path, action="append", help="JSONL query set (repeatable)")
    ap.add_argument("--clients", default="1,8,32", help="concurrency levels")
    ap.add_argument("--requests", type=int, default=0,
                    help="requests per level (default: 100 x bits of the client count, at most the query pool)")
    ap.add_argument("--limit", type=int, default=5)
    ap.add_argument("--mode", default="hybrid")
    ap.add_argument("--warmup", type=int, default=10)
    ap.add_argument("--max-parallel", type=int, default=0, help="server's concurrent searches (0 = CPU cores)")
    ap.add_argument("--json", type=Path, help="also write the results here")
    args = ap.parse_args()

    queries = list(dict.fromkeys(q for path in (args.queries or [None]) for q in load_queries(path, 10_000)))
    results: dict = {"machine": machine(), "export": str(args.export), "distinct_queries": len(queries),
                     "limit": args.limit, "mode": args.mode, "max_parallel": args.max_parallel or os.cpu_count(),
                     "levels": {}}
    for clients in (int(c) for c in args.clients.split(",")):
        n = args.requests or min(len(queries), 100 * clients.bit_length())
        stats = measure_level(args, queries, clients, n)
        results["levels"][clients] = stats
        print(f"{clients:>3} clients: n={stats['n']:>4}  p50 {stats['p50_ms']:7.1f} ms  p90 {stats['p90_ms']:7.1f} ms  "
              f"p99 {stats['p99_ms']:7.1f} ms  {stats['throughput_rps']:6.1f} req/s  (load {stats['load_avg_1min']:.1f})")
    base = in_process(args.export, queries, args.limit, args.mode, 100)
    results["in_process"] = base
    print(f"in-process search(): p50 {base['p50_ms']:.1f} ms  p99 {base['p99_ms']:.1f} ms (n={base['n']})")
    print(results["machine"])
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
