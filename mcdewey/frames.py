"""pandas tables of the notebooks: the library, chunks, one evaluation run and set-ups compared.

Nothing here needs Jupyter, so tests call it directly.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict
from typing import TYPE_CHECKING

import pandas as pd

from mcdewey.evaluate.ragas_adapter import RAGAS_KEYS
from mcdewey.evaluate.runner import RunResult
from mcdewey.library import LibraryScan
from mcdewey.models import Chunk, Document, excerpt

if TYPE_CHECKING:
    from mcdewey.lab import Setup

EXCERPT = 70  # characters of a chunk shown in a table cell
# Columns of the comparison frame and of the metrics tables, in reading order.
HEADLINE = ("hit@1", "hit@5", "recall@10", "mrr@10", "ndcg@10")
SPANS = ("span_recall@5", "span_precision@5", "span_iou@5")
SETUP_COLUMNS = ("setup", "strategy", "max_tokens", "overlap", "context", "mode", "k", "chunks")

def format_frame(scan: LibraryScan) -> pd.DataFrame:
    """Files per kind and format: documents by reader, errors and skipped files by reason."""
    rows = [{"kind": "document", "format": fmt} for fmt in scan.candidates.values()]
    rows += [{"kind": "skipped", "format": issue.reason} for issue in scan.skipped]
    rows += [{"kind": "error", "format": issue.reason} for issue in scan.errors]
    if not rows:
        return pd.DataFrame(columns=["kind", "format", "files"])
    frame = pd.DataFrame(rows).value_counts().rename("files").reset_index()
    return frame.sort_values(["kind", "files", "format"], ascending=[True, False, True], ignore_index=True)


def skipped_frame(scan: LibraryScan) -> pd.DataFrame:
    """Every file a scan left out, and why; errors (unreadable documents) first."""
    rows = [{"path": i.path, "status": "error", "reason": i.reason} for i in scan.errors]
    rows += [{"path": i.path, "status": "skipped", "reason": i.reason} for i in scan.skipped]
    return pd.DataFrame(rows, columns=["path", "status", "reason"])


def documents_frame(index) -> pd.DataFrame:
    """Documents, pages and chunks per vendor / product / version of an index."""
    columns = ["vendor", "product", "version", "documents", "pages", "chunks"]
    return pd.DataFrame(index.library_summary(), columns=columns)


def chunk_sizes(docs: Iterable[Document], chunkers: Mapping[str, object]) -> pd.DataFrame:
    """One row per chunk for each labelled chunker: label, doc_id, chunk_id, tokens, characters."""
    docs = list(docs)
    rows = [{"strategy": label, "doc_id": c.doc_id, "chunk_id": c.chunk_id, "tokens": c.tokens,
             "chars": c.end - c.start}
            for label, chunker in chunkers.items() for doc in docs for c in chunker.chunk(doc)]
    return pd.DataFrame(rows, columns=["strategy", "doc_id", "chunk_id", "tokens", "chars"])


def _chunk_rows(chunks: Sequence[Chunk]) -> list[dict]:
    return [{"chunk": c.ord, "start": c.start, "end": c.end, "tokens": c.tokens, "page": c.page_start,
             "section": " > ".join(c.section), "begins": excerpt(c.text, EXCERPT)} for c in chunks]


def chunk_boundaries(doc: Document, left: object, right: object) -> pd.DataFrame:
    """Two chunkers' chunks of one document side by side, row i holding each one's i-th chunk."""
    a = pd.DataFrame(_chunk_rows(left.chunk(doc)))
    b = pd.DataFrame(_chunk_rows(right.chunk(doc)))
    names = (_label(left), _label(right))
    if names[0] == names[1]:
        names = (names[0] + " (left)", names[1] + " (right)")
    # Integer columns stay integers where one side has fewer chunks than the other.
    return pd.concat({names[0]: a, names[1]: b}, axis=1).convert_dtypes()


def _label(chunker: object) -> str:
    from mcdewey.chunking import chunker_params

    params = chunker_params(chunker)
    shown = {k: params[k] for k in ("max_tokens", "overlap", "context") if k in params}
    return f"{chunker.name} " + " ".join(f"{k}={v}" for k, v in shown.items())


def comparison_frame(results: Iterable[tuple[Setup, RunResult]]) -> pd.DataFrame:
    """Set-up values beside headline metrics, span IoU and latency."""
    rows = []
    for setup, run in results:
        s = run.summary()
        rows.append({"setup": setup.label, **{k: v for k, v in asdict(setup).items()},
                     "chunks": run.manifest.counts.chunks if run.manifest else None,
                     **{k: s.get(k) for k in (*HEADLINE, "span_iou@5", "latency_ms_p50")}})
    columns = [*SETUP_COLUMNS, *HEADLINE, "span_iou@5", "latency_ms_p50"]
    return pd.DataFrame(rows, columns=columns)


def summary_frame(*runs: RunResult, keys: Sequence[str] | None = None) -> pd.DataFrame:
    """Metrics as rows, one column per run (its configuration name)."""
    keys = keys or ("queries", "hit@1", "hit@3", "hit@5", "hit@10", "recall@5", "recall@10", "mrr@10",
                    "ndcg@10", *SPANS, "latency_ms_p50", "latency_ms_p95")
    return pd.DataFrame({run.name: {k: run.summary().get(k) for k in keys} for run in runs})


def ragas_frame(*runs: RunResult) -> pd.DataFrame:
    """ragas' four offline metrics (None when ragas was off or had no reference chunks)."""
    return summary_frame(*runs, keys=RAGAS_KEYS)


def tag_frame(run: RunResult, keys: Sequence[str] = ("queries", "hit@1", "hit@5", "mrr@10", "ndcg@10")) -> pd.DataFrame:
    """One row per query tag with the headline metrics of the queries carrying it."""
    by_tag = run.summary()["by_tag"]
    return pd.DataFrame([{"tag": t, **{k: m.get(k) for k in keys}} for t, m in by_tag.items()],
                        columns=["tag", *keys]).sort_values(["ndcg@10", "tag"], ignore_index=True)


def worst_frame(run: RunResult, n: int = 5, width: int = 160) -> pd.DataFrame:
    """The n worst queries: what was expected (quote, document, page) against what came first."""
    from mcdewey.evaluate.report import worst_queries

    rows = []
    for r in worst_queries(run.results, n):
        ev = r.query.relevant[0]
        top = r.hits[0].chunk if r.hits else None
        rows.append({
            "id": r.query.id, "query": r.query.query, "first relevant rank": r.first_rank,
            "ndcg@10": r.metrics.get("ndcg@10"),
            "expected": f"{ev.doc} p.{ev.page or '-'}: {ev.quote}",
            "retrieved #1": f"{top.chunk_id} p.{top.page_start or '-'}: {excerpt(top.text, width)}" if top else "",
        })
    return pd.DataFrame(rows, columns=["id", "query", "first relevant rank", "ndcg@10", "expected", "retrieved #1"])


def baseline_frame(current: dict, baseline: dict, keys: Sequence[str] = (*HEADLINE, "span_iou@5")) -> pd.DataFrame:
    """Metric by metric: the current summary, the baseline's, and the difference."""
    rows = [{"metric": k, "current": current.get(k), "baseline": baseline.get(k)} for k in keys]
    frame = pd.DataFrame(rows, columns=["metric", "current", "baseline"])
    frame["delta"] = frame["current"].astype(float) - frame["baseline"].astype(float)
    return frame
