"""Peak RSS of `mcdewey ingest` against the size of the largest file: one generated document of N MB.

For each size it writes a library holding one plain-text (or single-line HTML) file of that size plus a
small Markdown file, runs `mcdewey ingest LIB --index mem --json` in a fresh process and reads
`peak_rss_mb` from the summary. A run on the small file alone gives the baseline.

    .venv/bin/python bench/memory.py --sizes 10,50,100 --kind text --model fake
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

WORDS = ("packet frame codec latency jitter queue policy interface address table session timer buffer channel "
         "signal port protocol header payload routing switch vlan trunk gateway firmware").split()


def write_big(path: Path, megabytes: float, kind: str, repeat_mb: float = 0) -> None:
    """A generated document of about `megabytes` MB: paragraphs of words (text) or one line of <p>s (html).

    With `repeat_mb`, the document is its first `repeat_mb` MB written again and again: every chunk after
    the first copy repeats one already embedded, so a real model embeds only the first copy (the
    embedding cache answers the rest) while reading, chunking, writing and indexing see the full size.
    """
    rng = random.Random(0)
    path.parent.mkdir(parents=True, exist_ok=True)
    target = int(megabytes * 2**20)
    period = int(repeat_mb * 2**20) or target
    with path.open("w") as fh:
        if kind == "html":
            fh.write("<html><head><title>Big</title></head><body>")
        written, n, block = 0, 0, []
        while written < target:
            if block and sum(map(len, block)) >= period:  # the first copy is complete: write it again
                for piece in block:
                    fh.write(piece)
                    written += len(piece)
                continue
            para = " ".join(rng.choice(WORDS) for _ in range(120))
            piece = f"<h2>Part {n}</h2><p>{para}</p>" if kind == "html" else (
                f"{n}. PART {n}\n\n{para}\n\n" if n % 10 == 0 else f"{para}\n\n")
            fh.write(piece)
            written += len(piece)
            n += 1
            if repeat_mb:
                block.append(piece)
        if kind == "html":
            fh.write("</body></html>")


def run(lib: Path, home: Path, model: str, size: float) -> dict:
    """One fresh `mcdewey ingest --json` process; its peak RSS, chunks, model misses and wall time."""
    cmd = [str(Path(sys.executable).parent / "mcdewey"), "ingest", str(lib), "--index", "mem", "--json",
           "--home", str(home)] + (["--model", model] if model else [])
    # The generated file ends a little over its size: keep it under the size limit (100 MiB by default).
    env = os.environ | {"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1",
                        "MCDEWEY_MAX_FILE_MB": str(max(100.0, size * 1.1))}
    started = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if proc.returncode not in (0, 3):
        raise RuntimeError(proc.stderr[-3000:])
    out = json.loads(proc.stdout)
    return {"peak_rss_mb": out["peak_rss_mb"], "chunks": out["chunks_added"], "embedded": out["embedded"],
            "seconds": round(time.perf_counter() - started, 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="10,50,100", help="File sizes in MB, comma-separated.")
    parser.add_argument("--kind", choices=["text", "html"], default="text")
    parser.add_argument("--model", default="fake", help="Embedding model ('' for the default backend).")
    parser.add_argument("--repeat-mb", type=float, default=0, help="Repeat the first N MB of the big file, so a "
                        "real model embeds only those chunks (the cache answers the copies).")
    parser.add_argument("--models-cache", type=Path, help="A workspace's cache/models folder to copy in first, so the "
                        "default backend's converted model is not rebuilt (and measured) in every run.")
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for size in [0.0] + [float(s) for s in args.sizes.split(",")]:
            lib = Path(tmp) / f"lib-{size}"
            small = lib / "acme/router/1.0/guide/small.md"
            small.parent.mkdir(parents=True, exist_ok=True)
            small.write_text("# Small\n\nA small document next to the big one.\n")
            if size:
                write_big(lib / f"acme/router/1.0/guide/big.{'html' if args.kind == 'html' else 'txt'}", size,
                          args.kind, args.repeat_mb)
            if args.models_cache:
                shutil.copytree(args.models_cache, Path(tmp) / f"home-{size}" / "cache" / "models")
            row = {"file_mb": size, "kind": args.kind, "model": args.model or "default",
                   **run(lib, Path(tmp) / f"home-{size}", args.model, size)}
            print(json.dumps(row), flush=True)
            rows.append(row)
    print(json.dumps(rows, indent=2))


if __name__ == "__main__":
    main()
