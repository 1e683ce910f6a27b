"""Query latency and ANN recall at synthetic scale (default 1 million chunks) through mcdewey's own search path.

SYNTHETIC SCALE: rows are real chunks of an existing index, repeated; each copy gets a fresh vector
mixed from two real chunk vectors plus noise (cosine ~0.8 to its own chunk's vector), so the vector cloud
keeps the shape of real embeddings but no two rows coincide. Queries are the real labeled queries
(dev + faq), embedded by the index's backend.

Usage:
    HF_HUB_OFFLINE=1 .venv/bin/python bench/scale.py --source-home .mcdewey --source-index ref \
        --rows 1000000 --work /tmp/mcdewey-scale --out bench/results/scale.json

The table is written in store.chunk_schema with store's own index calls (FTS on text, scalar indexes,
IVF_HNSW_SQ), then opened as a store.Index so `mcdewey.search.search` is what is timed. Recall@10 of
the vector index is measured against exact (brute-force numpy) search over the same vectors.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import time
import warnings
from dataclasses import replace
from pathlib import Path

import numpy as np
import pyarrow as pa

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from mcdewey import store  # noqa: E402
from mcdewey.manifest import ChunkingSpec, Manifest, Tables  # noqa: E402
from mcdewey.search import SearchConfig, search  # noqa: E402

TABLE = "chunks__scale"


def load_queries(paths: list[Path]) -> list[str]:
    """Query strings of the labeled sets (unique, file order)."""
    out: list[str] = []
    for path in paths:
        files = sorted(path.glob("*.jsonl")) if path.is_dir() else [path]
        for f in files:
            out += [json.loads(line)["query"] for line in f.read_text().splitlines() if line.strip()]
    return list(dict.fromkeys(out))


def synthetic_vectors(base: np.ndarray, rows: int, seed: int) -> np.ndarray:
    """Row i: normalize(base[i % K] + 0.5 * base[random] + 0.5 * unit noise), float32."""
    rng = np.random.default_rng(seed)
    out = np.empty((rows, base.shape[1]), dtype=np.float32)
    for start in range(0, rows, 100_000):
        n = min(100_000, rows - start)
        own = base[np.arange(start, start + n) % len(base)]
        other = base[rng.integers(0, len(base), n)]
        noise = rng.standard_normal((n, base.shape[1]), dtype=np.float32) / np.sqrt(base.shape[1])
        v = own + 0.5 * other + 0.5 * noise
        out[start : start + n] = v / np.linalg.norm(v, axis=1, keepdims=True)
    return out


def write_table(db, source: pa.Table, vectors: np.ndarray, batch: int = 100_000):
    """The synthetic chunk table: source rows repeated, unique chunk ids, the given vectors."""
    source = source.drop_columns(["vector"])
    schema = store.chunk_schema(vectors.shape[1])  # without the columns an older source lacks (ident_text)
    schema = pa.schema([f for f in schema if f.name in source.column_names or f.name == "vector"])
    table = None
    for start in range(0, len(vectors), batch):
        n = min(batch, len(vectors) - start)
        rows = source.take(pa.array(np.arange(start, start + n) % source.num_rows))
        ids = pa.array([f"{cid}#{start + i}" for i, cid in enumerate(rows.column("chunk_id").to_pylist())])
        rows = rows.set_column(rows.schema.get_field_index("chunk_id"), "chunk_id", ids)
        flat = pa.array(vectors[start : start + n].ravel(), type=pa.float32())
        rows = rows.append_column("vector", pa.FixedSizeListArray.from_arrays(flat, vectors.shape[1]))
        rows = rows.select(schema.names).cast(schema)
        if table is None:
            table = db.create_table(TABLE, rows, mode="overwrite")
        else:
            table.add(rows)
    return table


def exact_top(vectors: np.ndarray, queries: np.ndarray, k: int) -> np.ndarray:
    """Row numbers of the exact k nearest rows (cosine; all vectors are normalized)."""
    out = np.empty((len(queries), k), dtype=np.int64)
    for i in range(0, len(queries), 16):
        scores = queries[i : i + 16] @ vectors.T
        part = np.argpartition(-scores, k, axis=1)[:, :k]
        order = np.argsort(-np.take_along_axis(scores, part, axis=1), axis=1)
        out[i : i + 16] = np.take_along_axis(part, order, axis=1)
    return out


def ann_rows(table, vector: np.ndarray, k: int, nprobes: int, refine: int, ef: int | None) -> list[int]:
    """store.Index.vector_candidates' query, plus `ef`, returning row numbers (from the chunk id suffix)."""
    q = table.search(vector, vector_column_name="vector").distance_type("cosine")
    if nprobes:
        q = q.nprobes(nprobes)
    if refine:
        q = q.refine_factor(refine)
    if ef:
        q = q.ef(ef)
    rows = q.limit(k).select(["chunk_id", "_distance"]).to_arrow().column("chunk_id").to_pylist()
    return [int(cid.rsplit("#", 1)[1]) for cid in rows]


