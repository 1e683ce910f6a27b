"""Commands `ingest`, `search`, `indexes` and `export`: thin shells over mcdewey.ingest/search/export."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.table import Table

from mcdewey.cli.app import HomeOption, app, console, err_console, fail, parse_params
from mcdewey.models import Filters


def _workspace(home: Path | None):
    from mcdewey.store import Workspace

    return Workspace(home)


@app.command()
def ingest(
    library: Path = typer.Argument(..., help="Library folder: <vendor>/<product>/<version>/..."),
    index: str = typer.Option(None, "--index", help="Name of the index to build or update (default: the name "
                              "the grid and the notebooks give this set-up, printed at the end)."),
    strategy: str = typer.Option("recursive", "--strategy", help="Chunking strategy."),
    param: list[str] = typer.Option(None, "--param", help="Strategy parameter key=value (repeatable)."),
    model: str = typer.Option(None, "--model", help="sentence-transformers name or path (default: bundled all-MiniLM-L6-v2); fast: a static model distilled from it (built once, cached)."),
    backend: str = typer.Option(None, "--backend", help="Embedding runtime: openvino-bf16 (default when installed), onnx-int8, onnx, openvino or torch."),
    replace: bool = typer.Option(False, "--replace", help="Rebuild NAME if it was built with another set-up."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON summary, every file not indexed included."),
    engine: str = typer.Option("local", "--engine", help="local (one process) or ray (Ray tasks and actors)."),
    ray_address: str = typer.Option(None, "--ray-address", help="Ray cluster to use (default: a local Ray)."),
    home: Path = HomeOption,
) -> None:
    """Read, chunk and embed LIBRARY into index NAME; re-runs only redo what changed.

    Exit status: 0 all documents indexed (or skipped by design), 3 some failed (listed), 1 nothing done, 2 usage.
    """
    from mcdewey.cli.problems import EXIT_PARTIAL, issue_dicts, print_problems
    from mcdewey.ingest import ingest as run_ingest
    from mcdewey.library import EmptyLibrary
    from mcdewey.manifest import ChunkingSpec
    from mcdewey.ray_ingest import RayStartError  # does not import Ray itself
    from mcdewey.store import IndexBusy

    from mcdewey.tuning import tuned_location

    params = parse_params(param)
    model = tuned_location(model, home) or model  # `mcdewey tune --to NAME` in the --home workspace
    try:
        spec = ChunkingSpec.resolve(strategy, params, model, backend)
    except (ValueError, TypeError) as exc:
        raise typer.BadParameter(str(exc), param_hint="--strategy/--param") from None
    index = index or spec.index_name(library)
    try:
        report = run_ingest(library, _workspace(home), index, strategy, params, model, backend,
                            replace=replace, engine=engine, ray_address=ray_address)
    except EmptyLibrary as exc:
        problems = issue_dicts(exc.scan.errors, exc.scan.skipped)
        if as_json:
            print(json.dumps({"index": index, "error": str(exc), "problems": problems}, indent=2, ensure_ascii=False))
        print_problems(problems, err_console)
        fail(str(exc))
    except (ValueError, FileNotFoundError, IndexBusy, ImportError, RayStartError) as exc:
        fail(str(exc))
    if as_json:
        print(json.dumps(report.summary(), indent=2, ensure_ascii=False))
    else:
        _print_ingest(report)
        print_problems(report.problems, console)
    if report.errors:
        raise typer.Exit(EXIT_PARTIAL)


def _print_ingest(r) -> None:
    index = r.index
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
    no_collapse: bool = typer.Option(False, "--no-collapse", help="Every copy of a passage held by several "
                                     "versions or documents, instead of one hit per passage."),
    home: Path = HomeOption,
) -> None:
    """Search an index; filters apply before ranking; --version latest means each product's newest."""
    from mcdewey.search import search as run_search
    from mcdewey.store import UnknownIndex
    from mcdewey.versions import UnknownVersion, resolve_filters

    try:
        idx = _workspace(home).open_index(index)
        filters = Filters(vendor, product, version)
        _, latest = resolve_filters(idx, filters)
        hits = run_search(idx, query, k, mode, filters, collapse_versions=not no_collapse)
    except UnknownVersion as exc:
        err_console.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from None
    except (UnknownIndex, ValueError) as exc:
        fail(str(exc))
    if latest:
        err_console.print("version latest: " + ", ".join(f"{p} {v}" for p, v in latest.items()))
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
        if len(h.versions) > 1:
            snippet = f"[also in {', '.join(v for v in h.versions if v != c.version)}] {snippet}"
        table.add_row(str(h.rank), f"{h.score:.3f}", f"{c.product}/{c.version}", page, c.chunk_id, snippet)
    console.print(table if hits else "no hits")


@app.command()
def indexes(home: Path = HomeOption, as_json: bool = typer.Option(False, "--json")) -> None:
    """List the workspace's indexes and how each was built."""
    ws = _workspace(home)
    manifests = {name: ws.read_manifest(name) for name in ws.index_names()}
    if as_json:
        print(json.dumps({n: m.to_dict(files=False) for n, m in manifests.items()}, indent=2))
        return
    if not manifests:
        console.print(f"no indexes in {ws.home}; build one with `mcdewey ingest LIBRARY --index NAME`")
        return
    table = Table("index", "strategy", "params", "model", "backend", "documents", "chunks", "versions", "built_at")
    for name, m in manifests.items():
        params = ", ".join(f"{k}={v}" for k, v in m.params.items())
        # Newest first, per product (mcdewey.versions orders them at ingest).
        versions = "; ".join(f"{p} {', '.join(reversed(vs))}" for p, vs in m.versions.items())
        table.add_row(name, m.strategy, params, m.model, m.backend, str(m.counts.documents), str(m.counts.chunks),
                      versions, m.built_at or "")
    console.print(table)


@app.command("export")
def export_cmd(
    index: str = typer.Option(..., "--index", help="Index to export."),
    to: Path = typer.Option(..., "--to", help="Folder to write (an older export there is replaced atomically)."),
    home: Path = HomeOption,
) -> None:
    """Write a self-contained copy of an index that `mcdewey serve` can serve without the library."""
    from mcdewey.export import export, export_size
    from mcdewey.storage import is_remote
    from mcdewey.store import UnknownIndex

    try:
        version_dir = export(_workspace(home), index, to)
    except (UnknownIndex, FileExistsError, ValueError) as exc:
        fail(str(exc))
    if is_remote(version_dir):
        console.print(f"exported {index!r} to {version_dir.parent.parent} ({version_dir.name})")
        return
    size = export_size(version_dir)
    console.print(f"exported {index!r} to {to} ({version_dir.name}): {size['total'] / 1e6:.1f} MB, "
                  f"of which {size['pdfs'] / 1e6:.1f} MB are the PDFs it cites (for page images)")
