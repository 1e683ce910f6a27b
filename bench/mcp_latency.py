"""search_docs latency and throughput over MCP Streamable HTTP at 1, 8 and 32 concurrent clients (loopback only).

For each query-batching window (--batch-window-ms, e.g. "0,5": off, then 5 ms) and each concurrency
level it starts `mcdewey serve EXPORT` in a subprocess on a free loopback port (a fresh process, so the
query-embedding cache is empty and every measured query is new unless --pool repeats them), records its
start time (model loaded, indexes prewarmed) and RSS, checks the endpoint with the official SDK client,
warms up, then has N concurrent clients POST `tools/call search_docs` JSON-RPC requests (stateless JSON
responses, the way the server runs) and reports req/s, p50/p90/p99 and errors. For comparison it also
times mcdewey.search.search in-process on the same queries (mcdewey.latency.timed_search).

    .venv/bin/python bench/mcp_latency.py /tmp/ref-export --clients 32 --batch-window-ms 0,5 \
        --queries ../shared/evals/dev/queries.jsonl --queries ../shared/evals/faq
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).parent))
from benchlib.serve import ServerProcess  # noqa: E402

PROTOCOL = "2025-06-18"
# JSON only: /mcp then answers tools/call with one JSON body (no log notifications), as the figures assume.
HEADERS = {"Accept": "application/json", "Content-Type": "application/json",
           "MCP-Protocol-Version": PROTOCOL}


def load_queries(path: Path | None, n: int) -> list[str]:
    """The query texts of a .jsonl set, or of every .jsonl file in a folder."""
    if path is None:
        return ["how do I configure a static route", "BGP hold timer", "reset the admin password",
                "TFTP provisioning of phones", "one-way audio NAT"][:n]
    files = sorted(path.glob("*.jsonl")) if path.is_dir() else [path]
    rows = [json.loads(line) for f in files for line in f.read_text().splitlines() if line.strip()]
    return [r["query"] for r in rows][:n]


async def check_with_sdk(url: str, query: str) -> int:
    """One real MCP session with the SDK client: the endpoint answers search_docs with structured hits."""
    from mcp import Client

    async with Client(url) as client:
        result = await client.call_tool("search_docs", {"query": query, "limit": 5})
        assert not result.is_error, result.content
        return len(result.structured_content["hits"])


async def run_level(url: str, queries: list[str], clients: int, requests: int, limit: int, mode: str,
                    errors: list[str] | None = None) -> list[float]:
    """`clients` workers share `requests` calls; returns each successful call's latency in seconds.
    Failed calls (HTTP errors, tool errors) go to `errors` when given, else raise."""
    counter = itertools.count()
    latencies: list[float] = []
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)

    async def worker(http: httpx.AsyncClient) -> None:
        while (i := next(counter)) < requests:
            body = {"jsonrpc": "2.0", "id": i, "method": "tools/call", "params": {
                "name": "search_docs", "arguments": {"query": queries[i % len(queries)], "limit": limit, "mode": mode}}}
            t0 = time.perf_counter()
            try:
                response = await http.post(url, json=body, headers=HEADERS)
                elapsed = time.perf_counter() - t0
                response.raise_for_status()
                result = response.json()["result"]
                if result.get("isError"):
                    raise RuntimeError(result["content"][0]["text"])
            except (httpx.HTTPError, RuntimeError, KeyError, ValueError) as exc:
                if errors is None:
                    raise
                errors.append(f"{type(exc).__name__}: {exc}"[:200])
                continue
            latencies.append(elapsed)

    async with httpx.AsyncClient(timeout=120, limits=limits) as http:
        await asyncio.gather(*(worker(http) for _ in range(clients)))
    return latencies


def percentiles(values: list[float]) -> dict[str, float]:
    ordered = sorted(values) or [float("nan")] * 2
    q = statistics.quantiles(ordered, n=100, method="inclusive")
    return {"n": len(ordered), "p50_ms": 1000 * q[49], "p90_ms": 1000 * q[89], "p99_ms": 1000 * q[98],
            "max_ms": 1000 * ordered[-1], "mean_ms": 1000 * statistics.fmean(ordered)}


def in_process(export: Path, queries: list[str], limit: int, mode: str, n: int) -> dict[str, float]:
    from mcdewey.latency import timed_search
    from mcdewey.store import open_index

    index = open_index(export)
    index.prewarm()
    timed_search(index, "warm up", limit, mode)  # load the model outside the timing
    times = [timed_search(index, q, limit, mode)[1] / 1000 for q in (queries * (n // len(queries) + 1))[:n]]
    return percentiles(times)


def machine() -> str:
    model = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                  if line.startswith("model name")), platform.processor())
    return f"{model}, {os.cpu_count()} cores, Python {platform.python_version()}"


def measure_level(args, queries: list[str], clients: int, requests: int, window: str) -> dict:
    """A fresh server (empty query-embedding cache, model loaded) answering `requests` calls from `clients`."""
    extra = ["--max-parallel", str(args.max_parallel)] if args.max_parallel else []
    extra += ["--batch-window-ms", window] if window != "default" else []
    with ServerProcess(args.export, *extra) as server:
        url = f"{server.url}/mcp"
        hits = asyncio.run(check_with_sdk(url, "SDK client check"))
        # Warm-up queries are not in the measured pool, so every measured query is new to the server.
        warm = [f"warm up query {i}" for i in range(args.warmup)]
        asyncio.run(run_level(url, warm, 1, len(warm), args.limit, args.mode))
        errors: list[str] = []
        t0 = time.perf_counter()
        lat = asyncio.run(run_level(url, queries, clients, requests, args.limit, args.mode, errors))
        wall = time.perf_counter() - t0
        rss = server.rss_mb()
        started = server.start_seconds
        warm_line = server.warm_up_line()
    return percentiles(lat) | {"throughput_rps": len(lat) / wall, "errors": len(errors), "first_errors": errors[:3],
                               "sdk_check_hits": hits, "server_start_s": started, "server_rss_mb": rss,
                               "server_warm_up": warm_line, "load_avg_1min": os.getloadavg()[0]}


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
    ap.add_argument("--max-parallel", type=int, default=0, help="server's concurrent searches (0 = its default)")
    ap.add_argument("--batch-window-ms", default="default",
                    help="server query-batching windows to compare, comma-separated (0 = off; default: the server's)")
    ap.add_argument("--pool", type=int, default=0,
                    help="use only the first N distinct queries, so requests repeat them (the query cache answers)")
    ap.add_argument("--no-in-process", action="store_true", help="skip the in-process comparison")
    ap.add_argument("--json", type=Path, help="also write the results here")
    args = ap.parse_args()

    queries = list(dict.fromkeys(q for path in (args.queries or [None]) for q in load_queries(path, 10_000)))
    queries = queries[:args.pool] if args.pool else queries
    results: dict = {"machine": machine(), "export": str(args.export), "distinct_queries": len(queries),
                     "limit": args.limit, "mode": args.mode, "max_parallel": args.max_parallel or "server default",
                     "runs": []}
    for window in args.batch_window_ms.split(","):
        for clients in (int(c) for c in args.clients.split(",")):
            n = args.requests or min(len(queries), 100 * clients.bit_length())
            stats = measure_level(args, queries, clients, n, window)
            results["runs"].append({"batch_window_ms": window, "clients": clients, "requests": n, **stats})
            print(f"batch {window:>7} ms {clients:>3} clients: n={stats['n']:>4} errors {stats['errors']}  "
                  f"p50 {stats['p50_ms']:7.1f} ms  p90 {stats['p90_ms']:7.1f} ms  p99 {stats['p99_ms']:7.1f} ms  "
                  f"{stats['throughput_rps']:6.1f} req/s  start {stats['server_start_s']:.1f} s  "
                  f"RSS {stats['server_rss_mb'] or 0:.0f} MB  (load {stats['load_avg_1min']:.1f})")
    if not args.no_in_process:
        base = in_process(args.export, queries, args.limit, args.mode, 100)
        results["in_process"] = base
        print(f"in-process search(): p50 {base['p50_ms']:.1f} ms  p99 {base['p99_ms']:.1f} ms (n={base['n']})")
    print(results["machine"])
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
