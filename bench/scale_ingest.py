"""How ingest grows with the library: the reference library at 1x, 2x, 4x, single process and Ray.

The extra copies are further versions (`<vendor>/<product>/<version>-copyN/...`) made of hard links to
the same files (copies across file systems; the scanner skips symlinks that leave the library), so their
texts repeat: with the embedding cache copied from an earlier full ingest every chunk is a cache hit, and
what is timed is reading, chunking, cache look-ups, writing and indexing (the model's share is measured
separately in docs/performance.md). Each run gets a fresh workspace.

Usage:
    nice .venv/bin/python bench/scale_ingest.py --library ../shared/library --cache-from REF_HOME/cache \
        --copies 1 2 --engines local ray --out bench/results/scale_ingest.json
    nice .venv/bin/python bench/scale_ingest.py --library ../shared/library --model fake \
        --copies 1 2 4 --engines local ray --out bench/results/scale_ingest_fake.json

With `--model fake` (the deterministic test embedder, cheap next to a real model) every cost but the
model's is timed with no cache at all; the copies' texts are still cache hits within a run.

Peak RSS is that of the `mcdewey ingest` process (GNU time); Ray's workers are children of the raylet,
not of it, so for `--engine ray` it is the driver's figure only, and `ray_workers_rss_mb` adds the
workers' peak as sampled every 0.5 s.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

MCDEWEY = str(Path(sys.executable).parent / "mcdewey")


def build_library(source: Path, dest: Path, copies: int) -> Path:
    """`source` plus `copies - 1` further versions of every product, as hard links (copies across file systems).

    Not symlinks: the library scanner skips a symlink whose target lies outside the library.
    """
    if dest.exists():
        return dest
    for version_dir in sorted(p for p in source.glob("*/*/*") if p.is_dir()):
        vendor, product, version = version_dir.relative_to(source).parts
        for k in range(copies):
            name = version if k == 0 else f"{version}-copy{k + 1}"
            for f in version_dir.rglob("*"):
                if f.is_file():
                    link = dest / vendor / product / name / f.relative_to(version_dir)
                    link.parent.mkdir(parents=True, exist_ok=True)
                    try:
                        os.link(f.resolve(), link)
                    except OSError:  # another file system
                        shutil.copy2(f, link)
    return dest


def _ray_worker_rss(stop: threading.Event, peak: list[float]) -> None:
    """Sum of RSS of Ray worker processes (ray::*), sampled; the peak goes to peak[0]."""
    while not stop.wait(0.5):
        total = 0
        for pid in os.listdir("/proc"):
            if not pid.isdigit():
                continue
            try:
                cmd = Path(f"/proc/{pid}/cmdline").read_bytes()
                if b"ray::" not in cmd and b"default_worker.py" not in cmd:
                    continue
                status = Path(f"/proc/{pid}/status").read_text()
            except OSError:
                continue
            m = re.search(r"VmRSS:\s+(\d+) kB", status)
            total += int(m.group(1)) if m else 0
        peak[0] = max(peak[0], total / 1024)


def run_ingest(library: Path, home: Path, engine: str, cache_from: Path | None, model: str | None,
               ray_address: str | None = None) -> dict:
    shutil.rmtree(home, ignore_errors=True)
    (home / "cache").mkdir(parents=True)
    if cache_from:
        for f in cache_from.glob("embeddings.sqlite*"):
            shutil.copy2(f, home / "cache" / f.name)
        if (cache_from / "models").is_dir():
            shutil.copytree(cache_from / "models", home / "cache" / "models")
    env = {**os.environ, "MCDEWEY_HOME": str(home), "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    stop, peak = threading.Event(), [0.0]
    sampler = threading.Thread(target=_ray_worker_rss, args=(stop, peak), daemon=True)
    sampler.start()
    started = time.perf_counter()
    cmd = [MCDEWEY, "ingest", str(library), "--index", "s", "--engine", engine] + (["--model", model] if model else [])
    if engine == "ray" and ray_address:
        cmd += ["--ray-address", ray_address]
    done = subprocess.run(["/usr/bin/time", "-v", *cmd],
                          capture_output=True, text=True, env=env)
    wall = time.perf_counter() - started
    stop.set()
    if done.returncode != 0:
        raise RuntimeError(f"ingest failed: {done.stderr[-3000:]}")
    rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", done.stderr).group(1)) / 1024
    cpu = sum(float(re.search(rf"{kind} time \(seconds\): ([\d.]+)", done.stderr).group(1)) for kind in ("User", "System"))
    manifest = json.loads((home / "indexes" / "s" / "manifest.json").read_text())
    last = manifest["last_ingest"]
    return {"engine": engine, "wall_s": round(wall, 1), "cpu_s": round(cpu, 1), "load_average": os.getloadavg()[0], "peak_rss_mb": round(rss), "ray_workers_rss_mb": round(peak[0]) if engine == "ray" else 0,
            "documents": manifest["counts"]["documents"], "chunks": manifest["counts"]["chunks"],
            "cache_hits": last["cache_hits"], "cache_misses": last["cache_misses"],
            "model_seconds": last["embed_seconds"]}


def compare(home_a: Path, home_b: Path) -> dict:
    """Same ids, texts and metadata, and the smallest cosine between the two vectors of a chunk."""
    import numpy as np

    from mcdewey.store import Workspace

    a, b = Workspace(home_a).open_index("s").arrow(), Workspace(home_b).open_index("s").arrow()
    ids_a, ids_b = a["chunk_id"].to_pylist(), b["chunk_id"].to_pylist()
    same_rows = ids_a == ids_b and all(a[c].equals(b[c]) for c in a.column_names if c != "vector")
    order = {cid: i for i, cid in enumerate(ids_b)}
    va = np.asarray(a["vector"].to_pylist(), dtype=np.float32)
    vb = np.asarray(b["vector"].to_pylist(), dtype=np.float32)[[order[c] for c in ids_a]] if set(ids_a) == set(ids_b) else None
    cos = float(np.min(np.sum(va * vb, axis=1))) if vb is not None else None
    return {"chunks_a": len(ids_a), "chunks_b": len(ids_b), "same_ids_texts_metadata_in_order": same_rows,
            "min_cosine": cos}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--library", type=Path, required=True)
    parser.add_argument("--cache-from", type=Path, default=None)
    parser.add_argument("--copies", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--engines", nargs="+", default=["local", "ray"])
    parser.add_argument("--ray-address", default=None, help="a running Ray cluster (else each run starts one)")
    parser.add_argument("--compare-only", action="store_true", help="skip runs whose workspace exists")
    parser.add_argument("--model", default=None, help="e.g. `fake`: time everything but the model")
    parser.add_argument("--work", type=Path, default=Path("/tmp/mcdewey-scale-ingest"))
    parser.add_argument("--out", type=Path, default=Path("bench/results/scale_ingest.json"))
    args = parser.parse_args()
    results = {"label": "reference library at 1x/2x/... (copies = further versions, hard links); "
                        + ("test embedder, empty cache: every cost but the model's" if args.model == "fake"
                           else "embedding cache copied from a full ingest, so chunks are cache hits"),
               "model": args.model or "default", "cpus": os.cpu_count(), "load_average_at_start": os.getloadavg(), "runs": []}
    for copies in args.copies:
        library = build_library(args.library.resolve(), args.work / f"library-{copies}x", copies)
        homes = {}
        for engine in args.engines:
            homes[engine] = args.work / f"home-{copies}x-{engine}"
            if args.compare_only and (homes[engine] / "indexes" / "s" / "manifest.json").exists():
                continue
            row = {"copies": copies, **run_ingest(library, homes[engine], engine, args.cache_from, args.model,
                                                    args.ray_address)}
            results["runs"].append(row)
            print(json.dumps(row), flush=True)
        if {"local", "ray"} <= set(homes):
            agreement = {"copies": copies, **compare(homes["local"], homes["ray"])}
            results.setdefault("agreement", []).append(agreement)
            print(json.dumps(agreement), flush=True)
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(results, indent=2))
    results["load_average_at_end"] = os.getloadavg()
    args.out.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
