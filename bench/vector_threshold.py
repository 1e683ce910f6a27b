"""Where an approximate vector index starts to pay: exact in-memory search vs LanceDB flat vs IVF_HNSW_SQ.

Usage:
    HF_HUB_OFFLINE=1 .venv/bin/python bench/vector_threshold.py --index ref [--home .mcdewey] \
        [--sizes 32000,100000,200000] [--queries 200]

Vectors are the index's real chunk vectors; sizes above the index's row count repeat them with
small Gaussian noise, re-normalized (labeled synthetic). Query vectors are other chunks' vectors
with noise. Recall@10 of the ANN index is measured against the exact top 10.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np
import pyarrow as pa

os.environ.setdefault("HF_HUB_OFFLINE", "1")


def vectors_of(args) -> np.ndarray:
    from mcdewey.store import Workspace

    index = Workspace(args.home).open_index(args.index)
    column = index.arrow(["vector"]).column("vector").combine_chunks()
    return column.values.to_numpy(zero_copy_only=False).reshape(-1, index.dim).astype(np.float32)


def grow(base: np.ndarray, size: int, rng: np.random.Generator) -> np.ndarray:
    reps = -(-size // len(base))
    out = np.concatenate([base] + [base + rng.normal(0, 0.03, base.shape).astype(np.float32)
                                   for _ in range(reps - 1)])[:size]
    return out / np.linalg.norm(out, axis=1, keepdims=True)


def timed(fn, queries) -> tuple[float, list]:
    times, results = [], []
    for q in queries:
        start = time.perf_counter()
        results.append(fn(q))
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), results


def measure(matrix: np.ndarray, queries: np.ndarray, workdir: Path) -> dict:
    import lancedb
    from lancedb.index import IvfHnswSq

    from mcdewey.memtable import _blas_controller

    def exact(q):
        with _blas_controller().limit(limits=1, user_api="blas"):
            scores = matrix @ q
        top = np.argpartition(-scores, 9)[:10]
        return set(top[np.argsort(-scores[top])].tolist())

    exact_ms, truth = timed(exact, queries)
    flat = pa.FixedSizeListArray.from_arrays(pa.array(matrix.ravel()), matrix.shape[1])
    table = lancedb.connect(str(workdir)).create_table("v", pa.table({"id": np.arange(len(matrix)), "vector": flat}))

    def lance(q, **kw):
        b = table.search(q).distance_type("cosine").limit(10).select(["id"])
        for name, value in kw.items():
            b = getattr(b, name)(value)
        return set(b.to_arrow()["id"].to_pylist())

    flat_ms, _ = timed(lance, queries)
    start = time.perf_counter()
    table.create_index("vector", config=IvfHnswSq(distance_type="cosine",
                                                  num_partitions=max(1, len(matrix) // 100_000)))
    build_s = time.perf_counter() - start
    out = {"rows": len(matrix), "exact_numpy_p50_ms": round(exact_ms, 2), "lancedb_flat_p50_ms": round(flat_ms, 2),
           "hnsw_build_s": round(build_s, 1)}
    for refine in (0, 5):
        ann_ms, found = timed(lambda q: lance(q, refine_factor=refine) if refine else lance(q), queries)
        out[f"hnsw_sq_refine{refine}_p50_ms"] = round(ann_ms, 2)
        out[f"hnsw_sq_refine{refine}_recall@10"] = round(float(np.mean([len(a & b) / 10 for a, b in zip(found, truth)])), 3)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", default=os.environ.get("MCDEWEY_HOME", ".mcdewey"))
    parser.add_argument("--index", default="ref")
    parser.add_argument("--sizes", default="32000,100000,200000")
    parser.add_argument("--queries", type=int, default=200)
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    base = vectors_of(args)
    picks = base[rng.choice(len(base), args.queries, replace=False)]
    queries = picks + rng.normal(0, 0.05, picks.shape).astype(np.float32)
    queries /= np.linalg.norm(queries, axis=1, keepdims=True)
    results = []
    for size in (int(s) for s in args.sizes.split(",")):
        workdir = Path(tempfile.mkdtemp(prefix="mcdewey-threshold-"))
        try:
            results.append(measure(grow(base, size, rng), queries, workdir))
        finally:
            shutil.rmtree(workdir, ignore_errors=True)
        print(json.dumps(results[-1]), flush=True)


if __name__ == "__main__":
    main()
