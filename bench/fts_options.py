"""Compare LanceDB full-text tokenizer options for keyword search on a copy of an index's chunk text.

    .venv/bin/python bench/fts_options.py --home .mcdewey --index ref --queries ../shared/evals/dev \
        --queries ../shared/evals/faq --work /tmp/fts-options

Builds one FTS index per option set on a scratch table (chunk_id, product, version, vendor, search_text)
and scores keyword-only search with the evaluation runner; the index itself is not touched.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import warnings
from pathlib import Path

import lancedb

from mcdewey.evaluate.queries import load_queries
from mcdewey.evaluate.runner import evaluate_index
from mcdewey.models import Hit
from mcdewey.search import keyword_query
from mcdewey.store import Workspace, filters_sql

OPTIONS = {
    "default (stem, stop words)": {},
    "no stemming": {"stem": False},
    "keep stop words": {"remove_stop_words": False},
    "no stem, keep stop words": {"stem": False, "remove_stop_words": False},
    "no ascii folding": {"ascii_folding": False},
    "whitespace tokenizer": {"base_tokenizer": "whitespace"},
}
KEYS = ("hit@1", "hit@5", "mrr@10", "ndcg@10")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--home", default=".mcdewey")
    ap.add_argument("--index", default="ref")
    ap.add_argument("--queries", action="append", required=True)
    ap.add_argument("--field", default="search_text")
    ap.add_argument("--work", type=Path, default=Path("/tmp/fts-options"))
    args = ap.parse_args(argv)
    index = Workspace(args.home).open_index(args.index)
    rows = index.arrow(["chunk_id", "vendor", "product", "version", "doc_id", args.field])
    shutil.rmtree(args.work, ignore_errors=True)
    db = lancedb.connect(str(args.work))
    sets = {Path(q).name: load_queries(q) for q in args.queries}
    print(f"{'tokenizer options':<30}{'set':<6}" + "".join(f"{k:>9}" for k in KEYS))
    for n, (label, options) in enumerate(OPTIONS.items()):
        table = db.create_table(f"t{n}", rows)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            table.create_fts_index(args.field, use_tantivy=False, **options)

        def search_fn(idx, query, k, mode, filters, _t=table):
            q = _t.search(keyword_query(query), query_type="fts", fts_columns=args.field)
            if filters:
                q = q.where(filters_sql(filters), prefilter=True)
            ids = q.limit(k).select(["chunk_id", "_score"]).to_arrow()
            chunks = idx.chunks(ids["chunk_id"].to_pylist())
            return [Hit(rank=i, score=s, chunk=chunks[c]) for i, (c, s) in
                    enumerate(zip(ids["chunk_id"].to_pylist(), ids["_score"].to_pylist()), 1) if c in chunks]

        for name, queries in sets.items():
            s = evaluate_index(index, queries, "keyword", 10, search_fn, use_ragas=False).summary()
            print(f"{label:<30}{name:<6}" + "".join(f"{s[k]:>9.3f}" for k in KEYS), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
