"""The Typer application the command modules register on, and options they share."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console

app = typer.Typer(
    help="McDewey: search vendor documentation with page-exact citations; measure which set-up works best.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,
)
console = Console()
err_console = Console(stderr=True)

HomeOption = typer.Option(
    None, "--home", envvar="MCDEWEY_HOME", help="Workspace folder (default ./.mcdewey)."
)


def fail(message: str) -> None:
    """Print `error: message` to stderr and exit with status 1 (the one exit status of a failed command)."""
    err_console.print(f"[red]error:[/red] {message}")
    raise typer.Exit(1)


def parse_params(params: list[str] | None) -> dict[str, object]:
    """`["max_tokens=200", "context=true"]` -> {"max_tokens": 200, "context": True}."""
    out: dict[str, object] = {}
    for item in params or []:
        key, sep, raw = item.partition("=")
        if not sep or not key:
            raise typer.BadParameter(f"expected key=value, got {item!r}", param_hint="--param")
        out[key.strip()] = _coerce(raw.strip())
    return out


def _coerce(raw: str) -> object:
    low = raw.lower()
    if low in ("true", "yes", "on"):
        return True
    if low in ("false", "no", "off"):
        return False
    for kind in (int, float):
        try:
            return kind(raw)
        except ValueError:
            pass
    return raw
