"""The workspace on disk: LanceDB tables of documents and of each index's chunks, and index manifests.

This is the only module that imports lancedb. Readers see an index at the table versions its
manifest commits to, so an ingest that is interrupted half-way never shows through.
"""

from __future__ import annotations

import contextlib
import fcntl
import functools
import json
import os
import re
import threading
import warnings
from collections import OrderedDict
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import lancedb
import numpy as np
import pyarrow as pa

from mcdewey import paths
from mcdewey.manifest import Manifest, Tables
from mcdewey.memtable import MemoryTable
from mcdewey.storage import export_root, is_remote, location, object_index_lock, remove_tree
from mcdewey.models import Chunk, Document, Filters
# The row shapes live in mcdewey.rows; re-exported because benchmarks write tables in them.
from mcdewey.rows import (  # noqa: F401
    _NO_VECTOR, DOCUMENT_SCHEMA, chunk_rows, chunk_schema, document_rows, filters_sql, row_to_chunk,
    row_to_document, sql_str,
)

DOCUMENTS_TABLE = "documents"
TEXTS_KEPT = 64  # documents whose text an Index remembers for passage expansion
# Below this many rows an exact (flat) vector search is faster than an approximate index; see
# docs/performance.md for the measurement.
VECTOR_INDEX_MIN_ROWS = 50_000
FTS_FIELDS = ("text", "search_text")
IDENT_FIELD = "ident_text"


def ingest_fts_fields() -> tuple[str, ...]:
    """The full-text fields an ingest builds: FTS_FIELDS, and ident_text with MCDEWEY_IDENT_FTS=1. The
    identifiers lever did not help dev, faq and TeleQuAD together (docs/retrieval-quality.md), so its index
    (one more full-text build at every ingest) is opt-in; without it the lever analyses the query only."""
    return FTS_FIELDS + ((IDENT_FIELD,) if os.environ.get("MCDEWEY_IDENT_FTS") == "1" else ())
# One row per chunk that shares its passage with chunks of other documents (mcdewey.versions).
PASSAGES_SCHEMA = pa.schema([("chunk_id", pa.string()), ("group", pa.int32()), ("doc_id", pa.string()),
                             ("version", pa.string()), ("doc_chunks", pa.int32())])
_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


class UnknownIndex(LookupError):
    """Raised when an index name has no committed manifest in the workspace."""


class IndexBusy(RuntimeError):
    """Raised when another process is ingesting into the same index."""


def has_table(db_path: Path, name: str) -> bool:
    # A directory check: LanceDB's table listing is paged and deprecated in its old form.
    return (location(db_path) / f"{name}.lance").is_dir()


def write_json_atomic(path: Path, data: dict) -> None:
    """Write JSON so that a reader sees either the old file or the new one, never half of either."""
    if is_remote(path):  # one PUT replaces an object whole
        path.write_text(json.dumps(data, indent=2, sort_keys=False))
        return
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(tmp, "w") as f:
        json.dump(data, f, indent=2, sort_keys=False)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


