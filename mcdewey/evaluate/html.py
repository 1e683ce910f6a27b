"""Render report.html from the summary with a Jinja template; everything inline, nothing fetched."""

from __future__ import annotations

import json
from collections.abc import Sequence

from jinja2 import Environment, PackageLoader, select_autoescape

from mcdewey.evaluate.runner import QueryResult

TABLE_KEYS = ("hit@1", "hit@5", "wrong_version@5", "hit@10", "recall@10", "mrr@10", "ndcg@10", "span_iou@5",
              "latency_ms_p50", "latency_ms_p95")
SNIPPET = 360


def _env() -> Environment:
    env = Environment(loader=PackageLoader("mcdewey.evaluate", "templates"),
                      autoescape=select_autoescape(["html", "j2"]), trim_blocks=True, lstrip_blocks=True)
    env.filters["num"] = _num
    env.filters["tojson_pretty"] = lambda v: json.dumps(v, indent=2, default=str)
    return env


def _num(value, digits: int = 3) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def _snippet(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= SNIPPET else text[:SNIPPET] + " …"


def worst_view(results: Sequence[QueryResult]) -> list[dict]:
    """What the template shows per bad query: expected evidence and the top retrieved chunks."""
    out = []
    for r in results:
        expected = []
        for res in r.resolutions:
            ev = res.evidence
            expected.append({"doc": ev.doc, "page": ev.page, "quote": ev.quote, "status": res.status})
        shown = list(range(min(3, len(r.hits))))
        if r.first_rank and r.first_rank > 3:  # also show where the evidence finally came
            shown.append(r.first_rank - 1)
        retrieved = [{"rank": r.hits[i].rank, "doc": r.hits[i].chunk.doc_id, "page": r.hits[i].chunk.page_start,
                      "section": " > ".join(r.hits[i].chunk.section), "text": _snippet(r.hits[i].chunk.text),
                      "relevant": i < len(r.covers) and bool(r.covers[i])} for i in shown]
        out.append({"id": r.query.id, "query": r.query.query, "tags": ", ".join(r.query.tags),
                    "filters": r.query.filters, "first_rank": r.first_rank,
                    "ndcg": r.metrics.get("ndcg@10"), "expected": expected, "retrieved": retrieved})
    return out


def render_report(title: str, summary: dict, figures: dict[str, str], worst: Sequence[QueryResult],
                  best_name: str) -> str:
    """The whole report page as one HTML string."""
    template = _env().get_template("report.html.j2")
    return template.render(title=title, summary=summary, configs=summary["configurations"],
                           keys=TABLE_KEYS, figures=figures, worst=worst_view(worst), best_name=best_name)
