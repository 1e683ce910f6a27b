"""Experiments from a notebook: evaluate a set-up (strategy, size, overlap, mode, k) and compare the results.

`Lab.compare(setup)` is what an ipywidgets control calls: it builds or reuses the index for the
set-up (through mcdewey.experiment, as the CLI and the grid do), evaluates it on the chosen queries
and returns the comparison frame of every set-up tried. Tables are in mcdewey.frames, figures in
mcdewey.plots.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from mcdewey.evaluate.queries import Query
from mcdewey.evaluate.runner import RunResult
from mcdewey.manifest import ChunkingSpec

# Former home of the tables and the comparison plot; they live in mcdewey.frames and mcdewey.plots.
from mcdewey.frames import (  # noqa: E402,F401
    HEADLINE, SETUP_COLUMNS, SPANS, baseline_frame, comparison_frame, ragas_frame, summary_frame, tag_frame,
    worst_frame,
)
from mcdewey.plots import plot_comparison  # noqa: E402,F401

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
        from mcdewey.tuning import tuned_location  # a model tuned in this workspace, named as `mcdewey tune --to`

        self.model = tuned_location(model, workspace.home) or model  # None: the bundled model
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