class Index:
    """A committed index, read-only: chunks with vectors, the documents they cite, and the manifest."""

    def __init__(self, name: str, manifest: Manifest, db_path: Path, chunk_table: str, cache_dir: Path | None = None):
        self.name = name
        self.manifest = manifest
        self.db_path = db_path
        self._db = lancedb.connect(str(db_path))
        self._chunks = self._db.open_table(chunk_table)
        version = manifest.tables.chunks_version
        if version is not None:
            self._chunks.checkout(version)
        self._documents = self._db.open_table(DOCUMENTS_TABLE) if has_table(db_path, DOCUMENTS_TABLE) else None
        self._files_by_doc = {f.doc_id: f for f in manifest.files.values() if f.doc_id}
        self._cache_dir = cache_dir
        self._lock = threading.Lock()
        self._has_ann: bool | None = None
        self._memory: MemoryTable | None = None
        self._passages = None
        self._texts: OrderedDict[str, str] = OrderedDict()  # document_texts' last TEXTS_KEPT
        self._all_texts: dict[str, str] | None = None  # every document's text, below VECTOR_INDEX_MIN_ROWS

    @property
    def dim(self) -> int:
        return self.manifest.dim

    def embedder(self):
        """The embedder queries must use: the model and backend the chunks were embedded with."""
        from mcdewey.embeddings import get_embedder

        return get_embedder(self.manifest.model, self.manifest.backend, self._cache_dir)

    def count(self) -> int:
        return self._chunks.count_rows()

    def _rows(self, where: str, limit: int | None = None) -> list[dict]:
        q = self._chunks.search().where(where).select(_NO_VECTOR)
        q = q.limit(limit) if limit else q.limit(None)
        return q.to_arrow().to_pylist()

    def get_chunk(self, chunk_id: str) -> Chunk | None:
        if not self.has_vector_index():
            row = self._memory_table().get(chunk_id)
            return row_to_chunk(row) if row else None
        rows = self._rows(f"chunk_id = {sql_str(chunk_id)}", 1)
        return row_to_chunk(rows[0]) if rows else None

    def doc_chunks(self, doc_id: str) -> list[Chunk]:
        if not self.has_vector_index():
            return [row_to_chunk(r) for r in self._memory_table().doc_rows(doc_id)]
        rows = self._rows(f"doc_id = {sql_str(doc_id)}")
        return [row_to_chunk(r) for r in sorted(rows, key=lambda r: r["ord"])]

    def neighbours(self, chunk_id: str, before: int = 1, after: int = 1) -> list[Chunk]:
        """The chunk with up to `before` chunks ahead of it and `after` behind it, same document, in order."""
        if not self.has_vector_index():
            return [row_to_chunk(r) for r in self._memory_table().neighbour_rows(chunk_id, before, after)]
        rows = self._rows(f"chunk_id = {sql_str(chunk_id)}", 1)
        if not rows:
            return []
        doc_id, ord_ = rows[0]["doc_id"], rows[0]["ord"]
        near = self._rows(f"doc_id = {sql_str(doc_id)} AND ord >= {ord_ - max(before, 0)} "
                          f"AND ord <= {ord_ + max(after, 0)}")
        return [row_to_chunk(r) for r in sorted(near, key=lambda r: r["ord"])]

    @functools.lru_cache(maxsize=64)  # a reader paging through one document asks again and again
    def get_document(self, doc_id: str) -> Document | None:
        """The normalized document as this index read it (the fingerprint its chunks came from)."""
        info = self._files_by_doc.get(doc_id)
        if info is None or self._documents is None:
            return None
        rows = (self._documents.search()
                .where(f"doc_id = {sql_str(doc_id)} AND fingerprint = {sql_str(info.fingerprint)}")
                .limit(1).to_arrow().to_pylist())
        return row_to_document(rows[0]) if rows else None

    def document_texts(self, doc_ids) -> dict[str, str]:
        """The text of each of these documents as this index read it (passage expansion needs the text
        between a passage's chunks). A small index holds every text in memory, as it holds its chunks; a
        large one fetches those not remembered in one query of the text column alone and remembers the
        last TEXTS_KEPT."""
        doc_ids, texts = list(dict.fromkeys(doc_ids)), {}
        if not self.has_vector_index():  # a small index is held in memory whole, its documents' texts too
            held = self._memory_texts()
            return {d: held[d] for d in doc_ids if d in held}
        with self._lock:
            for doc_id in doc_ids:
                if doc_id in self._texts:
                    self._texts.move_to_end(doc_id)
                    texts[doc_id] = self._texts[doc_id]
        missing = {d: self._files_by_doc[d].fingerprint for d in doc_ids
                   if d not in texts and d in self._files_by_doc}
        if not missing or self._documents is None:
            return texts
        where = " OR ".join(f"(doc_id = {sql_str(d)} AND fingerprint = {sql_str(fp)})" for d, fp in missing.items())
        rows = self._documents.search().where(where).select(["doc_id", "text"]).limit(None).to_arrow()
        fetched = dict(zip(rows["doc_id"].to_pylist(), rows["text"].to_pylist()))
        with self._lock:
            for doc_id, text in fetched.items():
                self._texts[doc_id] = text
            while len(self._texts) > TEXTS_KEPT:
                self._texts.popitem(last=False)
        return texts | fetched

    def _memory_texts(self) -> dict[str, str]:
        with self._lock:
            if self._all_texts is None:
                table = self.documents_arrow()
                self._all_texts = {} if table is None else dict(zip(table["doc_id"].to_pylist(),
                                                                      table["text"].to_pylist()))
            return self._all_texts

    def forget_documents(self) -> None:
        """Drop every remembered document and text (a latency measurement times first-time searches)."""
        self.get_document.cache_clear()
        with self._lock:
            self._texts.clear()

    def library_summary(self) -> list[dict]:
        """Vendor, product and version with their documents, pages and chunks counted."""
        return [dict(g) for g in self._summary]

    @functools.cached_property
    def _summary(self) -> tuple[dict, ...]:
        """Counted once per Index (its manifest never changes): every search reads the catalog."""
        groups: dict[tuple, dict] = {}
        for f in self.manifest.indexed_files().values():
            key = (f.vendor, f.product, f.version)
            g = groups.setdefault(key, {"vendor": key[0], "product": key[1], "version": key[2],
                                        "documents": 0, "pages": 0, "chunks": 0})
            g["documents"] += 1
            g["pages"] += f.pages
            g["chunks"] += f.chunks
        return tuple(groups[k] for k in sorted(groups))

    # The two rankings search.py fuses, as (chunk_id, score): both prefiltered so filtered queries
    # still fill k. Rows are fetched afterwards, for the final k only.
    def vector_ranking(self, vector: np.ndarray, k: int, filters: Filters | None, config) -> list[tuple[str, float]]:
        """Chunk ids nearest to `vector` with cosine similarity; exact in memory unless the table has an ANN index."""
        if not self.has_vector_index():
            return self._memory_table().nearest(vector, k, filters)
        q = self._chunks.search(vector, vector_column_name="vector").distance_type("cosine")
        if config.nprobes:
            q = q.nprobes(config.nprobes)
        if config.refine_factor:
            q = q.refine_factor(config.refine_factor)
        if filters:
            q = q.where(filters_sql(filters), prefilter=True)
        table = q.limit(k).select(["chunk_id", "_distance"]).to_arrow()
        return [(cid, 1.0 - d) for cid, d in zip(table["chunk_id"].to_pylist(), table["_distance"].to_pylist())]

    def keyword_ranking(self, text: str, k: int, filters: Filters | None, field: str = "text") -> list[tuple[str, float]]:
        """Chunk ids ranked by BM25 (LanceDB's full-text index on `field`) with their scores."""
        q = self._chunks.search(text, query_type="fts", fts_columns=field)
        if filters:
            q = q.where(filters_sql(filters), prefilter=True)
        table = q.limit(k).select(["chunk_id", "_score"]).to_arrow()
        return list(zip(table["chunk_id"].to_pylist(), table["_score"].to_pylist()))

    def chunks(self, chunk_ids: list[str]) -> dict[str, Chunk]:
        """The chunks with these ids (unknown ids are left out)."""
        if not chunk_ids:
            return {}
        if not self.has_vector_index():
            rows = self._memory_table().rows_of(chunk_ids)
        else:
            rows = self._rows(f"chunk_id IN ({', '.join(sql_str(c) for c in chunk_ids)})", len(chunk_ids))
        return {r["chunk_id"]: row_to_chunk(r) for r in rows}

    def passages(self):
        """The passage groups linked at ingest (mcdewey.versions.PassageGroups; empty for older indexes)."""
        from mcdewey.versions import PassageGroups

        with self._lock:
            if self._passages is None:
                table = self.passages_arrow()
                self._passages = PassageGroups(table.to_pylist() if table is not None else [])
            return self._passages

    def passages_arrow(self) -> pa.Table | None:
        """The committed passages table (export), or None when the index has none."""
        tables = self.manifest.tables
        if not tables.passages or not has_table(self.db_path, tables.passages):
            return None
        table = self._db.open_table(tables.passages)
        if tables.passages_version is not None:
            table.checkout(tables.passages_version)
        return table.to_arrow()

    def has_vector_index(self) -> bool:
        if self._has_ann is None:
            self._has_ann = any(i.index_type.upper().startswith(("IVF", "HNSW")) for i in self._chunks.list_indices())
        return self._has_ann

    def _memory_table(self) -> "MemoryTable":
        with self._lock:
            if self._memory is None:
                table = self._chunks.to_arrow()
                self._memory = MemoryTable(table.drop_columns([c for c in ("search_text", "ident_text")
                                                               if c in table.column_names]), self.dim)
            return self._memory

    def prewarm(self, fields: tuple[str, ...] | None = None) -> dict[str, float]:
        """Load now what a first search would load (server start): the in-memory table with its documents'
        texts, or the table's vector and scalar indexes; the full-text index of each field (one query each reads its files);
        the passage groups. Returns the seconds each step took."""
        import time

        took: dict[str, float] = {}
        start = time.perf_counter()
        if self.has_vector_index():
            for info in self._chunks.list_indices():
                self._chunks.prewarm_index(info.name)
            probe = np.full(self.dim, 1.0 / np.sqrt(self.dim), dtype=np.float32)
            (self._chunks.search(probe, vector_column_name="vector").distance_type("cosine")
             .limit(10).select(["chunk_id"]).to_arrow())
        else:
            self._memory_table()
            self._memory_texts()
        took["vectors"], start = time.perf_counter() - start, time.perf_counter()
        for field in fields or self.manifest.fts_fields or FTS_FIELDS:
            try:
                self.keyword_ranking("the warm up", 10, None, field)
            except Exception:  # an older index without an FTS index on this field: nothing to load
                pass
        took["fts"], start = time.perf_counter() - start, time.perf_counter()
        self.passages()
        took["passages"] = time.perf_counter() - start
        return took

    def arrow(self, columns: list[str] | None = None) -> pa.Table:
        """The whole committed chunk table (export, benchmarks)."""
        return self._chunks.to_arrow() if columns is None else self._chunks.to_arrow().select(columns)

    def documents_arrow(self) -> pa.Table | None:
        """The documents this index cites, at the fingerprints it read."""
        if self._documents is None:
            return None
        wanted = {(d, f.fingerprint) for d, f in self._files_by_doc.items()}
        table = self._documents.to_arrow()
        keep = [(d, fp) in wanted for d, fp in zip(table["doc_id"].to_pylist(), table["fingerprint"].to_pylist())]
        table = table.filter(pa.array(keep, type=pa.bool_()))
        # A document read twice (two interrupted runs) may appear twice; keep one row per doc.
        seen: set[str] = set()
        first = []
        for d in table["doc_id"].to_pylist():
            first.append(d not in seen)
            seen.add(d)
        return table.filter(pa.array(first, type=pa.bool_()))


