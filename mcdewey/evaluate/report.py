"""A report folder: summary.json, per_query.csv and a self-contained report.html."""

from __future__ import annotations

import csv
import json
import platform
from datetime import datetime, timezone
from pathlib import Path
from collections.abc import Sequence

from mcdewey.evaluate import plots
from mcdewey.evaluate.runner import METRIC_KEYS, QueryResult, RunResult

RANK_BY = ("ndcg@10", "hit@5", "mrr@10")
WORST_QUERIES = 15


def slim_manifest(manifest) -> dict:
    """The manifest without its per-file table (thousands of rows for a real library)."""
    return manifest.to_dict(files=False) if manifest is not None else {}


def configuration(run: RunResult) -> dict:
    """One configuration's summary: its set-up (the index's ChunkingSpec, the run's search) and its metrics."""
    spec = run.spec
    return {
        **run.summary(),
        "strategy": spec.strategy if spec else None,
        "params": dict(spec.params) if spec else {},
        "model": spec.model if spec else None,
        "search": dict(run.config.get("search") or {}),
        "chunk_size": spec.params.get("max_tokens") if spec else None,
        "chunks": run.manifest.counts.chunks if run.manifest else None,
    }


def rank_key(config: dict) -> tuple:
    return tuple(-(config.get(k) or 0.0) for k in RANK_BY) + (config.get("latency_ms_p50") or 0.0,)


def build_summary(runs: Sequence[RunResult], queries_path: str = "", extra: dict | None = None) -> dict:
    """summary.json: configurations best first (nDCG@10, then hit@5, MRR@10, latency)."""
    configs = sorted((configuration(r) for r in runs), key=rank_key)
    return {
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "queries_path": str(queries_path),
        "queries": configs[0]["queries"] if configs else 0,
        "machine": {"cpu": _cpu(), "cores": _cores(), "python": platform.python_version()},
        "best": configs[0]["name"] if configs else None,
        "configurations": configs,
        "indexes": {r.index: slim_manifest(r.manifest) for r in runs},
        **(extra or {}),
    }


def _cpu() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _cores() -> int:
    import os

    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


CSV_FIELDS = ["configuration", "index", "mode", "query_id", "query", "tags", "evidence", "unresolved",
              "first_relevant_rank", *METRIC_KEYS, "latency_ms", "top1_doc", "top1_page", "top1_chunk_id",
              "expected_doc", "expected_page"]


def per_query_rows(run: RunResult) -> list[dict]:
    """One CSV row per query of a run."""
    rows = []
    for r in run.results:
        top = r.hits[0].chunk if r.hits else None
        first = r.query.relevant[0]
        rows.append({
            "configuration": run.name, "index": run.index, "mode": run.mode, "query_id": r.query.id,
            "query": r.query.query, "tags": ";".join(r.query.tags), "evidence": len(r.query.relevant),
            "unresolved": sum(not res.usable for res in r.resolutions), "first_relevant_rank": r.first_rank,
            **{k: _round(r.metrics.get(k)) for k in METRIC_KEYS}, "latency_ms": round(r.latency_ms, 2),
            "top1_doc": top.doc_id if top else "", "top1_page": top.page_start if top else "",
            "top1_chunk_id": top.chunk_id if top else "", "expected_doc": first.doc,
            "expected_page": first.page or "",
        })
    return rows


def _round(value):
    return None if value is None else round(value, 4)


def write_report(out: Path, runs: Sequence[RunResult], queries_path: str = "", title: str = "McDewey evaluation",
                 extra: dict | None = None) -> dict:
    """Write summary.json, per_query.csv and report.html into `out`; returns the summary."""
    from mcdewey.evaluate.html import render_report

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    summary = build_summary(runs, queries_path, extra)
    (out / "summary.json").write_text(json.dumps(summary, indent=2, default=str) + "\n")
    with open(out / "per_query.csv", "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=CSV_FIELDS)
        writer.writeheader()
        for run in runs:
            writer.writerows(per_query_rows(run))
    by_name = {r.name: r for r in runs}
    best = by_name.get(summary["best"]) if summary["best"] else None
    figures = {
        "Quality against chunk size": plots.quality_vs_size(summary["configurations"]),
        "Quality against latency": plots.quality_vs_latency(summary["configurations"]),
        "Hit@5 per tag (best configurations)": plots.per_tag_bars(summary["configurations"]),
    }
    worst = worst_queries(best.results) if best else []
    html = render_report(title, summary, {k: v for k, v in figures.items() if v}, worst, best.name if best else "")
    (out / "report.html").write_text(html, encoding="utf-8")
    return summary


def worst_queries(results: Sequence[QueryResult], n: int = WORST_QUERIES) -> list[QueryResult]:
    """The n lowest-scoring queries: by nDCG@10, then by how late the first relevant hit came."""
    def key(r: QueryResult):
        return (r.metrics.get("ndcg@10") or 0.0, -(r.first_rank or 99), r.query.id)

    return sorted((r for r in results if (r.metrics.get("ndcg@10") or 0.0) < 1.0), key=key)[:n]


def save_eval_summary(ws, index: str, summary: dict, queries_path: str) -> Path:
    """`<home>/indexes/<name>/eval-summary.json`: the latest run, plus one line per set and mode run."""
    path = ws.index_dir(index) / "eval-summary.json"
    old = json.loads(path.read_text()) if path.exists() else {}
    flat = {k: v for k, v in summary.items() if k != "by_tag"}
    latest = {**flat, "queries_path": queries_path,
              "created": datetime.now(timezone.utc).isoformat(timespec="seconds")}
    runs = dict(old.get("runs") or {})
    runs[f"{queries_path}::{summary['mode']}"] = latest
    path.write_text(json.dumps({**latest, "runs": runs}, indent=2, default=str) + "\n")
    return path
