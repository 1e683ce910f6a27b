"""Server time of the search page (`GET /?q=...`) on an export: p50 / p95 over the dev queries.

The app runs in process (Starlette TestClient: routing, search, cards, template; no network), so the
figure is the server's time per page. Each query is asked once to warm up (model, query embedding,
tables), then `--repeat` times measured. To compare two code trees, run this script once per tree on
the same export, alternating, e.g.:

    PYTHONPATH=../main .venv/bin/python bench/search_page_latency.py EXPORT --label main
    PYTHONPATH=.       .venv/bin/python bench/search_page_latency.py EXPORT --label branch
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


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("export", type=Path)
    ap.add_argument("--queries", type=Path, default=DEFAULT_QUERIES)
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--limit", type=int, default=10)
    ap.add_argument("--label", default="")
    ap.add_argument("--json", type=Path, default=None)
    args = ap.parse_args()
    from starlette.testclient import TestClient

    from mcdewey.server.app import open_app

    queries = [json.loads(line)["query"] for line in args.queries.read_text().splitlines() if line.strip()]
    times: list[float] = []
    with TestClient(open_app(args.export), base_url="http://127.0.0.1") as client:  # the Host the guard allows
        for q in queries:
            assert client.get("/", params={"q": q, "limit": args.limit}).status_code == 200
        for _ in range(args.repeat):
            for q in queries:
                t0 = time.perf_counter()
                r = client.get("/", params={"q": q, "limit": args.limit})
                times.append(time.perf_counter() - t0)
                assert r.status_code == 200
    times.sort()
    out = {"label": args.label, "queries": len(queries), "requests": len(times),
           "p50_ms": round(1000 * statistics.median(times), 1),
           "p95_ms": round(1000 * times[int(0.95 * (len(times) - 1))], 1)}
    print(json.dumps(out))
    if args.json:
        with args.json.open("a") as fh:
            fh.write(json.dumps(out) + "\n")


if __name__ == "__main__":
    main()