class Workspace:
    """A McDewey home folder: `lancedb/` tables, `indexes/<name>/manifest.json`, `cache/`."""

    def __init__(self, home: Path | str | None = None):
        self.home = paths.home(home)
        self.db_path = self.home / "lancedb"
        self._db = None
        self._open: dict[str, tuple[float, Index]] = {}

    @property
    def db(self):
        if self._db is None:
            self.db_path.mkdir(parents=True, exist_ok=True)
            self._db = lancedb.connect(str(self.db_path))
        return self._db

    def index_dir(self, name: str) -> Path:
        if not _NAME_RE.match(name):
            raise ValueError(f"invalid index name {name!r}: use letters, digits, '-', '_' or '.'")
        return self.home / "indexes" / name

    def manifest_path(self, name: str) -> Path:
        return self.index_dir(name) / "manifest.json"

    def index_names(self) -> list[str]:
        root = self.home / "indexes"
        return sorted(p.parent.name for p in root.glob("*/manifest.json")) if root.is_dir() else []

    def read_manifest(self, name: str) -> Manifest | None:
        path = self.manifest_path(name)
        return Manifest.read(path) if path.exists() else None

    def open_index(self, name: str) -> Index:
        """The committed index `name`; reopened only when its manifest changed (a new ingest committed)."""
        path = self.manifest_path(name)
        if not path.exists():
            known = ", ".join(self.index_names()) or "none yet"
            raise UnknownIndex(f"no index named {name!r} in {self.home} (existing: {known}); "
                               f"build it with `mcdewey ingest LIBRARY --index {name}`")
        mtime = path.stat().st_mtime_ns
        cached = self._open.get(name)
        if cached and cached[0] == mtime:
            return cached[1]
        manifest = Manifest.read(path)
        index = Index(name, manifest, self.db_path, manifest.chunk_table, paths.model_cache(self.home))
        self._open[name] = (mtime, index)
        return index

    def delete_index(self, name: str) -> None:
        """Remove an index: its chunk table and its folder (documents stay, other indexes may cite them)."""
        folder = self.index_dir(name)
        if not folder.is_dir():
            raise UnknownIndex(f"no index named {name!r} in {self.home}")
        with index_lock(folder, name):
            # The manifest goes first: from then on no reader opens it and an ingest starts over.
            self.manifest_path(name).unlink(missing_ok=True)
            for table in (f"chunks__{name}", f"passages__{name}"):
                if has_table(self.db_path, table):
                    self.db.drop_table(table)
        remove_tree(folder)
        self._open.pop(name, None)

    @property
    def cache_dir(self) -> Path:
        """Embedding and model caches: always local (mcdewey.paths.cache_dir)."""
        return paths.cache_dir(self.home)

    def embedding_cache_path(self) -> Path:
        return paths.embedding_cache(self.home)

    def writer(self, name: str, dim: int) -> "IndexWriter":
        return IndexWriter(self, name, dim)


