"""Time reading a library, per format: seconds, documents, words, words per second (best of N runs).

usage: python bench/read_library.py LIBRARY [--runs 3]
"""

from __future__ import annotations

import argparse
import json
import time
from collections import defaultdict
from pathlib import Path

from mcdewey.library import ReadError, SkipFile, read_document, scan_library


def one_run(root: Path) -> tuple[dict, float]:
    start = time.perf_counter()
    scan = scan_library(root)
    stats: dict[str, dict] = defaultdict(lambda: {"documents": 0, "words": 0, "mb": 0.0, "seconds": 0.0})
    for doc_id, fmt in scan.candidates.items():
        t = time.perf_counter()
        try:
            doc = read_document(root, doc_id, fmt=fmt)
        except (SkipFile, ReadError):
            continue
        s = stats[fmt]
        s["seconds"] += time.perf_counter() - t
        s["documents"] += 1
        s["words"] += len(doc.text.split())
        s["mb"] += (root / doc_id).stat().st_size / 2**20
    return dict(stats), time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("library", type=Path)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    runs = [one_run(args.library) for _ in range(args.runs)]
    stats, total = min(runs, key=lambda r: r[1])
    for fmt, s in sorted(stats.items(), key=lambda kv: -kv[1]["seconds"]):
        s["words_per_s"] = round(s["words"] / s["seconds"]) if s["seconds"] else None
        s["seconds"], s["mb"] = round(s["seconds"], 2), round(s["mb"], 1)
    print(json.dumps({"total_seconds": round(total, 2), "all_runs": [round(r[1], 2) for r in runs], "by_format": stats}, indent=2))


if __name__ == "__main__":
    main()
