"""The words of a search set-up, spelled once: search modes and fusion methods, checked on input.

Everything that takes a mode or a fusion name from a person (CLI, grid file, web form, MCP tool,
notebook control) checks it here, so a typo fails with the choices instead of meaning something else.
"""

from __future__ import annotations

from typing import Literal, get_args

Mode = Literal["keyword", "vector", "hybrid"]
# From plain words to meaning to both: the order tables and menus list them in.
MODES: tuple[str, ...] = get_args(Mode)
DEFAULT_MODE: Mode = "hybrid"

Fusion = Literal["convex", "rrf"]
FUSIONS: tuple[str, ...] = get_args(Fusion)


def check_mode(mode: str) -> Mode:
    """`mode` when it is a search mode, else ValueError naming the choices."""
    if mode not in MODES:
        raise ValueError(f"unknown search mode {mode!r}; choose one of {', '.join(MODES)}")
    return mode  # type: ignore[return-value]


def parse_modes(mode: str) -> tuple[Mode, ...]:
    """A mode, or "all" for every mode in order."""
    return tuple(MODES) if mode == "all" else (check_mode(mode),)  # type: ignore[return-value]


def check_fusion(fusion: str) -> Fusion:
    """`fusion` when it is a fusion method, else ValueError naming the choices."""
    if fusion not in FUSIONS:
        raise ValueError(f"unknown fusion {fusion!r}; choose one of {', '.join(FUSIONS)}")
    return fusion  # type: ignore[return-value]
