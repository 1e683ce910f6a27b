"""Chunk the whole library with each strategy: chunk counts, token sizes, share over the model input, time.

Usage: .venv/bin/python bench/chunking.py [LIBRARY] [--strategies fixed,recursive,...] [--context]
       [--semantic-model fake] [--every N]
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import time
from pathlib import Path

import numpy as np

os.environ.setdefault("HF_HUB_OFFLINE", "1")
# A chunk whose last line is a Markdown heading: the heading should have started the next chunk.
TRAILING_HEADING = re.compile(r"\n#{1,6} [^\n]*$")

from mcdewey.chunking import describe, get_chunker, list_strategies  # noqa: E402
from mcdewey.library import iter_documents  # noqa: E402
from mcdewey.tokens import get_tokenizer  # noqa: E402


def run(docs, name: str, params: dict) -> dict:
    """Chunk every document once; check offsets; measure sizes of text and of embedded text."""
    chunker = get_chunker(name, **params)
    tok = get_tokenizer(params.get("model"))
    tok.clear_cache()  # each strategy pays for tokenizing the library, as a single ingest would
    t0 = time.perf_counter()
    chunks = [c for d in docs for c in chunker.chunk(d)]
    seconds = time.perf_counter() - t0
    texts = {d.doc_id: d.text for d in docs}
    bad = sum(texts[c.doc_id][c.start : c.end] != c.text or not c.text.strip() for c in chunks)
    embedded = np.array(tok.count_batch([c.embed_text for c in chunks]))
    sizes = np.array([c.tokens for c in chunks])
    return {
        "strategy": describe(chunker),
        "chunks": len(chunks),
        "seconds": round(seconds, 1),
        "p50": int(np.percentile(sizes, 50)),
        "p95": int(np.percentile(sizes, 95)),
        "max": int(sizes.max()),
        "under_20": f"{(sizes < 20).mean():.1%}",
        "embed_over_limit": f"{(embedded > tok.max_text_tokens).mean():.3%}",
        "trailing_heading": sum(bool(TRAILING_HEADING.search(c.text)) for c in chunks),
        "bad_offsets": bad,
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("library", nargs="?", default="../shared/library")
    ap.add_argument("--strategies", default=",".join(s for s in list_strategies() if s != "semantic"))
    ap.add_argument("--context", action="store_true", help="also run every strategy with context=True")
    ap.add_argument("--semantic-model", default=None, help="embedder for `semantic` (default: bundled MiniLM)")
    ap.add_argument("--every", type=int, default=1, help="use every N-th document only")
    args = ap.parse_args()
    t0 = time.perf_counter()
    docs = list(iter_documents(Path(args.library)))
    docs = docs[:: args.every]
    words = sum(len(d.text.split()) for d in docs)
    print(f"{len(docs)} documents, {words:,} words, read in {time.perf_counter() - t0:.1f} s")
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores")
    for name in args.strategies.split(","):
        for context in (False, True) if args.context else (False,):
            params = {"context": context}
            if name == "semantic":
                params["model"] = args.semantic_model
            print(run(docs, name, params), flush=True)


if __name__ == "__main__":
    main()
