"""Commands `ingest`, `search`, `indexes` and `export`: thin shells over mcdewey.ingest/search/export."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.table import Table

from mcdewey.cli.app import HomeOption, app, console, err_console, parse_params
from mcdewey.models import Filters


def _workspace(home: Path | None):
    from mcdewey.store import Workspace

    return Workspace(home)


def _fail(message: str) -> None:
    err_console.print(f"[red]error:[/red] {message}")
    raise typer.Exit(1)


@app.command()
def ingest(
    library: Path = typer.Argument(..., help="Library folder: <vendor>/<product>/<version>/..."),
    index: str = typer.Option(..., "--index", help="Name of the index to build or update."),
    strategy: str = typer.Option("recursive", "--strategy", help="Chunking strategy."),
    param: list[str] = typer.Option(None, "--param", help="Strategy parameter key=value (repeatable)."),
    model: str = typer.Option(None, "--model", help="sentence-transformers name or path (default: bundled all-MiniLM-L6-v2)."),
    backend: str = typer.Option(None, "--backend", help="Embedding runtime: openvino-bf16 (default when installed), onnx-int8, onnx, openvino or torch."),
    replace: bool = typer.Option(False, "--replace", help="Rebuild NAME if it was built with another set-up."),
    home: Path = HomeOption,
) -> None:
    """Read, chunk and embed LIBRARY into index NAME; re-runs only redo what changed."""
    from mcdewey.ingest import ingest as run_ingest
    from mcdewey.store import IndexBusy

    try:
        report = run_ingest(library, _workspace(home), index, strategy, parse_params(param), model, backend,
                            replace=replace)
    except (ValueError, FileNotFoundError, IndexBusy) as exc:
        _fail(str(exc))
    r = report
    console.print(
        f"[bold]{index}[/bold]: {r.new} new, {r.changed} changed, {r.unchanged} unchanged, "
        f"{r.deleted} deleted, {r.skipped} skipped documents ({r.errors} errors)\n"
        f"{r.chunks_added} chunks embedded ({r.chunks_total} in the index, {r.documents} documents) "
        f"in {r.seconds:.1f} s: {r.chunks_per_second:.1f} chunks/s "
        f"(model {r.embed_seconds:.1f} s, {r.model_chunks_per_second:.1f} chunks/s), "
        f"cache {r.cache_hits} hits / {r.cache_misses} misses, peak RSS {r.peak_rss_mb:.0f} MB"
    )


@app.command()
def search(
    query: str = typer.Argument(..., help="What to look for."),
    index: str = typer.Option(..., "--index", help="Index to search."),
    k: int = typer.Option(10, "-k", "--k", help="Number of hits."),
    mode: str = typer.Option("hybrid", "--mode", help="hybrid, vector or keyword."),
    vendor: str = typer.Option(None, "--vendor"),
    product: str = typer.Option(None, "--product"),
    version: str = typer.Option(None, "--version"),
    as_json: bool = typer.Option(False, "--json", help="Print the hits as a JSON list."),
    home: Path = HomeOption,
) -> None:
    """Search an index; filters apply before ranking."""
    from mcdewey.search import search as run_search
    from mcdewey.store import UnknownIndex

    try:
        idx = _workspace(home).open_index(index)
        hits = run_search(idx, query, k, mode, Filters(vendor, product, version))
    except (UnknownIndex, ValueError) as exc:
        _fail(str(exc))
    if as_json:
        print(json.dumps([h.to_dict() for h in hits], indent=2, ensure_ascii=False))
        return
    table = Table("rank", "score", "product/version", "page", "chunk_id", "snippet", show_lines=False)
    for h in hits:
        c = h.chunk
        page = "" if c.page_start is None else str(c.page_start)
        if c.page_label_start and c.page_label_start != page:  # printed label differs from physical page
            page += f" ({c.page_label_start})"
        snippet = " ".join(c.text.split())[:120]
        table.add_row(str(h.rank), f"{h.score:.3f}", f"{c.product}/{c.version}", page, c.chunk_id, snippet)
    console.print(table if hits else "no hits")


@app.command()
def indexes(home: Path = HomeOption, as_json: bool = typer.Option(False, "--json")) -> None:
    """List the workspace's indexes and how each was built."""
    ws = _workspace(home)
    manifests = {name: ws.read_manifest(name) for name in ws.index_names()}
    summaries = {n: {k: v for k, v in m.items() if k != "files"} for n, m in manifests.items()}
    if as_json:
        print(json.dumps(summaries, indent=2))
        return
    if not manifests:
        console.print(f"no indexes in {ws.home}; build one with `mcdewey ingest LIBRARY --index NAME`")
        return
    table = Table("index", "strategy", "params", "model", "backend", "documents", "chunks", "built_at")
    for name, m in summaries.items():
        params = ", ".join(f"{k}={v}" for k, v in m.get("params", {}).items())
        counts = m.get("counts", {})
        table.add_row(name, m.get("strategy", ""), params, m.get("model", ""), m.get("backend", ""),
                      str(counts.get("documents", "")), str(counts.get("chunks", "")), m.get("built_at", ""))
    console.print(table)


@app.command("export")
def export_cmd(
    index: str = typer.Option(..., "--index", help="Index to export."),
    to: Path = typer.Option(..., "--to", help="Folder to write (an older export there is replaced atomically)."),
    home: Path = HomeOption,
) -> None:
    """Write a self-contained copy of an index that `mcdewey serve` can serve without the library."""
    from mcdewey.export import export, export_size
    from mcdewey.store import UnknownIndex

    try:
        version_dir = export(_workspace(home), index, to)
    except (UnknownIndex, FileExistsError, ValueError) as exc:
        _fail(str(exc))
    size = export_size(version_dir)
    console.print(f"exported {index!r} to {to} ({version_dir.name}): {size['total'] / 1e6:.1f} MB, "
                  f"of which {size['pdfs'] / 1e6:.1f} MB are the PDFs it cites (for page images)")
