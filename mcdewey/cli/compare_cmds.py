"""Command `compare`: a thin shell over mcdewey.compare."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from mcdewey.cli.app import HomeOption, app, console, err_console


@app.command()
def compare(
    product: str = typer.Argument(..., help="Product, as `mcdewey indexes` / list_library name it."),
    from_version: str = typer.Argument(..., metavar="FROM", help="The older version (or 'latest')."),
    to_version: str = typer.Argument(..., metavar="TO", help="The newer version (or 'latest')."),
    query: str = typer.Option(None, "--query", "-q", help="Only the sections relevant to this question."),
    doc: str = typer.Option(None, "--doc", help="Only this document: its path below the version folder."),
    index: str = typer.Option(None, "--index", help="Index to read (default: the workspace's only index)."),
    limit: int = typer.Option(100, "--limit", help="At most this many sections (0: all)."),
    as_json: bool = typer.Option(False, "--json", help="Print the comparison as JSON."),
    home: Path = HomeOption,
) -> None:
    """What changed in PRODUCT between FROM and TO: sections same, changed (with a word diff), added, removed."""
    from mcdewey.compare import CompareError, compare as run_compare, render
    from mcdewey.store import UnknownIndex, Workspace
    from mcdewey.versions import UnknownVersion

    try:
        ws = Workspace(home)
        names = ws.index_names()
        if index is None and len(names) != 1:
            raise UnknownIndex(f"name the index with --index (indexes in {ws.home}: {', '.join(names) or 'none'})")
        idx = ws.open_index(index or names[0])
        result = run_compare(idx, product, from_version, to_version, query=query, doc=doc, limit=limit)
    except (UnknownVersion, CompareError, UnknownIndex) as exc:
        err_console.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from None
    if as_json:
        print(json.dumps(result.model_dump(mode="json"), indent=2, ensure_ascii=False))
        return
    console.print(render(result), markup=False, highlight=False)
