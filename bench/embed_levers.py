"""Ingest's model levers side by side on the same real chunk texts: sentence-transformers around the runner
(today's path before round two) against the light runtime model with token-budget batches.

Usage:
    HF_HUB_OFFLINE=1 .venv/bin/python bench/embed_levers.py --library ../shared/library --n 2000 \
        --out bench/results/embed_levers.json

Timing is interleaved (bench/embed_backends.py `throughput`): every configuration encodes slice 1, then
slice 2, ... so machine noise hits all alike. Agreement is the smallest cosine to the first configuration.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from benchlib.report import emit  # noqa: E402
from embed_backends import machine, read_chunks, sample_doc_ids, text_of, throughput  # noqa: E402

from mcdewey import backends  # noqa: E402
from mcdewey.embeddings import model_location  # noqa: E402


def load(backend: str, cache: Path, light: bool, tokens: int | None = None):
    """The model as sentence-transformers wraps it (light=False) or as the runtime model with a token budget."""
    os.environ["MCDEWEY_RUNTIME_MODEL"] = "1" if light else "0"
    model = backends.load_model(model_location(None), backend, cache)
    if light and tokens:
        model.tokens_per_batch = tokens
    return model


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--library", type=Path, default=Path("../shared/library"))
    parser.add_argument("--cache", type=Path, default=Path(".mcdewey/cache/models"))
    parser.add_argument("--backend", default=backends.default_backend())
    parser.add_argument("--tokens", default="2048,8192,32768", help="token budgets of the light model")
    parser.add_argument("--openvino-hints", default="",
                        help="also the light model with these OpenVINO performance hints, e.g. THROUGHPUT")
    parser.add_argument("--n", type=int, default=2000)
    parser.add_argument("--docs", type=int, default=150)
    parser.add_argument("--slices", type=int, default=4)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    chunks = read_chunks(args.library, sample_doc_ids(args.library, args.docs, args.seed), "recursive")
    texts = [text_of(c) for c in chunks][: args.n]
    models = {"sentence-transformers": load(args.backend, args.cache, light=False)}
    for tokens in map(int, args.tokens.split(",")):
        models[f"light-{tokens}"] = load(args.backend, args.cache, light=True, tokens=tokens)
    for hint in filter(None, args.openvino_hints.split(",")):  # OpenVINO streams: the default token budget
        os.environ["MCDEWEY_OPENVINO_HINT"] = hint
        models[f"light-{hint.lower()}"] = load(args.backend, args.cache, light=True)
    os.environ.pop("MCDEWEY_OPENVINO_HINT", None)
    configs = [(name, 32 if name == "sentence-transformers" else 256, True) for name in models]
    runs = throughput(models, texts, configs, args.slices)
    base = runs[configs[0]]
    rows = [{"config": name, "texts_per_s": round(r["texts_per_s"], 1), "texts_per_cpu_s": round(r["texts_per_cpu_s"], 1),
             "ratio": round(r["texts_per_s"] / base["texts_per_s"], 2),
             "min_cos": round(float(np.sum(r["vectors"] * base["vectors"], axis=1).min()), 6)}
            for (name, _, _), r in runs.items()]
    report = {"machine": machine(), "backend": args.backend, "texts": len(texts), "rows": rows,
              "command": "bench/embed_levers.py " + " ".join(sys.argv[1:])}
    emit(report, args.out)


if __name__ == "__main__":
    main()
