"""Count evidence pieces whose quote occurs more than once in its document (a hit on any occurrence counts).

    .venv/bin/python bench/repeated_quotes.py --home .mcdewey --index ref \
        --queries ../shared/evals/dev --queries ../shared/evals/faq --telequad ../shared/benchmarks/telequad

Per set: evidence pieces, how many resolve, how many have other occurrences that now count as
relevant (`repeated`), and for offset-labelled evidence (TeleQuAD: the label names one occurrence,
which stays the only relevant one) how many quotes nevertheless occur more than once (`repeated_text`).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from dataclasses import replace

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from mcdewey.evaluate.queries import load_queries  # noqa: E402
from mcdewey.evaluate.spans import SpanResolver  # noqa: E402
from mcdewey.models import Document  # noqa: E402


def count(queries, get_document) -> dict:
    """Evidence, resolved, repeated (now relevant on any occurrence) and repeated_text (offset labels)."""
    resolver = SpanResolver(get_document)
    out = {"queries": len(queries), "evidence": 0, "usable": 0, "repeated": 0, "repeated_text": 0}
    for q in queries:
        for ev in q.relevant:
            res = resolver.resolve(ev)
            out["evidence"] += 1
            out["usable"] += res.usable
            out["repeated"] += bool(res.also)
            if ev.norm_hint is not None and res.usable:
                out["repeated_text"] += bool(resolver.resolve(replace(ev, norm_hint=None)).also)
    return out


def _telequad(root: str, limit: int | None) -> tuple[list, dict]:
    from mcdewey.evaluate.telequad import load_telequad

    passages, queries = load_telequad(root, limit=limit)
    docs = {p.doc_id: Document(doc_id=p.doc_id, vendor="telequad", product="telequad", version="v4",
                               title=p.title, text=p.text, format="text") for p in passages}
    return queries, docs


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--home", default=".mcdewey")
    ap.add_argument("--index")
    ap.add_argument("--queries", action="append", default=[])
    ap.add_argument("--telequad", help="TeleQuAD folder (its passages are the documents)")
    ap.add_argument("--limit", type=int, default=1000, help="TeleQuAD questions (as `bench telequad --limit`)")
    args = ap.parse_args(argv)
    if args.queries:
        if not args.index:
            ap.error("--queries needs --index (the documents are read from it)")
        from mcdewey.store import Workspace

        index = Workspace(args.home).open_index(args.index)
        for q in args.queries:
            print(json.dumps({"set": os.path.basename(q.rstrip("/")), **count(load_queries(q), index.get_document)}))
    if args.telequad:
        queries, docs = _telequad(args.telequad, args.limit)
        print(json.dumps({"set": "telequad", **count(queries, docs.get)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
