"""Experiments from a notebook: evaluate a set-up (strategy, size, overlap, mode, k) and compare the results.

`Lab.compare(setup)` is what an ipywidgets control calls: it builds or reuses the index for the
set-up, evaluates it on the chosen queries and returns the comparison frame of every set-up tried.
The frame helpers turn a `RunResult` into the tables of the evaluation notebook.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import pandas as pd
from matplotlib.figure import Figure

from mcdewey.evaluate.queries import Query
from mcdewey.evaluate.ragas_adapter import RAGAS_KEYS
from mcdewey.evaluate.runner import RunResult
from mcdewey.manifest import ChunkingSpec
from mcdewey.models import excerpt as excerpt_text

# Columns of the comparison frame and of the metrics tables, in reading order.
HEADLINE = ("hit@1", "hit@5", "recall@10", "mrr@10", "ndcg@10")
SPANS = ("span_recall@5", "span_precision@5", "span_iou@5")
SETUP_COLUMNS = ("setup", "strategy", "max_tokens", "overlap", "context", "mode", "k", "chunks")


@dataclass(frozen=True)
class Setup:
    """The values of the experiment controls; parameters a strategy does not take are ignored."""

    strategy: str = "recursive"
    max_tokens: int = 200
    overlap: int = 0
    context: bool = True  # every strategy's default: a chunk's embedding sees its title and section path
    mode: str = "hybrid"
    k: int = 10

    def __post_init__(self) -> None:
        from mcdewey.chunking import strategy_fields
        from mcdewey.vocabulary import check_mode

        check_mode(self.mode)
        # A value the strategy ignores is reset, so set-ups that build the same index compare equal.
        accepted = strategy_fields(self.strategy)
        for name in ("overlap", "context"):
            if name not in accepted:
                object.__setattr__(self, name, type(getattr(self, name))())

    def params(self) -> dict:
        """The chunker parameters this set-up sets for its strategy (the spec adds the defaults and the model)."""
        from mcdewey.chunking import strategy_fields

        accepted = strategy_fields(self.strategy)
        wanted = {"max_tokens": self.max_tokens, "overlap": self.overlap, "context": self.context}
        params = {k: v for k, v in wanted.items() if k in accepted}
        if "min_tokens" in accepted and int(accepted["min_tokens"]) > self.max_tokens // 2:
            params["min_tokens"] = self.max_tokens // 4  # the default floor would swallow small chunk sizes
        return params

    def spec(self, model: str | None = None, backend: str | None = None) -> ChunkingSpec:
        """The chunking spec of this set-up: the same rule the CLI and the grid use."""
        return ChunkingSpec.resolve(self.strategy, self.params(), model, backend)

    @property
    def label(self) -> str:
        size = f"{self.max_tokens}" + (f"/{self.overlap}" if self.strategy == "fixed" else "")
        return f"{self.strategy} {size}{' +ctx' if self.context else ''} · {self.mode} · k={self.k}"


def select_queries(queries: Sequence[Query], tags: Iterable[str] = (), limit: int | None = None) -> list[Query]:
    """The queries carrying any of `tags` (all when none given), at most `limit` of them."""
    tags = set(tags)
    chosen = [q for q in queries if not tags or tags & set(q.tags)]
    return chosen[:limit] if limit else chosen


def query_tags(queries: Sequence[Query]) -> list[str]:
    """Every tag of a query set, sorted."""
    return sorted({t for q in queries for t in q.tags})


class Lab:
    """Evaluates set-ups on one library and one query subset, and remembers every result."""

    def __init__(self, library: Path | str, workspace, queries: Sequence[Query], model: str | None = None,
                 use_ragas: bool = False, backend: str | None = None):
        self.library = Path(library)
        self.workspace = workspace
        self.queries = list(queries)
        self.model = model  # None: the bundled model
        self.backend = backend
        self.use_ragas = use_ragas
        self.results: dict[Setup, RunResult] = {}

    def index_name(self, setup: Setup) -> str:
        """The same name `mcdewey eval grid` and `mcdewey ingest` give this set-up, so all share indexes."""
        return setup.spec(self.model, self.backend).index_name(self.library)

    def index(self, setup: Setup):
        """Build, bring up to date or reuse the index of a set-up."""
        from mcdewey.experiment import prepare_index

        return prepare_index(self.library, self.workspace, setup.spec(self.model, self.backend))[0]

    def run(self, setup: Setup) -> RunResult:
        """Evaluate a set-up on the lab's queries (cached: asking twice costs nothing)."""
        from mcdewey.experiment import measure

        if setup not in self.results:
            self.results[setup] = measure(self.index(setup), self.queries, setup.mode, setup.k, name=setup.label,
                                          use_ragas=self.use_ragas)
        return self.results[setup]

    def compare(self, setup: Setup) -> pd.DataFrame:
        """Evaluate `setup`, then return the comparison frame of every set-up tried so far."""
        self.run(setup)
        return self.frame()

    def frame(self) -> pd.DataFrame:
        """One row per set-up tried, in the order tried."""
        return comparison_frame(self.results.items())


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


def plot_comparison(frame: pd.DataFrame, metrics: Sequence[str] = ("hit@5", "ndcg@10", "span_iou@5")) -> Figure:
    """Grouped bars: one group per set-up, one bar per metric."""
    fig = Figure(figsize=(9, 0.5 * len(frame) * len(metrics) / 2 + 2), layout="constrained")
    ax = fig.add_subplot()
    data = frame.set_index("setup")[list(metrics)].astype(float).iloc[::-1]
    data.plot.barh(ax=ax, width=0.8)
    ax.set_xlim(0, 1)
    ax.set_xlabel("score")
    ax.set_ylabel("")
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1))
    ax.set_title(f"{len(frame)} set-up{'s' if len(frame) != 1 else ''} compared")
    return fig


# ---- one run, in tables ------------------------------------------------------------------------

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


def worst_frame(run: RunResult, n: int = 5, excerpt: int = 160) -> pd.DataFrame:
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
            "retrieved #1": f"{top.chunk_id} p.{top.page_start or '-'}: {excerpt_text(top.text, excerpt)}" if top else "",
        })
    return pd.DataFrame(rows, columns=["id", "query", "first relevant rank", "ndcg@10", "expected", "retrieved #1"])


def baseline_frame(current: dict, baseline: dict, keys: Sequence[str] = (*HEADLINE, "span_iou@5")) -> pd.DataFrame:
    """Metric by metric: the current summary, the baseline's, and the difference."""
    rows = [{"metric": k, "current": current.get(k), "baseline": baseline.get(k)} for k in keys]
    frame = pd.DataFrame(rows, columns=["metric", "current", "baseline"])
    frame["delta"] = frame["current"].astype(float) - frame["baseline"].astype(float)
    return frame
