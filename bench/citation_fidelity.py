"""Citation fidelity over the library's PDFs: text inside each sampled chunk's highlight boxes vs chunk text.

Reads and chunks (default strategy and size; no embedding), samples chunks evenly across the PDFs,
and reports the letters-and-digits agreement and boxes outside their page (mcdewey.citation_check).

Usage: PYTHONPATH=. .venv/bin/python bench/citation_fidelity.py ../shared/library [--chunks 600] [--json OUT]
"""

from __future__ import annotations

import argparse
import json
import random
import time
from pathlib import Path

from mcdewey.chunking import DEFAULT_STRATEGY, get_chunker
from mcdewey.citation_check import Fidelity, check_document
from mcdewey.library import read_document


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("library", type=Path)
    ap.add_argument("--chunks", type=int, default=600, help="chunks to sample in all, spread over the PDFs")
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--json", type=Path, default=None)
    args = ap.parse_args()
    pdfs = sorted(p for p in args.library.rglob("*.pdf"))
    chunker = get_chunker(DEFAULT_STRATEGY)
    rng = random.Random(args.seed)
    result, t0, per_doc = Fidelity(), time.perf_counter(), []
    docs = []
    for path in pdfs:
        rel = path.relative_to(args.library).as_posix()
        try:
            doc = read_document(args.library, rel)
        except Exception as exc:  # noqa: BLE001  a PDF the reader skips has nothing to cite
            print(f"skip {rel}: {exc}")
            continue
        docs.append((path, doc, [c for c in chunker.chunk(doc) if c.page_start is not None]))
    total = sum(len(c) for _, _, c in docs)
    for path, doc, chunks in docs:
        want = max(1, round(args.chunks * len(chunks) / total))
        sample = sorted(rng.sample(chunks, min(want, len(chunks))), key=lambda c: c.start)
        before = Fidelity(**{k: getattr(result, k) for k in ("chunks", "matched", "total")})
        check_document(path, doc, sample, result)
        share = (result.matched - before.matched) / max(1, result.total - before.total)
        per_doc.append({"doc_id": doc.doc_id, "chunks": len(sample), "fidelity": round(share, 4)})
        print(f"{share:7.2%}  {len(sample):4d} chunks  {doc.doc_id}", flush=True)
    out = {"library": str(args.library), "pdfs": len(docs), "strategy": DEFAULT_STRATEGY,
           "seconds": round(time.perf_counter() - t0, 1), **result.to_dict(), "per_doc": per_doc}
    print(json.dumps({k: v for k, v in out.items() if k != "per_doc"}, indent=1))
    if args.json:
        args.json.write_text(json.dumps(out, indent=1) + "\n")


if __name__ == "__main__":
    main()
