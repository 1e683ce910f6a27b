"""Build a smaller library for an evaluation grid: every document a query set cites, plus a fixed sample of the rest.

    .venv/bin/python bench/grid_library.py ../shared/library /tmp/grid-library \
        --queries ../shared/evals --sample 0.10

Each grid point re-embeds its whole library, so a grid over the full reference library (8 indexes of
~4.4 M tokens) does not fit a shared 2-core machine in an hour. The sample keeps every evidence
document and adds other documents as distractors, chosen by a hash of their path (the same ones on
every run and machine). Files are symlinked, so document ids, fingerprints and pages are unchanged.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
from pathlib import Path


def cited_documents(queries: Path) -> set[str]:
    """Document paths named by any evidence in the .jsonl files under `queries`."""
    files = [queries] if queries.is_file() else sorted(queries.rglob("*.jsonl"))
    docs: set[str] = set()
    for f in files:
        for line in f.read_text().splitlines():
            if line.strip():
                docs.update(ev["doc"] for ev in json.loads(line)["relevant"])
    return docs


def in_sample(rel: str, share: float) -> bool:
    """A stable pseudo-random choice of `share` of all paths."""
    return int(hashlib.sha1(rel.encode()).hexdigest()[:8], 16) / 0xFFFFFFFF < share


def build(library: Path, out: Path, cited: set[str], share: float) -> tuple[int, int]:
    """Symlink the chosen files under `out`; returns (cited files, sampled files)."""
    n_cited = n_sampled = 0
    for dirpath, _, filenames in os.walk(library):
        for name in filenames:
            path = Path(dirpath) / name
            rel = path.relative_to(library).as_posix()
            if rel.count("/") < 3:  # files above <vendor>/<product>/<version>/ are not documents
                continue
            keep_cited = rel in cited
            if not (keep_cited or in_sample(rel, share)):
                continue
            target = out / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            if not target.exists():
                target.symlink_to(path.resolve())
            n_cited += keep_cited
            n_sampled += not keep_cited
    return n_cited, n_sampled


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("library", type=Path)
    ap.add_argument("out", type=Path)
    ap.add_argument("--queries", type=Path, action="append", required=True)
    ap.add_argument("--sample", type=float, default=0.10, help="share of the other documents to add")
    args = ap.parse_args(argv)
    cited = set().union(*(cited_documents(q) for q in args.queries))
    n_cited, n_sampled = build(args.library.resolve(), args.out, cited, args.sample)
    print(f"{args.out}: {n_cited} cited files (of {len(cited)} cited), {n_sampled} sampled files")
    return 0


if __name__ == "__main__":
    sys.exit(main())
