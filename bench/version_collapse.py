"""Versions: hybrid search latency with and without collapsing copies, and what passage linking finds.

Usage:
    HF_HUB_OFFLINE=1 .venv/bin/python bench/version_collapse.py --index NAME [--home DIR] [--repeat 3]
        [--queries ../shared/evals/dev/queries.jsonl] [--out bench/results/version_collapse.json]

Latency: every query (with its labeled filters), hybrid, k=10, collapsed and not, side by side query
by query (which goes first alternates) so both see the same machine load; the query-embedding cache
and the document cache are cleared before each search so every one pays for the model and for reading
the documents its passages come from. Linking: link_passages re-run on the index's chunks (timed),
with the links each rule made and the passages held by more than one version, per product.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")

DEFAULT_QUERIES = Path(__file__).resolve().parents[2] / "shared" / "evals" / "dev" / "queries.jsonl"


def latency(index, queries: list, repeat: int) -> dict:
    from mcdewey.search import search

    embedder = index.embedder()
    clear = getattr(embedder, "clear_query_cache", lambda: None)
    times: dict[bool, list[float]] = {True: [], False: []}
    search(index, "warm up", 10, "hybrid")
    search(index, "warm up", 10, "hybrid", collapse_versions=False)
    docs = getattr(type(index).get_document, "cache_clear", lambda: None)
    for r in range(repeat):
        for i, q in enumerate(queries):
            # Alternate which goes first, and start both cold: no search reuses the other's cached documents.
            for collapse in ((True, False) if (i + r) % 2 == 0 else (False, True)):
                clear()
                docs()
                t0 = time.perf_counter()
                search(index, q.query, 10, "hybrid", q.search_filters(), collapse_versions=collapse)
                times[collapse].append((time.perf_counter() - t0) * 1000)
    on, off = statistics.median(times[True]), statistics.median(times[False])
    return {"searches_each": len(times[True]), "p50_ms_collapse": round(on, 2), "p50_ms_no_collapse": round(off, 2),
            "p95_ms_collapse": round(sorted(times[True])[int(0.95 * len(times[True])) - 1], 2),
            "p95_ms_no_collapse": round(sorted(times[False])[int(0.95 * len(times[False])) - 1], 2),
            "p50_ratio": round(on / off, 3)}


def linking(index) -> dict:
    from mcdewey.versions import link_passages

    rows = index.arrow(["chunk_id", "doc_id", "product", "version", "text", "ord"]).to_pylist()
    t0 = time.perf_counter()
    groups, stats = link_passages(rows)
    seconds = time.perf_counter() - t0
    return {"chunks": len(rows), "seconds": round(seconds, 2), "linked_chunks": stats.chunks, "groups": stats.groups,
            "exact_links": stats.exact, "near_links": stats.near, "near_unmatched": stats.near_unmatched,
            "passages_in_more_than_one_version": stats.multi_version,
            "stored_groups_in_more_than_one_version": index.passages().count_multi_version()}


def main() -> None:
    from mcdewey.evaluate.queries import load_queries
    from mcdewey.store import Workspace

    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--index", required=True)
    p.add_argument("--home", default=None)
    p.add_argument("--queries", type=Path, default=DEFAULT_QUERIES)
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--out", type=Path, default=None)
    args = p.parse_args()
    index = Workspace(args.home).open_index(args.index)
    out = {"index": args.index, "queries": str(args.queries), "linking": linking(index),
           "latency": latency(index, load_queries(args.queries), args.repeat)}
    text = json.dumps(out, indent=2)
    print(text)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text + "\n")


if __name__ == "__main__":
    main()