def percentiles(samples: list[float]) -> dict:
    ms = np.array(samples) * 1000
    return {"p50_ms": round(float(np.percentile(ms, 50)), 1), "p99_ms": round(float(np.percentile(ms, 99)), 1),
            "mean_ms": round(float(ms.mean()), 1)}


def tune(table, query_vecs: np.ndarray, truth: np.ndarray, grid: list[dict], k: int = 10) -> list[dict]:
    """Recall@k and latency of the raw vector query for each (nprobes, refine_factor, ef)."""
    results = []
    for params in grid:
        times, recalls = [], []
        ann_rows(table, query_vecs[0], k, **params)  # warm the index pages for this setting
        for qv, exact in zip(query_vecs, truth):
            t0 = time.perf_counter()
            got = ann_rows(table, qv, k, **params)
            times.append(time.perf_counter() - t0)
            recalls.append(len(set(got) & set(exact.tolist())) / k)
        results.append({**params, "recall@10": round(float(np.mean(recalls)), 4), **percentiles(times)})
        print(f"tune {results[-1]}", file=sys.stderr, flush=True)
    return results


def timed_search(index, queries: list[str], mode: str, config: SearchConfig) -> dict:
    """p50/p99 of mcdewey.search.search, each query once "cold" (a first-time query, timed by
    mcdewey.latency.timed_search: its embedding paid, its rows touched for the first time) then again
    "warm" (its vector remembered by the embedder, as the server's query cache would)."""
    from mcdewey import latency

    def run(idx, q, k, m, filters):
        return search(idx, q, k=k, mode=m, filters=filters, config=config)

    cold = [latency.timed_search(index, q, 10, mode, None, run)[1] / 1000 for q in queries]
    warm = []
    for q in queries:
        t0 = time.perf_counter()
        run(index, q, 10, mode, None)
        warm.append(time.perf_counter() - t0)
    return {"cold": percentiles(cold), "warm": percentiles(warm)}


def rss_mb() -> dict:
    """This process's memory now and at its peak (/proc)."""
    out = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(("VmRSS:", "VmHWM:")):
            out["rss_mb" if line.startswith("VmRSS") else "peak_rss_mb"] = round(int(line.split()[1]) / 1024)
    return out


