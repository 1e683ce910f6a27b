"""`mcdewey inspect` and `mcdewey sample-library`: look at a library before indexing it."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from mcdewey.cli.app import app, console, err_console, parse_params
from mcdewey.cli.problems import print_problems
from mcdewey.library import DEFAULT_MAX_BYTES


@app.command()
def inspect(
    library: Path = typer.Argument(..., help="Library folder <vendor>/<product>/<version>/..."),
    strategy: str = typer.Option("recursive", "--strategy", help="Chunking strategy for the chunk statistics."),
    param: list[str] = typer.Option(None, "--param", help="Strategy parameter key=value (repeatable)."),
    as_json: bool = typer.Option(False, "--json", help="Print the report as JSON."),
    no_chunks: bool = typer.Option(False, "--no-chunks", help="Only read documents; skip chunk statistics."),
    max_mb: float = typer.Option(DEFAULT_MAX_BYTES / 2**20, "--max-mb", help="Files larger than this are errors."),
) -> None:
    """Read a library and report documents, pages, words, chunks and skipped files per vendor/product/version.

    Exit status: 0 every document read (or skipped by design), 3 some failed (listed), 1 nothing to read, 2 usage.
    """
    from mcdewey.cli.problems import EXIT_NOTHING, EXIT_PARTIAL, issue_dicts
    from mcdewey.library import EmptyLibrary, check_layout, scan_library
    from mcdewey.library_report import build_report

    chunker = None
    if not no_chunks:
        from mcdewey.chunking import get_chunker  # imported here: reading alone does not need a tokenizer

        try:
            chunker = get_chunker(strategy, **parse_params(param))
        except ValueError as exc:
            raise typer.BadParameter(str(exc), param_hint="--strategy/--param") from None
    if not library.is_dir():
        err_console.print(f"[red]error:[/red] library folder {library} does not exist")
        raise typer.Exit(EXIT_NOTHING)
    scan = scan_library(library, int(max_mb * 2**20))
    try:
        check_layout(scan)
    except EmptyLibrary as exc:
        print_problems(issue_dicts(scan.errors, scan.skipped), err_console)
        err_console.print(f"[red]error:[/red] {exc}", markup=True, highlight=False)
        raise typer.Exit(EXIT_NOTHING) from None
    report = build_report(library, chunker, progress=err_console.is_terminal, max_bytes=int(max_mb * 2**20),
                          scan=scan)
    data = report.to_dict()
    if as_json:
        print(json.dumps(data, indent=2, ensure_ascii=False))
    else:
        _print_report(data)
    if data["totals"]["errors"]:
        raise typer.Exit(EXIT_PARTIAL)


def _print_report(data: dict) -> None:
    table = Table(title=f"{data['library']}  ({data['seconds']} s)")
    for column in ("vendor/product/version", "documents", "pages", "words", "chunks", "tokens p10/p50/p90/max", "skipped", "errors"):
        table.add_column(column, justify="left" if column in ("vendor/product/version", "documents") else "right")
    for g in data["groups"]:
        where = f"{g['vendor']}/{g['product']}/{g['version']}" if g["vendor"] else "(above <vendor>/<product>/<version>)"
        table.add_row(where, *_row(g))
    t = data["totals"]
    table.add_row(f"total: {t['products']} products, {t['versions']} versions", *_row(t), style="bold")
    # A report piped to a file should not be squeezed to 80 columns.
    out = console if console.is_terminal else Console(width=200)
    out.print(table)
    if data["strategy"]:
        out.print(f"chunking: {data['strategy']} {data['params']}", markup=False)
    print_problems([dict(i, kind="error") for i in data["errors"]] + [dict(i, kind="skipped") for i in data["skipped"]], out)


def _row(g: dict) -> list[str]:
    sizes = g["chunk_tokens"]
    dist = f"{sizes['p10']}/{sizes['p50']}/{sizes['p90']}/{sizes['max']}" if sizes.get("count") else "-"
    docs = ", ".join(f"{k} {v}" for k, v in g["documents"].items())
    skipped = g["skipped"] if isinstance(g["skipped"], int) else len(g["skipped"])
    errors = g["errors"] if isinstance(g["errors"], int) else len(g["errors"])
    chunks = str(g["chunks"]) if sizes.get("count") else "-"
    return [docs, str(g["pages"]), str(g["words"]), chunks, dist, str(skipped), str(errors)]


@app.command("sample-library")
def sample_library(
    directory: Path = typer.Argument(..., help="Folder to create the sample library in."),
) -> None:
    """Build a small real library from Debian documentation packages (apt-get download + dpkg-deb -x)."""
    from mcdewey.sample import build_sample_library

    for line in build_sample_library(directory, log=err_console.print):
        console.print(line, markup=False, highlight=False)
