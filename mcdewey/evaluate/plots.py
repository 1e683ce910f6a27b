"""The report's plots as base64 PNG data URIs, so report.html needs no file and no network."""

from __future__ import annotations

import base64
import io

import matplotlib

matplotlib.use("Agg")  # no display on a server or in CI
import matplotlib.pyplot as plt  # noqa: E402

MODE_COLOURS = {"keyword": "#d95f02", "vector": "#1b9e77", "hybrid": "#7570b3"}


def _data_uri(fig) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=90, bbox_inches="tight")
    plt.close(fig)
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def quality_vs_size(configs: list[dict], metric: str = "ndcg@10") -> str | None:
    """nDCG@10 against chunk size (tokens), one line per strategy and mode."""
    points = [c for c in configs if c.get("chunk_size") and c.get(metric) is not None]
    if len({c["chunk_size"] for c in points}) < 2:  # one size: nothing to compare
        return None
    fig, ax = plt.subplots(figsize=(6.4, 3.8))
    groups: dict[tuple[str, str], list[dict]] = {}
    for c in points:
        groups.setdefault((c.get("strategy") or "?", c["mode"]), []).append(c)
    markers = "os^Dvx*P"
    strategies = sorted({s for s, _ in groups})
    for (strategy, mode), group in sorted(groups.items()):
        group.sort(key=lambda c: c["chunk_size"])
        ax.plot([c["chunk_size"] for c in group], [c[metric] for c in group],
                marker=markers[strategies.index(strategy) % len(markers)],
                color=MODE_COLOURS.get(mode, "grey"), label=f"{strategy} / {mode}")
    ax.set_xlabel("chunk size (max tokens)")
    ax.set_ylabel(metric)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7, ncol=2)
    return _data_uri(fig)


def quality_vs_latency(configs: list[dict], metric: str = "ndcg@10", labelled: int = 5) -> str | None:
    """nDCG@10 against median search latency, one point per configuration; the best few are named."""
    points = [c for c in configs if c.get("latency_ms_p50") is not None and c.get(metric) is not None]
    if not points:
        return None
    fig, ax = plt.subplots(figsize=(6.4, 3.8))
    for c in points:
        ax.scatter(c["latency_ms_p50"], c[metric], color=MODE_COLOURS.get(c["mode"], "grey"))
    for c in sorted(points, key=lambda c: -c[metric])[:labelled]:  # more labels would overlap
        ax.annotate(c["name"], (c["latency_ms_p50"], c[metric]), fontsize=6, alpha=0.8,
                    xytext=(3, 3), textcoords="offset points")
    for mode, colour in MODE_COLOURS.items():
        ax.scatter([], [], color=colour, label=mode)
    ax.set_xlabel("search latency p50 (ms)")
    ax.set_ylabel(metric)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7)
    return _data_uri(fig)


def per_tag_bars(configs: list[dict], metric: str = "hit@5", limit: int = 4) -> str | None:
    """`metric` per tag for the best `limit` configurations, as grouped horizontal bars."""
    configs = [c for c in configs[:limit] if c.get("by_tag")]
    if not configs:
        return None
    tags = sorted({t for c in configs for t in c["by_tag"]})
    fig, ax = plt.subplots(figsize=(6.4, max(2.5, 0.28 * len(tags) * max(1, len(configs)) / 1.5)))
    height = 0.8 / len(configs)
    for n, c in enumerate(configs):
        values = [(c["by_tag"].get(t) or {}).get(metric) or 0.0 for t in tags]
        ax.barh([i + n * height for i in range(len(tags))], values, height=height, label=c["name"])
    ax.set_yticks([i + 0.4 - height / 2 for i in range(len(tags))])
    ax.set_yticklabels([f"{t} ({(configs[0]['by_tag'].get(t) or {}).get('queries', 0)})" for t in tags],
                       fontsize=7)
    ax.invert_yaxis()
    ax.set_xlim(0, 1)
    ax.set_xlabel(metric)
    ax.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.12), ncol=1, frameon=False)
    ax.grid(axis="x", alpha=0.3)
    return _data_uri(fig)
