"""Ingest a library into an index: read, chunk, embed and write only what changed since the last run."""

from __future__ import annotations

import hashlib
import queue
import resource
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import nullcontext
from dataclasses import asdict, dataclass, field, replace as with_fields
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

import mcdewey
from mcdewey.library import ReadError, SkipFile, check_layout, file_fingerprint, read_document, scan_library
from mcdewey.embeddings import CachedEmbedder, EmbeddingCache, embedder_loaded, get_embedder, release_embedder
from mcdewey.manifest import ChunkingSpec, Counts, FileEntry, Manifest, Tables
from mcdewey.models import Chunk, Document
from mcdewey.search import SearchConfig
from mcdewey.store import FTS_FIELDS, Workspace, ingest_fts_fields
from mcdewey.versions import link_index, version_order

EMBED_BATCH = 256  # chunks per embedding call (the model sorts them by length inside)
WRITE_BATCH = 4096  # rows per LanceDB append: fewer, larger fragments search faster


@dataclass
class IngestReport:
    """What one ingest run did."""

    index: str
    new: int = 0
    changed: int = 0
    unchanged: int = 0
    deleted: int = 0
    skipped: int = 0
    errors: int = 0
    chunks_added: int = 0
    chunks_total: int = 0
    documents: int = 0
    seconds: float = 0.0
    embed_seconds: float = 0.0
    peak_rss_mb: float = 0.0
    cache_hits: int = 0
    cache_misses: int = 0
    skipped_files: list[dict] = field(default_factory=list)
    problems: list[dict] = field(default_factory=list)  # {"path", "kind": "error" | "skipped", "reason"}

    @property
    def chunks_per_second(self) -> float:
        """Embedding throughput over the whole run (reading, chunking and writing included)."""
        return self.chunks_added / self.seconds if self.seconds else 0.0

    @property
    def model_chunks_per_second(self) -> float:
        """The model alone: chunks it embedded (cache misses) per second of encode time."""
        return self.cache_misses / self.embed_seconds if self.embed_seconds else 0.0

    def summary(self) -> dict:
        """The object `mcdewey ingest --json` prints; `skipped` counts files skipped by design, not errors."""
        return {
            "index": self.index,
            "documents": {"new": self.new, "changed": self.changed, "unchanged": self.unchanged,
                          "deleted": self.deleted, "skipped": self.skipped - self.errors, "errors": self.errors},
            "chunks_added": self.chunks_added,
            "chunks_total": self.chunks_total,
            "embedded": self.cache_misses,  # chunks the model embedded; the others came from the cache
            "seconds": round(self.seconds, 3),
            "peak_rss_mb": self.peak_rss_mb,
            "problems": self.problems,
        }

    def to_dict(self) -> dict:
        out = asdict(self)
        out["chunks_per_second"] = round(self.chunks_per_second, 2)
        out["model_chunks_per_second"] = round(self.model_chunks_per_second, 2)
        return out


@dataclass
class _Plan:
    """Library files sorted into what this run must do."""

    files: dict[str, FileEntry]  # doc_id (path in the library) -> manifest entry, updated as the run goes
    todo: list[tuple[str, Path, str, str]]  # (doc_id, path, fingerprint, format) to read and index
    remove: list[str]  # doc_ids whose chunks go
    library_fingerprint: str


def ingest(library: Path, workspace: Workspace, index: str, strategy: str = "recursive",
           params: dict | None = None, model: str | None = None, backend: str | None = None,
           progress: bool = True, replace: bool = False, engine: str = "local",
           ray_address: str | None = None) -> IngestReport:
    """Bring index `index` up to date with `library`; safe to interrupt and re-run.

    An index keeps its set-up (strategy, parameters, model, backend); `replace=True` deletes an index
    of the same name built differently instead of refusing. `engine="ray"` reads, chunks and embeds on
    Ray (mcdewey.ray_ingest; `ray_address` of a cluster, else a local Ray) into the same index.
    """
    started = time.perf_counter()
    if engine not in ("local", "ray"):
        raise ValueError(f"unknown engine {engine!r}; choose local or ray")
    library = Path(library).resolve()
    if not library.is_dir():
        raise FileNotFoundError(f"library folder {library} does not exist")
    previous = workspace.read_manifest(index)
    if previous and model is None and backend is None:  # a re-run keeps the index's model and backend
        model, backend = previous.model, previous.backend
    spec = ChunkingSpec.resolve(strategy, params, model, backend)
    return ingest_spec(library, workspace, index, spec, progress, replace, started, previous, engine, ray_address)


