"""Chunking strategies, registered by name: `get_chunker("recursive", max_tokens=200).chunk(doc)`."""

from mcdewey.chunking.base import (
    DEFAULT_STRATEGY,
    Chunker,
    chunker_params,
    describe,
    get_chunker,
    list_strategies,
    register,
    strategy_fields,
)
from mcdewey.chunking.layout import Layout, make_chunk

# Importing the strategy modules registers them.
from mcdewey.chunking import fixed, page, recursive, section, semantic  # noqa: E402,F401  isort: skip

__all__ = [
    "DEFAULT_STRATEGY",
    "Chunker",
    "Layout",
    "chunker_params",
    "describe",
    "get_chunker",
    "list_strategies",
    "make_chunk",
    "register",
    "strategy_fields",
]
