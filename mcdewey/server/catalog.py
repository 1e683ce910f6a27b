"""The served index behind one front: input limits, lookups that fail clearly, and a cap on parallel searches."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, Protocol, TypeVar

import anyio.to_thread
from anyio import CapacityLimiter

from mcdewey.compare import Comparison, CompareError, compare
from mcdewey.manifest import Manifest
from mcdewey.vocabulary import MODES
from mcdewey.models import Chunk, Document, Filters, Hit
from mcdewey.server.views import (
    ChunkView,
    ContextResult,
    LibraryResult,
    Links,
    SearchResult,
    chunk_view,
    hit_view,
    library_result,
)
from mcdewey.versions import UnknownVersion, index_versions, resolve_filters

MAX_QUERY_CHARS = 1000
MAX_LIMIT = 50
MAX_NEIGHBOURS = 10
# Longest facet value accepted; real vendor/product/version names are a few dozen characters.
MAX_FACET_CHARS = 200

T = TypeVar("T")


class IndexLike(Protocol):
    """What the server needs of mcdewey.store.Index."""

    manifest: Manifest

    def get_chunk(self, chunk_id: str) -> Chunk | None: ...
    def neighbours(self, chunk_id: str, before: int = 1, after: int = 1) -> list[Chunk]: ...
    def doc_chunks(self, doc_id: str) -> list[Chunk]: ...
    def get_document(self, doc_id: str) -> Document | None: ...
    def library_summary(self) -> list[dict]: ...
    def passages(self): ...


SearchFn = Callable[[IndexLike, str, int, str, Filters | None], list[Hit]]


class CatalogError(ValueError):
    """A request the catalog refuses; `status` is the HTTP status the web layer answers with."""

    status = 400


class NotFound(CatalogError):
    status = 404


class Catalog:
    """Read-only access to an exported index for the MCP tools, the JSON API and the pages."""

    def __init__(self, index: IndexLike, search_fn: SearchFn, links: Links, max_parallel: int = 2,
                 batch_window: float = 0.0):
        self.index = index
        self.batch_window = batch_window  # seconds concurrent query embeddings wait for each other (0 = off)
        self._search = search_fn
        self.links = links
        # Searches are CPU-bound (query embedding, ranking); more in flight than cores only adds queueing jitter.
        self.limiter = CapacityLimiter(max_parallel)
        self._library: LibraryResult | None = None
        self._library_of: dict | None = None  # the manifest the summary was made from

    async def run(self, fn: Callable[..., T], *args: Any) -> T:
        """Run a blocking catalog call off the event loop, within the parallelism cap."""
        return await anyio.to_thread.run_sync(fn, *args, limiter=self.limiter)

    def warm(self) -> dict[str, float]:
        """Load the query embedder, the vector and full-text indexes and the library summary now, so the
        first searches do not pay for them; turns query batching on. Returns seconds per step."""
        start = time.perf_counter()
        embedder = getattr(self.index, "embedder", None)
        if embedder is not None:
            model = embedder()
            if hasattr(model, "batch_queries"):
                model.batch_queries(self.batch_window)
            model.embed_queries(["warm up"])
        took = {"model": time.perf_counter() - start}
        prewarm = getattr(self.index, "prewarm", None)
        if prewarm is not None:
            took.update(prewarm())
        start = time.perf_counter()
        for mode in MODES:  # whatever the index loads lazily on a first search of each mode
            self._search(self.index, "warm up query", 5, mode, None)
        self.library()
        took["first_searches"] = time.perf_counter() - start
        return took

    def search(self, query: str, vendor: str | None = None, product: str | None = None,
               version: str | None = None, limit: int = 5, mode: str = "hybrid") -> SearchResult:
        query = (query or "").strip()
        if not query:
            raise CatalogError("query is empty")
        if len(query) > MAX_QUERY_CHARS:
            raise CatalogError(f"query is {len(query)} characters; the limit is {MAX_QUERY_CHARS}")
        if not 1 <= limit <= MAX_LIMIT:
            raise CatalogError(f"limit must be between 1 and {MAX_LIMIT}, got {limit}")
        if mode not in MODES:
            raise CatalogError(f"mode must be one of {', '.join(MODES)}, got {mode!r}")
        facets = {"vendor": vendor or None, "product": product or None, "version": version or None}
        if any(v and len(v) > MAX_FACET_CHARS for v in facets.values()):
            raise CatalogError(f"a filter value is longer than {MAX_FACET_CHARS} characters")
        filters = Filters(**facets)
        try:
            _, latest = resolve_filters(self.index, filters)
            hits = self._search(self.index, query, limit, mode, None if filters.is_empty() else filters)
        except UnknownVersion as exc:
            raise CatalogError(str(exc)) from None
        return SearchResult(
            query=query, mode=mode, filters={k: v for k, v in facets.items() if v},
            hits=[hit_view(h, self.links) for h in hits], resolved_versions=latest,
        )

    def compare(self, product: str, from_version: str, to_version: str, query: str | None = None,
                doc: str | None = None, limit: int = 10) -> Comparison:
        """Sections of `product` same / changed / added / removed between two versions (mcdewey.compare)."""
        if not product or not from_version or not to_version:
            raise CatalogError("product, from and to are all needed (see list_library for the names)")
        if any(v and len(v) > MAX_FACET_CHARS for v in (product, from_version, to_version, doc)):
            raise CatalogError(f"a value is longer than {MAX_FACET_CHARS} characters")
        if query and len(query) > MAX_QUERY_CHARS:
            raise CatalogError(f"query is {len(query)} characters; the limit is {MAX_QUERY_CHARS}")
        if not 1 <= limit <= MAX_LIMIT:
            raise CatalogError(f"limit must be between 1 and {MAX_LIMIT}, got {limit}")
        try:
            return compare(self.index, product, from_version, to_version, query=(query or "").strip() or None,
                           doc=doc or None, limit=limit)
        except (UnknownVersion, CompareError) as exc:
            raise CatalogError(str(exc)) from None

    def chunk(self, chunk_id: str) -> Chunk:
        chunk = self.index.get_chunk(chunk_id) if chunk_id and len(chunk_id) <= 1000 else None
        if chunk is None:
            raise NotFound(
                f"unknown chunk_id {chunk_id!r}: chunk_ids come from search_docs results and look like "
                "'product::version::folder::document::N'"
            )
        return chunk

    def chunk_view(self, chunk_id: str) -> ChunkView:
        return chunk_view(self.chunk(chunk_id), self.links)

    def context(self, chunk_id: str, before: int = 1, after: int = 1) -> ContextResult:
        if not (0 <= before <= MAX_NEIGHBOURS and 0 <= after <= MAX_NEIGHBOURS):
            raise CatalogError(f"before and after must be between 0 and {MAX_NEIGHBOURS}")
        chunk = self.chunk(chunk_id)
        near = self.index.neighbours(chunk_id, before, after) or [chunk]
        return ContextResult(chunk_id=chunk_id, doc_id=chunk.doc_id,
                             chunks=[chunk_view(c, self.links) for c in near])

    def neighbours(self, chunk_id: str, before: int, after: int) -> list[Chunk]:
        return self.index.neighbours(chunk_id, before, after) or [self.chunk(chunk_id)]

    def document(self, doc_id: str) -> Document:
        doc = self.index.get_document(doc_id) if doc_id and len(doc_id) <= 1000 else None
        if doc is None:
            raise NotFound(f"unknown document {doc_id!r}: doc_ids are the `doc_id` of search hits")
        return doc

    def library(self) -> LibraryResult:
        # An export version is read-only: its summary changes only when a re-export is switched to.
        manifest = self.index.manifest
        if self._library is None or self._library_of is not manifest:
            self._library = library_result(self.index.library_summary(), index_versions(self.index))
            self._library_of = manifest
        return self._library

    def summary(self) -> dict:
        """How the index was built, and what it holds: what /healthz reports (no file-system paths)."""
        lib = self.library()
        out = self.index.manifest.public()
        out["counts"] = {"documents": lib.documents, "pages": lib.pages, "chunks": lib.chunks,
                         "vendors": len(lib.vendors)}
        return out
