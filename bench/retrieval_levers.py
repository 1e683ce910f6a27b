"""Measure retrieval levers that need no re-embedding (search settings) on existing indexes.

    .venv/bin/python bench/retrieval_levers.py --home .mcdewey --index ref \
        --queries ../shared/evals/dev --queries ../shared/evals/faq \
        --lever base= --lever ctx-keyword=keyword_field=search_text --modes hybrid

Each --lever is `label=key=value,key=value` with SearchConfig fields; results go to stdout as a table
and, with --out, as JSON lines (one per lever × mode × query set).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from dataclasses import replace
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from mcdewey.evaluate.queries import load_queries  # noqa: E402
from mcdewey.evaluate.runner import evaluate_index  # noqa: E402
from mcdewey.search import SearchConfig, search  # noqa: E402
from mcdewey.store import Workspace  # noqa: E402

KEYS = ("hit@1", "hit@5", "hit@10", "mrr@10", "ndcg@10", "recall@10", "latency_ms_p50")


def parse_lever(text: str) -> tuple[str, dict]:
    """`label=k=v,k=v` -> (label, {k: v}) with numbers and booleans parsed."""
    label, _, rest = text.partition("=")
    settings = {}
    for part in filter(None, rest.split(",")):
        key, _, value = part.partition("=")
        settings[key] = _value(value)
    return label, settings


def _value(text: str):
    if text.lower() in ("true", "false"):
        return text.lower() == "true"
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return text


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--home", default=".mcdewey")
    ap.add_argument("--index", action="append", required=True)
    ap.add_argument("--queries", action="append", default=[])
    ap.add_argument("--telequad", help="TeleQuAD folder: its questions as one more set (index: `bench telequad`'s)")
    ap.add_argument("--telequad-limit", type=int, default=1000)
    ap.add_argument("--lever", action="append", default=[])
    ap.add_argument("--modes", default="keyword,vector,hybrid")
    ap.add_argument("--out", type=Path)
    ap.add_argument("--worst", action="store_true", help="print each query's first relevant rank")
    ap.add_argument("--no-filters", action="store_true",
                    help="drop every query's filters (search the whole library, as an assistant without them would)")
    args = ap.parse_args(argv)
    ws = Workspace(args.home)
    sets = {Path(q).name: load_queries(q) for q in args.queries}
    if args.telequad:
        from mcdewey.evaluate.telequad import load_telequad

        sets["telequad"] = load_telequad(args.telequad, limit=args.telequad_limit)[1]
    if not sets:
        ap.error("give --queries and/or --telequad")
    if args.no_filters:
        sets = {f"{n}-nf": [replace(q, filters={}) for q in qs] for n, qs in sets.items()}
    levers = [parse_lever(t) for t in (args.lever or ["base="])]
    out = open(args.out, "a") if args.out else None
    print(f"{'index':<28}{'lever':<22}{'mode':<8}{'set':<8}" + "".join(f"{k:>10}" for k in KEYS))
    for name in args.index:
        index = ws.open_index(name)
        for label, settings in levers:
            config = SearchConfig.of_index(index).with_overrides(settings)

            def fn(idx, query, k, mode, filters, _c=config):
                return search(idx, query, k, mode, filters, config=_c)

            for mode in args.modes.split(","):
                for set_name, queries in sets.items():
                    t0 = time.perf_counter()
                    run = evaluate_index(index, queries, mode, 10, fn, use_ragas=False)
                    s = run.summary()
                    print(f"{name:<28}{label:<22}{mode:<8}{set_name:<8}"
                          + "".join(f"{s[k]:>10.3f}" for k in KEYS) + f"  ({time.perf_counter() - t0:.0f}s)",
                          flush=True)
                    if args.worst:
                        for r in run.results:
                            print(f"   {r.query.id:<10} first={r.first_rank}  {r.query.query[:90]}")
                    if out:
                        out.write(json.dumps({"index": name, "lever": label, "settings": settings, "mode": mode,
                                              "set": set_name, **{k: s[k] for k in KEYS},
                                              "queries": s["queries"]}) + "\n")
                        out.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
