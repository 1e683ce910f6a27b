"""matplotlib figures of the notebooks: chunk sizes, chunk boundaries, set-ups compared.

Each returns a Figure (no pyplot state), so tests draw them without a display.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd
from matplotlib.figure import Figure

from mcdewey.models import Document

def plot_chunk_sizes(sizes: pd.DataFrame, max_input: int | None = 256) -> Figure:
    """Box plots of tokens per chunk for each strategy, with the model's input limit as a line."""
    labels = list(dict.fromkeys(sizes["strategy"]))
    fig = Figure(figsize=(8, 0.6 * len(labels) + 1.8), layout="constrained")
    ax = fig.add_subplot()
    ax.boxplot([sizes.loc[sizes["strategy"] == s, "tokens"] for s in labels], orientation="horizontal",
               tick_labels=labels)
    if max_input:
        ax.axvline(max_input, color="tab:red", linestyle="--", label=f"model input ({max_input} tokens)")
        ax.legend(loc="lower right")
    ax.set_xlabel("tokens per chunk")
    ax.set_title("Chunk sizes per strategy")
    return fig


def plot_boundaries(doc: Document, chunkers: Mapping[str, object]) -> Figure:
    """Each chunker's chunks as bars along the document's characters, with page starts marked."""
    fig = Figure(figsize=(10, 0.9 * len(chunkers) + 1.4), layout="constrained")
    ax = fig.add_subplot()
    for row, (label, chunker) in enumerate(chunkers.items()):
        spans = [(c.start, c.end - c.start) for c in chunker.chunk(doc)]
        colours = ["tab:blue" if i % 2 == 0 else "tab:orange" for i in range(len(spans))]
        ax.broken_barh(spans, (row - 0.35, 0.7), facecolors=colours, edgecolor="white")
    for page in doc.pages[1:]:
        ax.axvline(page.start, color="grey", linestyle=":", linewidth=1)
    ax.set_yticks(range(len(chunkers)), list(chunkers))
    ax.set_ylim(len(chunkers) - 0.5, -0.5)
    ax.set_xlim(0, len(doc.text))
    ax.set_xlabel("character offset in the document" + (" (dotted: page starts)" if len(doc.pages) > 1 else ""))
    ax.set_title(doc.doc_id)
    return fig


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