def reuse(args, manifest) -> dict:
    """Time searches in a fresh process on the table a `--keep` run left: hybrid first, so its first
    queries meet cold indexes unless --prewarm loaded them (store.Index.prewarm, as the server does)."""
    index = store.Index("scale", manifest, args.work / "lancedb", TABLE)
    report: dict = {"rows": index.count(), "reused": str(args.work), "prewarm": args.prewarm}
    index.embedder().embed_queries(["load the model"])  # the model load is not an index cost
    if args.prewarm:
        t0 = time.perf_counter()
        report["prewarm_steps_s"] = {k: round(v, 2) for k, v in index.prewarm().items()}
        report["prewarm_s"] = round(time.perf_counter() - t0, 2)
    queries = load_queries(args.queries)
    report["queries"] = len(queries)
    report["search"] = {mode: timed_search(index, queries, mode, SearchConfig()) for mode in ("hybrid", "vector", "keyword")}
    report["memory"] = rss_mb()
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source-home", type=Path, default=Path(".mcdewey"))
    parser.add_argument("--source-index", default="ref")
    parser.add_argument("--backend", default="onnx-int8", help="query backend when the source has no manifest")
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--work", type=Path, default=Path("/tmp/mcdewey-scale"))
    parser.add_argument("--queries", type=Path, nargs="+",
                        default=[Path("../shared/evals/dev/queries.jsonl"), Path("../shared/evals/faq")])
    parser.add_argument("--partitions", type=int, default=0, help="IVF partitions; 0 = store's rows // 100k")
    parser.add_argument("--grid", default="nprobes=0;nprobes=20;nprobes=20,refine=5;nprobes=40,refine=5;"
                                          "nprobes=20,refine=10;nprobes=20,refine=5,ef=100")
    parser.add_argument("--keep", action="store_true", help="keep the synthetic table (default: delete it)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--reuse", action="store_true",
                        help="no build: time searches in this fresh process on the table a --keep run left in --work")
    parser.add_argument("--prewarm", action="store_true", help="with --reuse: prewarm the indexes before timing")
    parser.add_argument("--out", type=Path, default=Path("bench/results/scale.json"))
    args = parser.parse_args()

    report: dict = {"label": "SYNTHETIC SCALE: real chunk texts repeated, fresh mixed vectors", "rows": args.rows}
    workspace = store.Workspace(args.source_home)
    # An index still being built has rows but no manifest yet: its table is read as it stands.
    source = workspace.db.open_table(f"chunks__{args.source_index}").to_arrow()
    base = source.column("vector").combine_chunks().flatten().to_numpy().reshape(source.num_rows, -1)
    manifest = workspace.read_manifest(args.source_index) or Manifest(
        "scale", ChunkingSpec("recursive", {}, "bundled:all-MiniLM-L6-v2", args.backend), base.shape[1], Tables(TABLE))
    manifest = replace(manifest, name="scale", tables=Tables(TABLE), files={})
    report["source"] = {"index": args.source_index, "chunks": source.num_rows, "model": manifest.model,
                        "backend": manifest.backend}
    if args.reuse:
        out = reuse(args, manifest)
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(out, indent=2))
        print(json.dumps(out, indent=2))
        return
    vectors = synthetic_vectors(base, args.rows, args.seed)

    import lancedb

    shutil.rmtree(args.work, ignore_errors=True)
    db = lancedb.connect(str(args.work / "lancedb"))
    t0 = time.perf_counter()
    table = write_table(db, source, vectors)
    report["write_s"] = round(time.perf_counter() - t0, 1)
    t0 = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for field in store.FTS_FIELDS:  # as store.build_indexes: searches read search_text by default
            table.create_fts_index(field, replace=True, use_tantivy=False)
    report["fts_build_s"] = round(time.perf_counter() - t0, 1)
    t0 = time.perf_counter()
    for col in ("chunk_id", "doc_id"):  # as store.build_indexes: rows are fetched by id
        table.create_scalar_index(col, index_type="BTREE", replace=True)
    for col in ("vendor", "product", "version"):
        table.create_scalar_index(col, index_type="BITMAP", replace=True)
    report["scalar_build_s"] = round(time.perf_counter() - t0, 1)
    from lancedb.index import IvfHnswSq

    partitions = args.partitions or max(1, args.rows // 100_000)
    t0 = time.perf_counter()
    table.create_index("vector", config=IvfHnswSq(distance_type="cosine", num_partitions=partitions), replace=True)
    report["vector_index"] = {"type": "IVF_HNSW_SQ", "num_partitions": partitions,
                              "build_s": round(time.perf_counter() - t0, 1)}
    print(f"built: {report}", file=sys.stderr, flush=True)
    report["disk_gb"] = round(sum(f.stat().st_size for f in args.work.rglob("*") if f.is_file()) / 1e9, 2)

    queries = load_queries(args.queries)
    index = store.Index("scale", manifest, args.work / "lancedb", TABLE)
    embedder = index.embedder()
    query_vecs = embedder.embed_queries(queries)
    t0 = time.perf_counter()
    truth = exact_top(vectors, query_vecs, 10)
    report["exact_numpy_per_query_ms"] = round((time.perf_counter() - t0) / len(queries) * 1000, 1)
    report["queries"] = len(queries)
    grid = [dict({"nprobes": 0, "refine": 0, "ef": None},
                 **{kv.split("=")[0]: int(kv.split("=")[1]) for kv in spec.split(",")}) for spec in args.grid.split(";")]
    report["tuning"] = tune(table, query_vecs, truth, grid)
    best = max(report["tuning"], key=lambda r: (r["recall@10"] >= 0.95, -r["p50_ms"] if r["recall@10"] >= 0.95
                                                 else r["recall@10"]))
    config = SearchConfig(nprobes=best["nprobes"], refine_factor=best["refine"])
    report["search"] = {"config": config.to_dict(),
                        "vector": timed_search(index, queries, "vector", config),
                        "hybrid": timed_search(index, queries, "hybrid", config),
                        "keyword": timed_search(index, queries, "keyword", config)}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2))
    print(json.dumps(report, indent=2))
    if not args.keep:
        shutil.rmtree(args.work, ignore_errors=True)


if __name__ == "__main__":
    main()
