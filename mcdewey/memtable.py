"""A committed chunk table held in memory: exact vector search and chunk look-ups in microseconds.

For tables below `store.VECTOR_INDEX_MIN_ROWS` one matrix product beats LanceDB's flat scan (which
reads the vector column on every query) and is exact, so recall is 1 by construction.
"""

from __future__ import annotations

import functools

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from mcdewey.models import Filters


@functools.cache
def _blas_controller():
    from threadpoolctl import ThreadpoolController

    return ThreadpoolController()


class MemoryTable:
    """Chunk rows sorted by (doc_id, ord), their vectors as one float32 matrix, and look-up maps."""

    def __init__(self, table: pa.Table, dim: int):
        order = pc.sort_indices(table, sort_keys=[("doc_id", "ascending"), ("ord", "ascending")])
        table = table.take(order)
        vectors = table.column("vector").combine_chunks()
        self.matrix = np.ascontiguousarray(vectors.values.to_numpy(zero_copy_only=False).reshape(-1, dim))
        self.meta = table.drop_columns(["vector"]).combine_chunks()  # one chunk: take() stays fast
        self.ids = self.meta.column("chunk_id").to_pylist()
        self.positions = {cid: i for i, cid in enumerate(self.ids)}
        self.doc_spans: dict[str, tuple[int, int]] = {}
        for i, doc_id in enumerate(self.meta.column("doc_id").to_pylist()):
            start = self.doc_spans.get(doc_id, (i, i))[0]
            self.doc_spans[doc_id] = (start, i + 1)
        self._masks: dict[Filters, np.ndarray] = {}

    def rows(self, start: int, end: int) -> list[dict]:
        return self.meta.slice(start, end - start).to_pylist()

    def get(self, chunk_id: str) -> dict | None:
        pos = self.positions.get(chunk_id)
        return None if pos is None else self.rows(pos, pos + 1)[0]

    def rows_of(self, chunk_ids: list[str]) -> list[dict]:
        found = [self.positions[c] for c in chunk_ids if c in self.positions]
        return self.meta.take(pa.array(found, type=pa.int64())).to_pylist()

    def doc_rows(self, doc_id: str) -> list[dict]:
        start, end = self.doc_spans.get(doc_id, (0, 0))
        return self.rows(start, end)

    def neighbour_rows(self, chunk_id: str, before: int, after: int) -> list[dict]:
        pos = self.positions.get(chunk_id)
        if pos is None:
            return []
        start, end = self.doc_spans[self.meta.column("doc_id")[pos].as_py()]
        return self.rows(max(start, pos - max(before, 0)), min(end, pos + max(after, 0) + 1))

    def mask(self, filters: Filters) -> np.ndarray:
        if filters not in self._masks:
            keep = pa.array(np.ones(self.meta.num_rows, dtype=bool))
            for col in ("vendor", "product", "version"):
                if getattr(filters, col):
                    keep = pc.and_(keep, pc.equal(self.meta.column(col), getattr(filters, col)))
            if filters.doc_prefix:
                keep = pc.and_(keep, pc.starts_with(self.meta.column("doc_id"), filters.doc_prefix))
            if len(self._masks) > 256:
                self._masks.clear()
            self._masks[filters] = np.asarray(pc.fill_null(keep, False).to_numpy(zero_copy_only=False), dtype=bool)
        return self._masks[filters]

    def nearest(self, vector: np.ndarray, k: int, filters: Filters | None) -> list[tuple[str, float]]:
        """The k chunk ids of highest cosine similarity (vectors are normalized), with the similarity."""
        # One BLAS thread: a matrix-vector product gains nothing from threads, and on a busy 2-core
        # machine they made it several times slower (contention), see docs/performance.md.
        with _blas_controller().limit(limits=1, user_api="blas"):
            scores = self.matrix @ np.asarray(vector, dtype=np.float32)
        if filters:
            scores = np.where(self.mask(filters), scores, -np.inf)
        k = min(k, int(np.isfinite(scores).sum()))
        if k <= 0:
            return []
        top = np.argpartition(-scores, k - 1)[:k]
        top = top[np.argsort(-scores[top], kind="stable")]
        return [(self.ids[i], float(scores[i])) for i in top]