@contextlib.contextmanager
def index_lock(folder: Path, name: str):
    """Exclusive, non-blocking: one process at a time changes an index (the OS frees it if the process dies)."""
    if is_remote(folder):  # no flock on object storage: an expiring lease object (mcdewey.storage)
        with object_index_lock(folder, name, IndexBusy) as lease:
            yield lease
        return
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / ".lock", "w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise IndexBusy(f"another process is changing index {name!r}; wait for it to finish") from None
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


class IndexWriter:
    """Writes one index's chunk table and the shared documents table; commits via the manifest."""

    def __init__(self, workspace: Workspace, name: str, dim: int):
        self.ws = workspace
        self.name = name
        self.dim = dim
        self.table_name = f"chunks__{name}"
        self.dir = workspace.index_dir(name)
        self.dir.mkdir(parents=True, exist_ok=True)
        self._lock = None
        self._lease = None  # the object-storage lease while open (None on local disk)
        self.table = None
        self.documents = None

    def __enter__(self) -> "IndexWriter":
        self._lock = index_lock(self.dir, self.name)
        self._lease = self._lock.__enter__()
        try:
            self._recover()
        except BaseException:
            self._lock.__exit__(None, None, None)
            raise
        return self

    def __exit__(self, *exc) -> None:
        self._lock.__exit__(*exc)

    def _recover(self) -> None:
        """Undo whatever an interrupted run wrote after the last committed version."""
        db = self.ws.db
        manifest = self.ws.read_manifest(self.name)
        committed = manifest.tables.chunks_version if manifest else None
        if has_table(self.ws.db_path, self.table_name) and committed is None:
            db.drop_table(self.table_name)  # never committed: start over
        if has_table(self.ws.db_path, self.table_name):
            self.table = db.open_table(self.table_name)
            if self.table.version != committed:
                self.table.restore(committed)
        else:
            self.table = db.create_table(self.table_name, schema=chunk_schema(self.dim))
        if not has_table(self.ws.db_path, DOCUMENTS_TABLE):
            try:
                db.create_table(DOCUMENTS_TABLE, schema=DOCUMENT_SCHEMA)
            except ValueError:
                pass  # another ingest created it meanwhile
        self.documents = db.open_table(DOCUMENTS_TABLE)

    def delete_docs(self, doc_ids: list[str]) -> None:
        for i in range(0, len(doc_ids), 200):
            part = doc_ids[i : i + 200]
            self.table.delete(f"doc_id IN ({', '.join(sql_str(d) for d in part)})")

    def add_chunks(self, chunks: list[Chunk], vectors: np.ndarray) -> None:
        if chunks:
            rows = chunk_rows(chunks, vectors, self.dim)
            # A table built before a column existed (ident_text) keeps its schema: the new column is left out.
            self.table.add(rows.drop_columns([c for c in rows.column_names if c not in self.table.schema.names]))

    def add_documents(self, docs: list[tuple[Document, str]]) -> None:
        """Store documents not stored yet; rows are immutable per (doc_id, fingerprint), shared by indexes."""
        if not docs:
            return
        fps = sorted({fp for _, fp in docs})
        have = set()
        for i in range(0, len(fps), 200):
            part = fps[i : i + 200]
            rows = (self.documents.search().where(f"fingerprint IN ({', '.join(sql_str(f) for f in part)})")
                    .select(["doc_id", "fingerprint"]).limit(None).to_arrow().to_pylist())
            have.update((r["doc_id"], r["fingerprint"]) for r in rows)
        new = [(d, fp) for d, fp in docs if (d.doc_id, fp) not in have]
        if new:
            self.documents.add(document_rows(new))

    def finalize(self, fts_fields: tuple[str, ...] = FTS_FIELDS) -> Tables:
        """Compact, (re)build the indexes, and return the table versions to commit."""
        build_indexes(self.table, self.fts_fields(fts_fields))
        return Tables(self.table_name, self.table.version)

    def fts_fields(self, wanted: tuple[str, ...]) -> tuple[str, ...]:
        """The full-text fields of `wanted` this index's table has (older tables lack ident_text)."""
        return tuple(f for f in wanted if f in self.table.schema.names)

    def chunk_meta(self, batch_rows: int = 4096) -> pa.RecordBatchReader:
        """Batches of chunk_id, doc_id, product, version, text and ord of every chunk written so far
        (passage linking), read a batch at a time."""
        cols = ["chunk_id", "doc_id", "product", "version", "text", "ord"]
        return self.table.search().select(cols).limit(None).to_batches(batch_rows)

    def chunk_texts(self, doc_ids: set[str]) -> dict[str, str]:
        """{chunk_id: text} of the chunks of `doc_ids`."""
        out: dict[str, str] = {}
        ids = sorted(doc_ids)
        for i in range(0, len(ids), 200):
            part = (self.table.search().where(f"doc_id IN ({', '.join(sql_str(d) for d in ids[i:i + 200])})")
                    .select(["chunk_id", "text"]).limit(None).to_arrow())
            out.update(zip(part["chunk_id"].to_pylist(), part["text"].to_pylist()))
        return out

    def write_passages(self, rows: list[dict], tables: Tables) -> Tables:
        """Replace this index's passage groups; returns `tables` with the passages table to commit to."""
        name = f"passages__{self.name}"
        table = self.ws.db.create_table(name, pa.Table.from_pylist(rows, schema=PASSAGES_SCHEMA), mode="overwrite")
        return replace(tables, passages=name, passages_version=table.version)

    def commit(self, manifest: Manifest) -> None:
        if getattr(self._lease, "lost", False):
            raise IndexBusy(f"the writer lease on index {self.name!r} expired and another writer took it; "
                            "nothing was committed, run the ingest again")
        write_json_atomic(self.dir / "manifest.json", manifest.to_dict())


