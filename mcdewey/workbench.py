"""Data-level helpers behind the notebooks: library and chunk frames, chunk plots, serving from a notebook.

Plotting helpers return matplotlib figures; nothing here needs Jupyter, so tests call it directly.
The experiment lab (re-run an evaluation for a set of control values) is in `mcdewey.lab`.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

import pandas as pd
from matplotlib.figure import Figure

from mcdewey.demo import demo_library, demo_queries
from mcdewey.library import LibraryScan, ReadError, SkipFile, read_document, scan_library
from mcdewey.models import Chunk, Document, excerpt

__all__ = [
    "BackgroundServer", "assistant_config", "chunk_boundaries", "chunk_sizes", "default_chunkers", "demo_library",
    "demo_queries", "documents_frame", "format_frame", "free_port", "pick_document", "plot_boundaries",
    "plot_chunk_sizes", "prepare", "read_sample", "skipped_frame",
]

EXCERPT = 70  # characters of a chunk shown in a table cell


def prepare(library: str | Path | None, queries: str | Path | None, home: str | Path,
            need_queries: bool = False) -> tuple[Path, Path | None]:
    """The notebooks' inputs: the given library and query set, or the demo ones written under `home`."""
    demo = Path(home) / "demo"
    lib = Path(library) if library else demo_library(demo / "library")
    if not lib.is_dir():
        raise FileNotFoundError(f"LIBRARY {lib} is not a folder (paths are relative to the notebook)")
    if queries:
        return lib, Path(queries)
    if library and need_queries:
        raise ValueError("set QUERIES to a labeled query set for this library: the demo queries fit only the demo")
    return lib, (demo_queries(demo / "queries.jsonl") if not library else None)


# ---- the library -------------------------------------------------------------------------------

def format_frame(scan: LibraryScan) -> pd.DataFrame:
    """Files per kind and format: documents by reader, errors and skipped files by reason."""
    rows = [{"kind": "document", "format": fmt} for fmt in scan.candidates.values()]
    rows += [{"kind": "skipped", "format": issue.reason} for issue in scan.skipped]
    rows += [{"kind": "error", "format": issue.reason} for issue in scan.errors]
    if not rows:
        return pd.DataFrame(columns=["kind", "format", "files"])
    frame = pd.DataFrame(rows).value_counts().rename("files").reset_index()
    return frame.sort_values(["kind", "files", "format"], ascending=[True, False, True], ignore_index=True)


def skipped_frame(scan: LibraryScan) -> pd.DataFrame:
    """Every file a scan left out, and why; errors (unreadable documents) first."""
    rows = [{"path": i.path, "status": "error", "reason": i.reason} for i in scan.errors]
    rows += [{"path": i.path, "status": "skipped", "reason": i.reason} for i in scan.skipped]
    return pd.DataFrame(rows, columns=["path", "status", "reason"])


def documents_frame(index) -> pd.DataFrame:
    """Documents, pages and chunks per vendor / product / version of an index."""
    columns = ["vendor", "product", "version", "documents", "pages", "chunks"]
    return pd.DataFrame(index.library_summary(), columns=columns)


def read_sample(root: str | Path, limit: int | None = None, seed: int = 0,
                scan: LibraryScan | None = None) -> list[Document]:
    """Read up to `limit` documents of the library (a seeded random sample; all when None)."""
    scan = scan or scan_library(Path(root))
    doc_ids = sorted(scan.candidates)
    if limit is not None and limit < len(doc_ids):
        doc_ids = sorted(random.Random(seed).sample(doc_ids, limit))
    docs = []
    for doc_id in doc_ids:
        try:
            docs.append(read_document(Path(root), doc_id, fmt=scan.candidates[doc_id]))
        except (SkipFile, ReadError):
            continue  # the scan table already shows why a library has unreadable files
    return docs


def pick_document(root: str | Path, doc_id: str | None = None) -> Document:
    """Document `doc_id` of the library, else its first PDF (pages show there), else its first document."""
    if doc_id:
        return read_document(Path(root), doc_id)
    scan = scan_library(Path(root))
    ordered = sorted(scan.candidates, key=lambda d: (scan.candidates[d] != "pdf", d))
    for candidate in ordered:
        try:
            return read_document(Path(root), candidate, fmt=scan.candidates[candidate])
        except (SkipFile, ReadError):
            continue
    raise FileNotFoundError(f"no readable document in {root}")


# ---- chunks ------------------------------------------------------------------------------------

def default_chunkers(model: str | None = None) -> dict[str, object]:
    """Every registered strategy with its default parameters, counting tokens with `model`."""
    from mcdewey.chunking import get_chunker, list_strategies, strategy_fields

    return {name: get_chunker(name, **({"model": model} if model and "model" in strategy_fields(name) else {}))
            for name in list_strategies()}


def chunk_sizes(docs: Iterable[Document], chunkers: Mapping[str, object]) -> pd.DataFrame:
    """One row per chunk for each labelled chunker: label, doc_id, chunk_id, tokens, characters."""
    docs = list(docs)
    rows = [{"strategy": label, "doc_id": c.doc_id, "chunk_id": c.chunk_id, "tokens": c.tokens,
             "chars": c.end - c.start}
            for label, chunker in chunkers.items() for doc in docs for c in chunker.chunk(doc)]
    return pd.DataFrame(rows, columns=["strategy", "doc_id", "chunk_id", "tokens", "chars"])


