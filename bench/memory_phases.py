"""Where an ingest's memory goes: RSS sampled every 0.5 s during one in-process ingest of a generated big file,
with the RSS at the start and end of each phase (pipeline, index builds, passage linking, manifest).

    HF_HUB_OFFLINE=1 .venv/bin/python bench/memory_phases.py --mb 100 --repeat-mb 1 --model "" \
        --models-cache $MCDEWEY_HOME/cache/models --out bench/results/memory_phases_100mb.json

The big file is bench/memory.py's (with `--repeat-mb`, its first N MB repeated: a real model embeds only
those chunks and the cache answers the copies, while reading, chunking, writing and indexing see the full
size). `peak_rss_mb` is the process's maximum RSS as the ingest reports it.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from benchlib.report import emit  # noqa: E402
from memory import write_big  # noqa: E402

PHASES = [("mcdewey.ingest", None, "_run_pipeline"), ("mcdewey.store", "IndexWriter", "finalize"),
          ("mcdewey.ingest", None, "link_index"), ("mcdewey.ingest", None, "_manifest")]


def rss_mb() -> float:
    return int(Path("/proc/self/statm").read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def mark_phases(marks: list, t0: float) -> None:
    """Wrap each phase's function so its start and end RSS are recorded."""
    import importlib

    for module, owner, name in PHASES:
        target = importlib.import_module(module)
        target = getattr(target, owner) if owner else target
        original = getattr(target, name)

        def wrapped(*args, _original=original, _name=name, **kwargs):
            start = (round(time.perf_counter() - t0, 1), round(rss_mb()))
            try:
                return _original(*args, **kwargs)
            finally:
                marks.append({"phase": _name, "start_s": start[0], "start_mb": start[1],
                              "end_s": round(time.perf_counter() - t0, 1), "end_mb": round(rss_mb())})

        setattr(target, name, wrapped)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, default=100)
    parser.add_argument("--repeat-mb", type=float, default=1)
    parser.add_argument("--model", default="fake", help="Embedding model ('' for the default backend).")
    parser.add_argument("--models-cache", type=Path, help="A workspace's cache/models to copy in (no model build).")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    os.environ["MCDEWEY_MAX_FILE_MB"] = str(max(100.0, args.mb * 1.1))
    from mcdewey.ingest import ingest
    from mcdewey.store import Workspace

    with tempfile.TemporaryDirectory() as tmp:
        lib = Path(tmp) / "lib"
        (lib / "acme/router/1.0/guide").mkdir(parents=True)
        (lib / "acme/router/1.0/guide/small.md").write_text("# Small\n\nA small document next to the big one.\n")
        write_big(lib / "acme/router/1.0/guide/big.txt", args.mb, "text", args.repeat_mb)
        if args.models_cache:
            shutil.copytree(args.models_cache, Path(tmp) / "home/cache/models")
        t0, marks, samples, stop = time.perf_counter(), [], [], threading.Event()

        def sample() -> None:
            while not stop.wait(0.5):
                samples.append((round(time.perf_counter() - t0, 1), round(rss_mb())))

        threading.Thread(target=sample, daemon=True).start()
        mark_phases(marks, t0)
        report = ingest(lib, Workspace(Path(tmp) / "home"), "mem", model=args.model or None, progress=False)
        stop.set()
    result = {"file_mb": args.mb, "repeat_mb": args.repeat_mb, "model": args.model or "default",
              "chunks": report.chunks_added, "embedded": report.cache_misses, "seconds": round(report.seconds, 1),
              "peak_rss_mb": report.peak_rss_mb, "phases": marks,
              "highest_sample": max(samples, key=lambda s: s[1]) if samples else None,
              "command": "bench/memory_phases.py " + " ".join(sys.argv[1:])}
    emit(result, args.out)


if __name__ == "__main__":
    main()
