"""Commands `eval check|run|grid` and `bench telequad`: thin shells over mcdewey.evaluate."""

from __future__ import annotations

import json
from contextlib import contextmanager
from pathlib import Path

import typer
from rich.markup import escape
from rich.table import Table

from mcdewey.cli.app import HomeOption, app, console, err_console, fail, parse_params
from mcdewey.evaluate.runner import TABLE_KEYS
from mcdewey.vocabulary import MODES, parse_modes

eval_app = typer.Typer(help="Score indexes against labeled queries; compare set-ups.", no_args_is_help=True)
bench_app = typer.Typer(help="Public benchmarks.", no_args_is_help=True)
app.add_typer(eval_app, name="eval")
app.add_typer(bench_app, name="bench")

def _queries(path: Path):
    from mcdewey.evaluate.queries import QuerySetError, load_queries

    try:
        return load_queries(path)
    except QuerySetError as exc:
        fail(str(exc))


def _open(home: Path | None, name: str):
    from mcdewey.store import UnknownIndex, Workspace

    ws = Workspace(home)
    try:
        return ws, ws.open_index(name)
    except (UnknownIndex, ValueError) as exc:
        fail(str(exc))


def _modes(mode: str) -> tuple[str, ...]:
    try:
        return parse_modes(mode)
    except ValueError as exc:
        fail(f"{exc} (or all)")


@contextmanager
def _progress(label: str, total: int, enabled: bool = True):
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    if not enabled:
        yield None
        return
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=err_console, transient=True) as bar:
        task = bar.add_task(label, total=total)
        yield lambda n, _total: bar.update(task, completed=n)


def _print_table(summaries: list[dict], title: str = "") -> None:
    from rich.console import Console

    table = Table("configuration", "queries", *TABLE_KEYS, title=title or None)
    for s in summaries:
        table.add_row(s["name"], str(s["queries"]),
                      *("–" if s.get(k) is None else f"{s[k]:.3f}" if "latency" not in k else f"{s[k]:.1f}"
                        for k in TABLE_KEYS))
    # Wide enough for grid configuration names even when output goes to a file or a pipe.
    Console(width=max(console.width, 170)).print(table)


@eval_app.command("check")
def check(
    queries: Path = typer.Argument(..., help="A .jsonl query set, or a folder of them."),
    index: str = typer.Option(..., "--index", help="Index whose documents the quotes must resolve in."),
    home: Path = HomeOption,
) -> None:
    """Resolve every quote to a span of its indexed document; list each failure with its closest match."""
    from mcdewey.evaluate.spans import SpanResolver

    qs = _queries(queries)
    _, idx = _open(home, index)
    resolver = SpanResolver(idx.get_document)
    total = failed = 0
    for q in qs:
        for res in (resolver.resolve(ev) for ev in q.relevant):
            total += 1
            if not res.ok:
                failed += 1
                line = escape(f"{q.id} ({q.source}): {res.message()}")
                console.print(f"[red]FAIL[/red] {line}", highlight=False, soft_wrap=True)
    console.print(f"{len(qs)} queries, {total} quotes: {total - failed} resolved, {failed} failed")
    if failed:
        raise typer.Exit(1)


@eval_app.command("run")
def run(
    queries: Path = typer.Argument(..., help="A .jsonl query set, or a folder of them."),
    index: str = typer.Option(..., "--index", help="Index to evaluate."),
    mode: str = typer.Option("hybrid", "--mode", help="keyword, vector, hybrid, or all three."),
    k: int = typer.Option(10, "-k", "--k", help="Hits per query."),
    as_json: bool = typer.Option(False, "--json", help="Print the summary as JSON."),
    out: Path = typer.Option(None, "--out", help="Write a report folder here."),
    baseline: Path = typer.Option(None, "--baseline", help="Summary JSON to compare against."),
    max_drop: float = typer.Option(0.02, "--max-drop", help="Largest allowed fall of nDCG@10 or hit@5."),
    ragas: bool = typer.Option(True, "--ragas/--no-ragas", help="Also compute ragas' offline metrics."),
    ignore_filters: bool = typer.Option(False, "--ignore-filters", help="Search the whole library for every "
                                        "query, as an assistant would without filters."),
    search_set: list[str] = typer.Option(None, "--search", help="Search setting key=value for this run, e.g. "
                                         "keyword_weight=2 or keyword_field=search_text (repeatable)."),
    home: Path = HomeOption,
) -> None:
    """Evaluate one index on a query set; exits 1 when the regression gate fails."""
    from mcdewey.evaluate.gate import check_gate, load_baseline
    from mcdewey.evaluate.report import save_eval_summary, write_report
    from mcdewey.experiment import measure

    qs = _queries(queries)
    ws, idx = _open(home, index)
    settings = parse_params(search_set)
    runs = []
    for m in _modes(mode):
        with _progress(f"{index}/{m}", len(qs), enabled=not as_json) as progress:
            try:
                runs.append(measure(idx, qs, m, k, settings, use_ragas=ragas, progress=progress,
                                    use_filters=not ignore_filters))
            except ValueError as exc:  # an unknown --search setting or value
                fail(str(exc))
    summaries = [r.summary() for r in runs]
    gate = None
    if baseline:
        gate = check_gate(summaries[-1], load_baseline(baseline, summaries[-1]["name"]), max_drop, str(baseline))
    for s in summaries if not (settings or ignore_filters) else ():  # the index's own set-up only
        save_eval_summary(ws, index, s, str(queries))
    if out:
        write_report(out, runs, str(queries), extra={"gate": gate.to_dict()} if gate else None)
    if as_json:
        doc = summaries[0] if len(summaries) == 1 else {s["mode"]: s for s in summaries}
        if gate:
            doc = {**doc, "gate": gate.to_dict()}
        print(json.dumps(doc, indent=2, default=str))
    else:
        _print_table(summaries)
        if out:
            console.print(f"report: {out}/report.html")
    if gate and not gate.passed:
        err_console.print("[red]regression gate failed:[/red] " + "; ".join(gate.failures))
        raise typer.Exit(1)
    if gate and not as_json:
        console.print(f"regression gate passed (max drop {max_drop}): {gate.deltas}")