def plot_chunk_sizes(sizes: pd.DataFrame, max_input: int | None = 256) -> Figure:
    """Box plots of tokens per chunk for each strategy, with the model's input limit as a line."""
    labels = list(dict.fromkeys(sizes["strategy"]))
    fig = Figure(figsize=(8, 0.6 * len(labels) + 1.8), layout="constrained")
    ax = fig.add_subplot()
    ax.boxplot([sizes.loc[sizes["strategy"] == s, "tokens"] for s in labels], orientation="horizontal",
               tick_labels=labels)
    if max_input:
        ax.axvline(max_input, color="tab:red", linestyle="--", label=f"model input ({max_input} tokens)")
        ax.legend(loc="lower right")
    ax.set_xlabel("tokens per chunk")
    ax.set_title("Chunk sizes per strategy")
    return fig


def _chunk_rows(chunks: Sequence[Chunk]) -> list[dict]:
    return [{"chunk": c.ord, "start": c.start, "end": c.end, "tokens": c.tokens, "page": c.page_start,
             "section": " > ".join(c.section), "begins": excerpt(c.text, EXCERPT)} for c in chunks]


def chunk_boundaries(doc: Document, left: object, right: object) -> pd.DataFrame:
    """Two chunkers' chunks of one document side by side, row i holding each one's i-th chunk."""
    a = pd.DataFrame(_chunk_rows(left.chunk(doc)))
    b = pd.DataFrame(_chunk_rows(right.chunk(doc)))
    names = (_label(left), _label(right))
    if names[0] == names[1]:
        names = (names[0] + " (left)", names[1] + " (right)")
    # Integer columns stay integers where one side has fewer chunks than the other.
    return pd.concat({names[0]: a, names[1]: b}, axis=1).convert_dtypes()


def _label(chunker: object) -> str:
    from mcdewey.chunking import chunker_params

    params = chunker_params(chunker)
    shown = {k: params[k] for k in ("max_tokens", "overlap", "context") if k in params}
    return f"{chunker.name} " + " ".join(f"{k}={v}" for k, v in shown.items())


def plot_boundaries(doc: Document, chunkers: Mapping[str, object]) -> Figure:
    """Each chunker's chunks as bars along the document's characters, with page starts marked."""
    fig = Figure(figsize=(10, 0.9 * len(chunkers) + 1.4), layout="constrained")
    ax = fig.add_subplot()
    for row, (label, chunker) in enumerate(chunkers.items()):
        spans = [(c.start, c.end - c.start) for c in chunker.chunk(doc)]
        colours = ["tab:blue" if i % 2 == 0 else "tab:orange" for i in range(len(spans))]
        ax.broken_barh(spans, (row - 0.35, 0.7), facecolors=colours, edgecolor="white")
    for page in doc.pages[1:]:
        ax.axvline(page.start, color="grey", linestyle=":", linewidth=1)
    ax.set_yticks(range(len(chunkers)), list(chunkers))
    ax.set_ylim(len(chunkers) - 0.5, -0.5)
    ax.set_xlim(0, len(doc.text))
    ax.set_xlabel("character offset in the document" + (" (dotted: page starts)" if len(doc.pages) > 1 else ""))
    ax.set_title(doc.doc_id)
    return fig


# ---- serving from a notebook -------------------------------------------------------------------

class BackgroundServer:
    """`mcdewey serve` inside the notebook's process: uvicorn in a daemon thread on a free port."""

    def __init__(self, export_dir: str | Path, port: int | None = None, token: str | None = None):
        self.export_dir = Path(export_dir)
        self.port = port or free_port()
        self.token = token
        self.url = f"http://127.0.0.1:{self.port}"
        self._server = None
        self._thread = None

    def start(self, timeout: float = 30.0) -> "BackgroundServer":
        """Open the export, start serving and wait until the port accepts requests."""
        import threading
        import time

        import uvicorn

        from mcdewey.server.app import Access, open_app

        app = open_app(self.export_dir, Access.for_bind("127.0.0.1", self.token), self.url)
        self._server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning"))
        self._thread = threading.Thread(target=self._server.run, name="mcdewey-serve", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError(f"the server on port {self.port} did not start")
            time.sleep(0.05)
        return self

    def stop(self, timeout: float = 10.0) -> None:
        """Ask uvicorn to finish its requests and exit; waits for the thread."""
        if self._server is not None:
            self._server.should_exit = True
            self._thread.join(timeout)
            self._server = None

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def __enter__(self) -> "BackgroundServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def assistant_config(url: str, client: str = "cursor", token: bool = False) -> dict:
    """The MCP config snippet `client` (cursor, vscode, claude-desktop) needs for the server at `url`."""
    mcp_url = url.rstrip("/") + "/mcp"
    if client == "cursor":
        entry = {"url": mcp_url, **({"headers": {"Authorization": "Bearer ${env:MCDEWEY_TOKEN}"}} if token else {})}
        return {"mcpServers": {"mcdewey": entry}}
    if client == "vscode":
        entry = {"type": "http", "url": mcp_url,
                 **({"headers": {"Authorization": "Bearer ${input:mcdewey-token}"}} if token else {})}
        inputs = [{"type": "promptString", "id": "mcdewey-token", "description": "McDewey token", "password": True}]
        return {**({"inputs": inputs} if token else {}), "servers": {"mcdewey": entry}}
    if client == "claude-desktop":
        # Claude Desktop starts servers as commands: mcp-remote bridges it to the HTTP endpoint.
        args = ["-y", "mcp-remote", mcp_url, "--allow-http"]
        if token:
            args += ["--header", "Authorization:${MCDEWEY_AUTH}"]
        entry = {"command": "npx", "args": args, **({"env": {"MCDEWEY_AUTH": "Bearer your-token"}} if token else {})}
        return {"mcpServers": {"mcdewey": entry}}
    raise ValueError(f"unknown client {client!r}; choose cursor, vscode or claude-desktop")
