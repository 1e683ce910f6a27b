"""Command `serve`: the web pages and the MCP endpoint over an exported index."""

from __future__ import annotations

from pathlib import Path

import typer

from mcdewey.cli.app import app, console, err_console


@app.command()
def serve(
    export_dir: Path = typer.Argument(..., help="An export folder written by `mcdewey export`."),
    host: str = typer.Option("127.0.0.1", "--host", help="Address to bind; keep loopback unless you set a token."),
    port: int = typer.Option(8000, "--port", help="TCP port."),
    token: str = typer.Option(None, "--token", envvar="MCDEWEY_TOKEN",
                              help="Bearer token required by /mcp, the JSON API and the pages."),
    allow_host: list[str] = typer.Option(None, "--allow-host",
                                         help="Extra host name clients use to reach the server (repeatable)."),
    allow_origin: list[str] = typer.Option(None, "--allow-origin",
                                           help="Extra browser Origin allowed, e.g. https://docs.example.com."),
    public_url: str = typer.Option(None, "--public-url", help="Base URL put in links the MCP tools return."),
    max_parallel: int = typer.Option(0, "--max-parallel",
                                     help="Searches run at once (default: 32 with query batching, else CPU cores)."),
    batch_window_ms: float = typer.Option(None, "--batch-window-ms", envvar="MCDEWEY_QUERY_BATCH_MS",
                                          help="Concurrent searches wait up to this long to embed their queries "
                                               "in one model call (default 5; 0 = off)."),
    log_queries: bool = typer.Option(True, "--log-queries/--no-log-queries",
                                     help="--no-log-queries: no query text in MCP log messages above info "
                                          "(warnings, errors) nor in the server's own warnings."),
) -> None:
    """Serve EXPORT_DIR: search page at /, MCP (Streamable HTTP) at /mcp, health at /healthz."""
    import uvicorn

    from mcdewey.server.app import Access, open_app
    from mcdewey.store import UnknownIndex

    if host not in ("127.0.0.1", "localhost", "::1") and not token:
        err_console.print(f"[yellow]warning:[/yellow] binding {host} without --token: anyone who can reach "
                          "this port can search the documents")
    access = Access.for_bind(host, token, allow_host or (), allow_origin or ())
    shown = f"[{host}]" if ":" in host else host
    url = public_url or f"http://{'127.0.0.1' if host in ('0.0.0.0', '::') else shown}:{port}"
    try:
        web = open_app(export_dir, access, url, max_parallel or None, log_queries, batch_window_ms=batch_window_ms)
    except (UnknownIndex, ValueError) as exc:
        err_console.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(1)
    console.print(f"McDewey serving [bold]{export_dir}[/bold]: search {url}/  ·  MCP {url}/mcp")
    uvicorn.run(web, host=host, port=port, log_level="info", server_header=False)