@eval_app.command("grid")
def grid(
    queries: Path = typer.Argument(..., help="A .jsonl query set, or a folder of them."),
    library: Path = typer.Option(..., "--library", help="Library folder to index."),
    grid_file: Path = typer.Option(..., "--grid", help="GRID.yaml: strategies × params × models × modes."),
    out: Path = typer.Option(..., "--out", help="Report folder."),
    ragas: bool = typer.Option(True, "--ragas/--no-ragas", help="Also compute ragas' offline metrics."),
    home: Path = HomeOption,
) -> None:
    """Build or reuse an index per grid point, evaluate each in every mode, write one report."""
    from mcdewey.evaluate.grid import GridError, load_grid, run_grid
    from mcdewey.evaluate.report import write_report
    from mcdewey.store import Workspace

    qs = _queries(queries)
    try:
        spec = load_grid(grid_file)
    except (GridError, OSError) as exc:
        fail(str(exc))
    console.print(f"grid: {len(spec.indexes)} indexes × {len(spec.search)} search set-ups × "
                  f"{len(spec.modes)} modes = {spec.size} configurations, {len(qs)} queries")
    result = run_grid(spec, library, Workspace(home), qs, use_ragas=ragas,
                      log=lambda line: console.print(line, highlight=False))
    summary = write_report(out, result.runs, str(queries), title=f"McDewey grid: {queries}",
                           extra={"grid": str(grid_file), "ingest": result.ingest})
    _print_table(summary["configurations"][:15], "best configurations")
    console.print(f"report: {out}/report.html")


@bench_app.command("telequad")
def telequad(
    root: Path = typer.Option(None, "--root", help="TeleQuAD folder (default: ../shared/benchmarks/telequad)."),
    index: str = typer.Option("bench-telequad", "--index", help="Index to build for the passages."),
    strategy: str = typer.Option("recursive", "--strategy", help="Chunking strategy."),
    param: list[str] = typer.Option(None, "--param", help="Strategy parameter key=value (repeatable)."),
    model: str = typer.Option(None, "--model", help="Embedding model (default: bundled; fast: the distilled static model)."),
    mode: str = typer.Option("all", "--mode", help="keyword, vector, hybrid, or all three."),
    limit: int = typer.Option(None, "--limit", help="Evaluate an even sample of this many questions."),
    merge: bool = typer.Option(False, "--merge-duplicates", help="One query per distinct question text."),
    out: Path = typer.Option(None, "--out", help="Report folder (default <home>/bench/telequad/report)."),
    as_json: bool = typer.Option(False, "--json", help="Print the summaries as JSON."),
    ragas: bool = typer.Option(False, "--ragas/--no-ragas", help="Also compute ragas' offline metrics."),
    home: Path = HomeOption,
) -> None:
    """TeleQuAD extractive v4 as passage retrieval: keyword, vector and hybrid on the same metrics."""
    from mcdewey.evaluate.report import write_report
    from mcdewey.evaluate.telequad import load_telequad, write_library
    from mcdewey.experiment import measure, prepare_index
    from mcdewey.manifest import ChunkingSpec
    from mcdewey.store import Workspace

    ws = Workspace(home)
    try:
        passages, qs = load_telequad(root, merge_duplicates=merge, limit=limit)
    except FileNotFoundError as exc:
        fail(str(exc))
    base = ws.home / "bench" / "telequad"
    library = write_library(passages, base / "library")  # derived data stays in the workspace (CC BY-ND)
    try:
        spec = ChunkingSpec.resolve(strategy, parse_params(param), model)
        idx, report = prepare_index(library, ws, spec, index, progress=not as_json)
    except ValueError as exc:
        fail(str(exc))
    runs = []
    for m in _modes(mode):
        with _progress(f"telequad/{m}", len(qs), enabled=not as_json) as progress:
            runs.append(measure(idx, qs, m, 10, use_ragas=ragas, progress=progress))
    qrels = "merged identical question texts" if merge else "keyed by question id (own passage only)"
    summary = write_report(out or base / "report", runs, "TeleQuAD extractive v4", title="TeleQuAD extractive v4",
                           extra={"passages": len(passages), "qrels": qrels, "ingest": report.to_dict()})
    if as_json:
        print(json.dumps({c["mode"]: {k: v for k, v in c.items() if k != "by_tag"}
                          for c in summary["configurations"]} | {"qrels": qrels}, indent=2, default=str))
        return
    _print_table(sorted(summary["configurations"], key=lambda c: MODES.index(c["mode"])),
                 f"TeleQuAD v4: {len(passages)} passages, {len(qs)} questions, qrels {qrels}")
    console.print(f"report: {out or base / 'report'}/report.html")
