"""Query latency of `mcdewey.search.search` per mode, cold (fresh process) and warm, on one index.

Usage:
    HF_HUB_OFFLINE=1 .venv/bin/python bench/search_latency.py --index ref [--home .mcdewey] [--repeat 3]
    HF_HUB_OFFLINE=1 .venv/bin/python bench/search_latency.py --export DIR

Queries: the labeled dev set (../shared/evals/dev/queries.jsonl); each is run unfiltered and with
its labeled filters. Latency is mcdewey.latency.timed_search, the path `mcdewey eval run` times too:
each query is a first-time query (the embedding is paid). "Cold" is the first query of each mode
in a new process right after the index is opened (the OS file cache stays warm; say so).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")

DEFAULT_QUERIES = Path(__file__).resolve().parents[2] / "shared" / "evals" / "dev" / "queries.jsonl"
from mcdewey.vocabulary import MODES  # noqa: E402


def load_queries(path: Path) -> list[dict]:
    with path.open() as f:
        return [json.loads(line) for line in f if line.strip()]


def open_target(args):
    from mcdewey.store import Workspace, open_index

    return open_index(Path(args.export)) if args.export else Workspace(args.home).open_index(args.index)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]


def warm(args, queries: list[dict]) -> dict:
    from mcdewey.latency import timed_search, warm_up
    from mcdewey.models import Filters

    index = open_target(args)
    for mode in MODES:  # warm-up: load the model, the matrix, the FTS index
        warm_up(index, queries[0]["query"], 10, mode)
    times: dict[str, list[float]] = {}
    # Modes take turns query by query, so each sees the same machine state (this machine is shared).
    for _ in range(args.repeat):
        for q in queries:
            for mode in MODES:
                for filtered in (False, True):
                    filters = Filters(**q.get("filters", {})) if filtered and q.get("filters") else None
                    times.setdefault(f"{mode}{' +filters' if filtered else ''}", []).append(
                        timed_search(index, q["query"], args.k, mode, filters)[1])
    out = {}
    for label, values in times.items():
        out[label] = {"n": len(values), "p50_ms": round(statistics.median(values), 2),
                      "p99_ms": round(percentile(values, 99), 2), "mean_ms": round(statistics.fmean(values), 2)}
    return out


def cold_one(args, mode: str, query: str, prewarm: bool) -> dict:
    """Run in a child process: time opening the index, loading the model, prewarming the index (as the
    server does at start) when asked, and the first two queries."""
    from mcdewey.latency import timed_search

    start = time.perf_counter()
    index = open_target(args)
    opened = time.perf_counter()
    index.embedder().embed_queries(["model load"])
    loaded = time.perf_counter()
    if prewarm:
        index.prewarm()
    warmed = time.perf_counter()
    first = timed_search(index, query, args.k, mode)[1]
    second = timed_search(index, query + " again", args.k, mode)[1]
    return {"open_ms": round((opened - start) * 1000, 1), "model_load_ms": round((loaded - opened) * 1000, 1),
            "prewarm_ms": round((warmed - loaded) * 1000, 1) if prewarm else None,
            "first_query_ms": round(first, 1), "second_query_ms": round(second, 1)}


def cold(args, queries: list[dict]) -> dict:
    out = {}
    for mode in MODES:
        for prewarm in (False, True):
            cmd = [sys.executable, __file__, "--cold-child", mode, "--k", str(args.k), "--queries", str(args.queries)]
            cmd += ["--export", args.export] if args.export else ["--home", str(args.home), "--index", args.index]
            cmd += ["--prewarm"] if prewarm else []
            proc = subprocess.run(cmd, capture_output=True, text=True, check=True)
            out[f"{mode}{' prewarmed' if prewarm else ''}"] = json.loads(proc.stdout.strip().splitlines()[-1])
    return out


def machine() -> str:
    try:
        model = next(l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name"))
    except (OSError, StopIteration):
        model = platform.processor()
    return f"{model}, {os.cpu_count()} cores, Python {platform.python_version()}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", default=os.environ.get("MCDEWEY_HOME", ".mcdewey"))
    parser.add_argument("--index", default="ref")
    parser.add_argument("--export", default=None, help="benchmark an export folder instead of a workspace index")
    parser.add_argument("--queries", default=str(DEFAULT_QUERIES))
    parser.add_argument("--k", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--cold-child", default=None, help=argparse.SUPPRESS)
    parser.add_argument("--prewarm", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    queries = load_queries(Path(args.queries))
    if args.cold_child:
        print(json.dumps(cold_one(args, args.cold_child, queries[0]["query"], args.prewarm)))
        return
    index = open_target(args)
    result = {"machine": machine(), "index": args.export or args.index, "chunks": index.count(),
              "model": index.manifest.get("model"), "backend": index.manifest.get("backend"),
              "vector_search": "lancedb ANN" if index.has_vector_index() else "exact in-memory",
              "queries": len(queries), "k": args.k, "cold": cold(args, queries), "warm": warm(args, queries)}
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
