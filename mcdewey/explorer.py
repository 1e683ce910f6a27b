"""Former name of mcdewey.widgets (the notebook widgets); kept so existing notebooks keep importing."""

from mcdewey.widgets import (  # noqa: F401
    ANY, ExperimentPanel, SearchExplorer, cards_frame, explore, facet_options, figure_png, render_cards,
)