def ingest_spec(library: Path, workspace: Workspace, index: str, spec: ChunkingSpec, progress: bool = True,
                replace: bool = False, started: float | None = None, previous: Manifest | None = None,
                engine: str = "local", ray_address: str | None = None) -> IngestReport:
    """`ingest` for a resolved set-up (what the experiment runner calls)."""
    started = started or time.perf_counter()
    library = Path(library).resolve()
    previous = previous or workspace.read_manifest(index)
    if previous and replace and previous.spec.differences(spec):
        workspace.delete_index(index)
        previous = None
    if previous and previous.spec.differences(spec):
        raise ValueError(f"index {index!r} was built with a different set-up ({previous.spec.differences(spec)}); "
                         f"ingest under another --index name, or rebuild it with --replace")
    chunker = spec.chunker()
    sentence_cache = None
    if hasattr(chunker, "with_cache"):  # the semantic chunker embeds sentences: once per workspace, not per run
        sentence_cache = EmbeddingCache(workspace.embedding_cache_path())
        chunker = chunker.with_cache(sentence_cache)
    report = IngestReport(index=index)
    plan = _plan(library, previous, report)
    # Loading a model takes seconds: a run with nothing to embed never loads it.
    keep_model = embedder_loaded(spec.model, spec.backend)
    embedder = get_embedder(spec.model, spec.backend, workspace.cache_dir / "models") \
        if plan.todo or previous is None else None
    dim = embedder.dim if embedder else previous.dim
    cached = CachedEmbedder(embedder, EmbeddingCache(workspace.embedding_cache_path())) if embedder else None
    with workspace.writer(index, dim) as writer:
        if plan.remove:
            writer.delete_docs(plan.remove)
        if plan.todo and engine == "ray":
            from mcdewey.ray_ingest import run_ray_pipeline

            run_ray_pipeline(library, plan, chunker, cached, writer, report, progress, spec.to_dict(),
                             workspace.cache_dir / "models", ray_address)
        elif plan.todo:
            _run_pipeline(library, plan, chunker, cached, writer, report, progress)
        if cached and not keep_model:  # a model this run loaded is not needed to build the indexes: free it first
            cached.inner = embedder = None
            release_embedder(spec.model, spec.backend)
        tables = writer.finalize(ingest_fts_fields()) if (plan.todo or plan.remove or previous is None) \
            else previous.tables
        if plan.todo or plan.remove or not tables.passages:  # the same passage in other versions
            tables = link_index(writer, tables)[0]
        report.seconds = time.perf_counter() - started
        report.peak_rss_mb = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
        if cached:
            report.embed_seconds = cached.model_seconds
            report.cache_hits, report.cache_misses = cached.hits, cached.misses
            cached.cache.close()
        if sentence_cache is not None:
            sentence_cache.close()
        manifest = _manifest(index, spec, dim, library, plan, tables, report, writer.fts_fields(ingest_fts_fields()))
        writer.commit(manifest)
    report.chunks_total = manifest.counts.chunks
    report.documents = manifest.counts.documents
    report.problems = problems(plan.files)
    return report


def problems(files: dict[str, FileEntry]) -> list[dict]:
    """Every library file that is not in the index, errors first, with why (from the manifest's file entries)."""
    out = [{"path": rel, "kind": "error" if f.status == "error" else "skipped", "reason": f.reason or ""}
           for rel, f in files.items() if not f.indexed]
    return sorted(out, key=lambda p: (p["kind"] != "error", p["path"]))


def _scan(library: Path) -> tuple[list[tuple[str, Path, str]], list[tuple[str, str, str]]]:
    """Candidate documents as (doc_id, path, format) and files left out as (doc_id, status, reason)."""
    scan = scan_library(library)
    check_layout(scan)
    candidates = sorted((doc_id, library / doc_id, fmt) for doc_id, fmt in scan.candidates.items())
    left_out = [(i.path, "skipped", i.reason) for i in scan.skipped] + [(i.path, "error", i.reason) for i in scan.errors]
    return candidates, left_out