def build_indexes(table, fts_fields: tuple[str, ...] = FTS_FIELDS) -> None:
    """Compact small appends, then full-text, scalar and (for big tables) vector indexes."""
    if len(table.list_versions()) > 2:
        table.optimize(cleanup_older_than=timedelta(days=7))
    rows = table.count_rows()
    for field in fts_fields:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # create_fts_index is deprecated in name only; it still works
            table.create_fts_index(field, replace=True, use_tantivy=False)
    if rows == 0:
        return
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for col in ("chunk_id", "doc_id"):
            table.create_scalar_index(col, index_type="BTREE", replace=True)
        for col in ("vendor", "product", "version"):
            table.create_scalar_index(col, index_type="BITMAP", replace=True)
    if rows >= VECTOR_INDEX_MIN_ROWS:
        from lancedb.index import IvfHnswSq

        table.create_index("vector", config=IvfHnswSq(distance_type="cosine", num_partitions=max(1, rows // 100_000)),
                           replace=True)


def open_index(path: Path) -> Index:
    """Open an exported index folder (see mcdewey.export) without the library or a workspace."""
    path = location(path)
    root = export_root(path)
    if not is_remote(path) and not root.resolve().is_relative_to(path.resolve()):
        raise UnknownIndex(f"{path / 'current'} points to {root}, outside the export folder {path}: not served")
    manifest_file = root / "manifest.json"
    if not manifest_file.exists():
        raise UnknownIndex(f"{path} is not an exported index (no manifest.json); "
                           f"create one with `mcdewey export --index NAME --to {path}`")
    manifest = Manifest.read(manifest_file)
    # Non-torch backends build model files once; an export may be read-only, so they go to the workspace's cache.
    cache = paths.model_cache()
    return Index(manifest.name or root.name, manifest, root / "lancedb", manifest.chunk_table, cache)


def create_export_tables(db_path: Path, chunks: pa.Table, documents: pa.Table | None,
                         fts_fields: tuple[str, ...] = FTS_FIELDS, passages: pa.Table | None = None) -> int:
    """Write an export's LanceDB tables and build their indexes; returns the chunk table version."""
    db = lancedb.connect(str(db_path))
    if passages is not None:
        db.create_table("passages", passages)
    table = db.create_table("chunks", chunks)
    build_indexes(table, fts_fields)
    db.create_table(DOCUMENTS_TABLE, documents if documents is not None else DOCUMENT_SCHEMA.empty_table())
    return table.version
