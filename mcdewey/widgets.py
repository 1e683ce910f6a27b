"""Notebook widgets: a search explorer over an index, and an experiment panel over a `Lab`.

Each widget's callback logic is a plain function or method (`explore`, `facet_options`,
`ExperimentPanel.setup`, `Lab.compare`) so tests check it without a browser; ipywidgets is imported
only when a widget is built.
"""

from __future__ import annotations

import html
import io
from collections.abc import Sequence

import pandas as pd
from matplotlib.figure import Figure

from mcdewey.lab import Lab, Setup, query_tags, select_queries
from mcdewey.plots import plot_comparison
from mcdewey.models import Filters, excerpt as excerpt_text
from mcdewey.vocabulary import MODES

ANY = "(any)"


def facet_options(index, vendor: str | None = None, product: str | None = None) -> dict[str, list[str]]:
    """The vendors, and the products and versions left once `vendor` / `product` are chosen."""
    rows = index.library_summary()
    in_vendor = [r for r in rows if not vendor or r["vendor"] == vendor]
    in_product = [r for r in in_vendor if not product or r["product"] == product]
    return {"vendor": sorted({r["vendor"] for r in rows}), "product": sorted({r["product"] for r in in_vendor}),
            "version": sorted({r["version"] for r in in_product})}


def explore(index, query: str, vendor: str | None = None, product: str | None = None, version: str | None = None,
            mode: str = "hybrid", k: int = 5) -> list[dict]:
    """Search and return one card per hit: rank, score, page, source, chunk_id, section and text."""
    from mcdewey.search import search

    filters = Filters(vendor=vendor or None, product=product or None, version=version or None)
    cards = []
    for hit in search(index, query, k=k, mode=mode, filters=None if filters.is_empty() else filters):
        c = hit.chunk
        cards.append({"rank": hit.rank, "score": round(hit.score, 4), "page": c.page_start,
                      "page_label": c.page_label_start, "source": c.source, "chunk_id": c.chunk_id,
                      "vendor": c.vendor, "product": c.product, "version": c.version,
                      "section": " > ".join(c.section), "text": c.text,
                      "versions": list(hit.versions) or [c.version],
                      "also_in": [{"version": o.version, "chunk_id": o.chunk_id, "doc_id": o.doc_id} for o in hit.copies]})
    return cards


def cards_frame(cards: Sequence[dict]) -> pd.DataFrame:
    """The cards as a table (text left out)."""
    columns = ["rank", "score", "page", "source", "chunk_id", "section"]
    return pd.DataFrame([{k: c[k] for k in columns} for c in cards], columns=columns)


def render_cards(cards: Sequence[dict], excerpt: int = 600) -> str:
    """HTML of the result cards, as on the server's search page; document text is escaped."""
    if not cards:
        return "<p><em>No results.</em></p>"
    parts = []
    for c in cards:
        page = f"Page {c['page_label'] or c['page']}" if c["page"] is not None else "No page (not a PDF)"
        head = " · ".join([page, f"source {c['source']}", f"chunk_id {c['chunk_id']}", f"score {c['score']}"])
        text = excerpt_text(c["text"], excerpt, flatten=False)
        section = f"<div style='color:#666'>{html.escape(c['section'])}</div>" if c["section"] else ""
        others = [v for v in c.get("versions", []) if v != c["version"]]
        if others:
            section += f"<div style='color:#666'>also in {html.escape(', '.join(others))}</div>"
        parts.append("<div style='border:1px solid #ddd;border-radius:6px;padding:8px;margin:6px 0'>"
                     f"<div style='font-size:90%;color:#333'><b>{c['rank']}.</b> {html.escape(head)}</div>"
                     f"{section}<div style='white-space:pre-wrap;margin-top:4px'>{html.escape(text)}</div></div>")
    return "".join(parts)