def _plan(library: Path, previous: Manifest | None, report: IngestReport) -> _Plan:
    candidates, left_out = _scan(library)
    with ThreadPoolExecutor(max_workers=4) as pool:  # hashing releases the GIL
        fps = list(pool.map(lambda c: _fingerprint(c[1]), candidates))
    gone = [(c, fp) for c, fp in zip(candidates, fps) if fp.startswith("!")]
    left_out += [(c[0], "error", fp[1:]) for c, fp in gone]  # vanished or unreadable since the scan
    kept = [(c, fp) for c, fp in zip(candidates, fps) if not fp.startswith("!")]
    candidates, fps = [c for c, _ in kept], [fp for _, fp in kept]
    old = dict(previous.files) if previous else {}
    files: dict[str, FileEntry] = {}
    todo, remove = [], []
    for (doc_id, path, fmt), fp in zip(candidates, fps):
        entry = old.pop(doc_id, None)
        if entry and entry.fingerprint == fp:  # same bytes: same chunks, or the same reason to skip
            files[doc_id] = entry
            report.unchanged += entry.indexed
            report.skipped += not entry.indexed
            report.errors += entry.status == "error"
            continue
        report.changed += entry is not None
        report.new += entry is None
        if entry and entry.doc_id:
            remove.append(entry.doc_id)
        todo.append((doc_id, path, fp, fmt))
    for doc_id, status, reason in left_out:
        entry = old.pop(doc_id, None)
        if entry and entry.doc_id:
            remove.append(entry.doc_id)
        files[doc_id] = FileEntry("", status, reason)
        report.skipped += 1
        report.errors += status == "error"
        report.skipped_files.append({"path": doc_id, "reason": reason})
    for entry in old.values():  # gone from the library
        report.deleted += entry.indexed
        if entry.doc_id:
            remove.append(entry.doc_id)
    digest = hashlib.sha256()
    for (doc_id, *_), fp in zip(candidates, fps):
        digest.update(f"{doc_id}\0{fp}\n".encode())
    return _Plan(files, todo, sorted(set(remove)), digest.hexdigest())


def _fingerprint(path: Path) -> str:
    """The file's sha256, or "!reason" when it cannot be read any more (deleted since the scan)."""
    try:
        return file_fingerprint(path)
    except FileNotFoundError:
        return "!vanished: deleted after the library was scanned"
    except OSError as exc:
        return f"!cannot read: {exc.strerror or exc}"


def _produce(library: Path, todo: list, chunker, out: queue.Queue, stop: threading.Event) -> None:
    """Read and chunk documents in a thread so the model never waits for the readers."""
    from mcdewey.chunking.segments import chunk_in_segments

    try:
        for doc_id, path, fp, fmt in todo:
            if stop.is_set():
                return
            first = True
            try:
                doc = read_document(library, path, fmt=fmt)
                # A large document goes out in segments: the queue bounds what is held in memory.
                for chunks in chunk_in_segments(chunker, doc):
                    out.put((doc_id, fp, doc, chunks, None) if first else (doc_id, fp, None, chunks, "more"))
                    first = False
            except SkipFile as exc:
                out.put((doc_id, fp, None, [], ("skipped", exc.reason)))
            except ReadError as exc:
                out.put((doc_id, fp, None, [], ("error", exc.reason)))
            except Exception as exc:  # one bad file never stops the library: report it and go on
                problem = ("error", f"{type(exc).__name__}: {exc}")
                out.put((doc_id, fp, None, [], problem) if first else (doc_id, fp, None, [], ("drop", problem)))
    except BaseException as exc:  # surfaces in the consumer instead of dying silently
        out.put(exc)
    finally:
        out.put(None)


def _run_pipeline(library: Path, plan: _Plan, chunker, embedder: CachedEmbedder, writer,
                  report: IngestReport, progress: bool) -> None:
    q: queue.Queue = queue.Queue(maxsize=32)
    stop = threading.Event()
    producer = threading.Thread(target=_produce, args=(library, plan.todo, chunker, q, stop), daemon=True)
    producer.start()
    bars = _Bars(len(plan.todo)) if progress else None
    pending_chunks: list[Chunk] = []
    rows: list[tuple[list[Chunk], np.ndarray]] = []
    docs: list[tuple[Document, str]] = []
    try:
        with bars or nullcontext():
            while (item := q.get()) is not None:
                if isinstance(item, BaseException):
                    raise item
                rel, fp, doc, chunks, problem = item
                if problem == "more":  # the next segment of the document before
                    plan.files[rel] = with_fields(plan.files[rel], chunks=plan.files[rel].chunks + len(chunks))
                    bars and bars.advance("read", 0, extra=len(chunks))
                elif isinstance(problem, tuple) and problem[0] == "drop":  # a later segment failed
                    pending_chunks, rows, docs = _drop(plan.files[rel].doc_id, pending_chunks, rows, docs, writer)
                    plan.files[rel] = FileEntry(fp, "error", problem[1][1])
                    report.errors += 1
                    report.skipped += 1
                else:
                    _record(plan.files, report, rel, fp, doc, chunks, problem)
                    bars and bars.advance("read", 1, extra=len(chunks))
                if doc is not None:
                    docs.append((doc, fp))
                pending_chunks.extend(chunks)
                if len(pending_chunks) >= EMBED_BATCH:
                    rows.append(_embed(pending_chunks, embedder, bars))
                    pending_chunks = []
                if sum(len(c) for c, _ in rows) >= WRITE_BATCH:
                    _write(writer, rows, docs, report, bars)
                    rows, docs = [], []
            if pending_chunks:
                rows.append(_embed(pending_chunks, embedder, bars))
            _write(writer, rows, docs, report, bars)
    finally:
        stop.set()
        while producer.is_alive():  # unblock a producer waiting on a full queue
            try:
                q.get_nowait()
            except queue.Empty:
                producer.join(0.05)


