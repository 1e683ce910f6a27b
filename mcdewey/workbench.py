"""Former home of the notebook helpers, now named for what they hold; kept so existing notebooks keep importing.

Inputs are in mcdewey.inputs, tables in mcdewey.frames, figures in mcdewey.plots and serving from a
notebook in mcdewey.background_server.
"""

from mcdewey.background_server import BackgroundServer, assistant_config, free_port  # noqa: F401
from mcdewey.demo import demo_library, demo_queries  # noqa: F401
from mcdewey.frames import (  # noqa: F401
    EXCERPT, chunk_boundaries, chunk_sizes, documents_frame, format_frame, skipped_frame,
)
from mcdewey.inputs import default_chunkers, pick_document, prepare, read_sample  # noqa: F401
from mcdewey.plots import plot_boundaries, plot_chunk_sizes  # noqa: F401