def figure_png(fig: Figure) -> bytes:
    """A figure as PNG bytes (an ipywidgets Image shows them without the pyplot machinery)."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=90)
    return buf.getvalue()


def _choice(value: str) -> str | None:
    return None if value in (ANY, "", None) else value


class SearchExplorer:
    """Query box, vendor / product / version filters and mode → result cards with page and chunk_id."""

    def __init__(self, index, query: str = "", k: int = 5):
        import ipywidgets as w

        self.index = index
        self.query = w.Text(value=query, placeholder="Ask the documentation…", description="Query",
                            layout=w.Layout(width="60%"), continuous_update=False)
        options = facet_options(index)
        self.vendor = w.Dropdown(options=[ANY, *options["vendor"]], description="Vendor")
        self.product = w.Dropdown(options=[ANY, *options["product"]], description="Product")
        self.version = w.Dropdown(options=[ANY, *options["version"]], description="Version")
        self.mode = w.ToggleButtons(options=list(MODES), value="hybrid", description="Mode")
        self.k = w.IntSlider(value=k, min=1, max=20, description="Results")
        self.button = w.Button(description="Search", button_style="primary")
        self.results = w.HTML()
        self.cards: list[dict] = []
        self.button.on_click(lambda _: self.search())
        self.query.observe(lambda _: self.search(), names="value")
        self.vendor.observe(lambda _: self._refresh_facets(), names="value")
        self.product.observe(lambda _: self._refresh_facets(), names="value")
        self.widget = w.VBox([w.HBox([self.query, self.button]), w.HBox([self.vendor, self.product, self.version]),
                              w.HBox([self.mode, self.k]), self.results])
        if query:
            self.search()

    def _refresh_facets(self) -> None:
        options = facet_options(self.index, _choice(self.vendor.value), _choice(self.product.value))
        for control, key in ((self.product, "product"), (self.version, "version")):
            keep = control.value if control.value in options[key] else ANY
            control.options = [ANY, *options[key]]
            control.value = keep

    def search(self) -> list[dict]:
        """Run the search for the controls' current values and show the cards."""
        if not self.query.value.strip():
            self.cards = []
            self.results.value = ""
            return self.cards
        self.cards = explore(self.index, self.query.value, _choice(self.vendor.value), _choice(self.product.value),
                             _choice(self.version.value), self.mode.value, self.k.value)
        self.results.value = render_cards(self.cards)
        return self.cards

    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)


class ExperimentPanel:
    """Controls for strategy, size, overlap, context, mode, k and a query subset; Run re-evaluates and redraws."""

    def __init__(self, lab: Lab, strategies: Sequence[str] = ("recursive", "fixed", "section", "page"),
                 sizes: Sequence[int] = (64, 128, 200, 254), setup: Setup | None = None):
        import ipywidgets as w

        self.base = lab
        self.labs: dict[tuple[str, ...], Lab] = {(): lab}
        setup = setup or Setup()
        self.strategy = w.Dropdown(options=list(strategies), value=setup.strategy, description="Strategy")
        self.size = w.SelectionSlider(options=list(sizes), value=setup.max_tokens if setup.max_tokens in sizes
                                      else sizes[-1], description="Max tokens")
        self.overlap = w.IntSlider(value=setup.overlap, min=0, max=64, step=8, description="Overlap")
        self.context = w.Checkbox(value=setup.context, description="Title + section prefix")
        self.mode = w.ToggleButtons(options=list(MODES), value=setup.mode, description="Mode")
        self.k = w.IntSlider(value=setup.k, min=1, max=20, description="k")
        self.tags = w.SelectMultiple(options=query_tags(lab.queries), description="Only tags", rows=4)
        self.button = w.Button(description="Run", button_style="primary")
        self.status = w.HTML()
        self.table = w.HTML()
        self.plot = w.Image(format="png")
        self.button.on_click(lambda _: self._clicked())
        self.widget = w.VBox([w.HBox([self.strategy, self.size, self.overlap]),
                              w.HBox([self.context, self.mode, self.k]), w.HBox([self.tags, self.button]),
                              self.status, self.table, self.plot])

    def setup(self) -> Setup:
        """The set-up the controls describe."""
        return Setup(self.strategy.value, int(self.size.value), int(self.overlap.value), bool(self.context.value),
                     self.mode.value, int(self.k.value))

    def lab(self) -> Lab:
        """The lab of the chosen query subset (one per subset, so each keeps its own history)."""
        key = tuple(sorted(self.tags.value))
        if key not in self.labs:
            b = self.base
            self.labs[key] = Lab(b.library, b.workspace, select_queries(b.queries, key), b.model, b.use_ragas)
        return self.labs[key]

    def _clicked(self) -> None:
        # A widget callback's exception only reaches the browser console: show it on the panel.
        try:
            self.run()
        except Exception as exc:
            message = html.escape(f"{type(exc).__name__}: {exc}")
            self.status.value = f"<span style='color:#b00'>{message}</span>"

    def run(self) -> pd.DataFrame:
        """Evaluate the controls' set-up on the chosen subset; redraw the table and the plot."""
        lab, setup = self.lab(), self.setup()
        self.status.value = f"<em>evaluating {html.escape(setup.label)} on {len(lab.queries)} queries…</em>"
        frame = lab.compare(setup)
        self.status.value = f"{len(lab.queries)} queries · last run: <b>{html.escape(setup.label)}</b>"
        self.table.value = frame.drop(columns=list(Setup.__dataclass_fields__)).to_html(
            index=False, float_format=lambda v: f"{v:.3f}")
        self.plot.value = figure_png(plot_comparison(frame))
        return frame

    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)