def _drop(doc_id: str, pending: list[Chunk], rows: list, docs: list, writer) -> tuple[list, list, list]:
    """Take back a document whose later segment failed: its queued, embedded and written chunks go."""
    kept = []
    for chunks, vectors in rows:
        keep = [i for i, c in enumerate(chunks) if c.doc_id != doc_id]
        kept.append(([chunks[i] for i in keep], vectors[keep]))
    writer.delete_docs([doc_id])
    return [c for c in pending if c.doc_id != doc_id], kept, [(d, fp) for d, fp in docs if d.doc_id != doc_id]


def _record(files: dict, report: IngestReport, rel: str, fp: str, doc: Document | None, chunks: list[Chunk],
            problem: tuple[str, str] | None) -> None:
    if doc is None:
        files[rel] = FileEntry(fp, problem[0], problem[1])
        report.skipped += 1
        report.errors += problem[0] == "error"
        report.skipped_files.append({"path": rel, "reason": problem[1]})
        return
    files[rel] = FileEntry(fp, "indexed", doc_id=doc.doc_id, vendor=doc.vendor, product=doc.product,
                           version=doc.version, title=doc.title, pages=len({p.page for p in doc.pages}),
                           chunks=len(chunks))


def _embed(chunks: list[Chunk], embedder: CachedEmbedder, bars) -> tuple[list[Chunk], np.ndarray]:
    vectors = embedder.embed_documents([c.embed_text or c.text for c in chunks])
    bars and bars.advance("embedded", len(chunks))
    return chunks, vectors


def _write(writer, rows: list, docs: list, report: IngestReport, bars) -> None:
    if docs:
        writer.add_documents(docs)
    if rows:
        chunks = [c for part, _ in rows for c in part]
        writer.add_chunks(chunks, np.concatenate([v for _, v in rows]))
        report.chunks_added += len(chunks)
        bars and bars.advance("written", len(chunks))


class _Bars:
    """Three rich progress bars: documents read, chunks embedded, rows written."""

    def __init__(self, documents: int):
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        # Progress goes to stderr, so a command's stdout stays its result (the CLI's own consoles do the same).
        self.progress = Progress(TextColumn("{task.description:<16}"), BarColumn(), MofNCompleteColumn(),
                                 TimeElapsedColumn(), console=Console(stderr=True), transient=False)
        self.tasks = {
            "read": self.progress.add_task("documents read", total=documents),
            "embedded": self.progress.add_task("chunks embedded", total=0),
            "written": self.progress.add_task("rows written", total=0),
        }
        self.chunks = 0

    def __enter__(self):
        self.progress.__enter__()
        return self

    def __exit__(self, *exc):
        return self.progress.__exit__(*exc)

    def advance(self, name: str, n: int, extra: int = 0) -> None:
        if extra:  # chunks known so far: the totals of the other two bars grow as documents are read
            self.chunks += extra
            for other in ("embedded", "written"):
                self.progress.update(self.tasks[other], total=self.chunks)
        self.progress.advance(self.tasks[name], n)


def _manifest(index: str, spec: ChunkingSpec, dim: int, library: Path, plan: _Plan, tables: Tables,
              report: IngestReport, fts_fields: tuple[str, ...] = FTS_FIELDS) -> Manifest:
    return Manifest(
        name=index, spec=spec, dim=dim, tables=tables, files=plan.files, counts=Counts.of(plan.files),
        library_path=str(library), library_fingerprint=plan.library_fingerprint,
        built_at=datetime.now(timezone.utc).isoformat(timespec="seconds"), mcdewey_version=mcdewey.__version__,
        # The search defaults of the code that ran: re-running ingest (seconds when nothing changed)
        # brings an index's search up to the measured defaults of docs/retrieval-quality.md.
        search=SearchConfig().to_dict(), fts_fields=tuple(fts_fields),
        versions=version_order(vars(f) for f in plan.files.values() if f.indexed),
        last_ingest={k: v for k, v in report.to_dict().items() if k not in ("skipped_files", "problems")},
    )
