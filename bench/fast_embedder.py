"""The distilled fast embedder (`--model fast`) next to the full model: build time, then throughput on the
same real chunk texts, interleaved, and how close its rankings are to the full model's.

Usage:
    HF_HUB_OFFLINE=1 .venv/bin/python bench/fast_embedder.py --library ../shared/library \
        --cache /tmp/fast-cache --n 2000 --out bench/results/fast_embedder.json

`--cache` is the model cache the fast model is built into (a new folder measures the distillation; an
existing build is reused and its recorded build time reported). Throughput goes through the embedders
ingest uses (`get_embedder`: the full model on its default backend, and the static model), both on the
same texts in the same slices, so a busy shared machine slows both alike; ratios are what to read.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from pathlib import Path

import numpy as np

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from embed_backends import machine, read_chunks, sample_doc_ids, text_of  # noqa: E402  (bench/ is on sys.path)

from mcdewey.embeddings import get_embedder  # noqa: E402
from mcdewey.static_embedder import ensure_fast_model, load_fast_embedder  # noqa: E402


def interleaved(embedders: dict, texts: list[str], slices: int, batch: int) -> dict:
    """Texts/s of each embedder over the same slices, one batch of `batch` texts per call (as ingest calls)."""
    wall = {n: 0.0 for n in embedders}
    vectors: dict = {n: [] for n in embedders}
    for emb in embedders.values():
        emb.embed_documents(texts[:16])  # warm-up
    bounds = np.linspace(0, len(texts), slices + 1).astype(int)
    for s in range(slices):
        part = texts[bounds[s] : bounds[s + 1]]
        for name, emb in embedders.items():
            started = time.perf_counter()
            vectors[name].extend(emb.embed_documents(part[i : i + batch]) for i in range(0, len(part), batch))
            wall[name] += time.perf_counter() - started
        print(f"slice {s + 1}/{slices}", file=sys.stderr, flush=True)
    return {n: {"texts_per_s": round(len(texts) / wall[n], 1), "seconds": round(wall[n], 2),
                "vectors": np.concatenate(vectors[n])} for n in embedders}


def neighbour_overlap(a: np.ndarray, b: np.ndarray, k: int = 10, probes: int = 200) -> float:
    """Mean share of each probe text's k nearest texts (by the first model) that the second model also finds."""
    picks = np.random.default_rng(0).choice(len(a), min(probes, len(a)), replace=False)
    shared = []
    for i in picks:
        top_a = set(np.argsort(-(a @ a[i]))[1 : k + 1])
        top_b = set(np.argsort(-(b @ b[i]))[1 : k + 1])
        shared.append(len(top_a & top_b) / k)
    return round(float(np.mean(shared)), 3)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--library", type=Path, default=Path("../shared/library"))
    parser.add_argument("--cache", type=Path, required=True, help="model cache to build the fast model in")
    parser.add_argument("--full", default=None, help="the model to compare with (default: the bundled one)")
    parser.add_argument("--n", type=int, default=2000, help="chunk texts in the throughput sample")
    parser.add_argument("--docs", type=int, default=200, help="documents sampled to draw chunks from")
    parser.add_argument("--slices", type=int, default=4)
    parser.add_argument("--batch", type=int, default=256, help="texts per embed call")
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--out", type=Path, default=Path("bench/results/fast_embedder.json"))
    args = parser.parse_args()

    started = time.perf_counter()
    folder = ensure_fast_model(args.cache)
    build = json.loads((folder / "build.json").read_text())
    build_s = round(time.perf_counter() - started, 1)
    chunks = read_chunks(args.library, sample_doc_ids(args.library, args.docs, args.seed), "recursive")
    texts = [text_of(c) for c in random.Random(args.seed).sample(chunks, min(args.n, len(chunks)))]
    full = get_embedder(args.full, None, args.cache)
    fast = load_fast_embedder(args.cache)
    timed = interleaved({"full": full, "fast": fast}, texts, args.slices, args.batch)
    report = {"machine": machine(), "args": {k: str(v) for k, v in vars(args).items()}, "texts": len(texts),
              "distill": {"seconds_this_run": build_s, "seconds_recorded": build["seconds"],
                          "settings": build["settings"], "model": build["model"]},
              "full": {"name": full.name, "dim": full.dim, **{k: v for k, v in timed["full"].items() if k != "vectors"}},
              "fast": {"name": fast.name, "dim": fast.dim, **{k: v for k, v in timed["fast"].items() if k != "vectors"}},
              "speedup": round(timed["fast"]["texts_per_s"] / timed["full"]["texts_per_s"], 1),
              "neighbour_overlap@10": neighbour_overlap(timed["full"]["vectors"], timed["fast"]["vectors"])}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2))
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
