"""Helpers of the evaluation tests: hand-built documents, an in-memory index, a scripted search."""

from __future__ import annotations

from dataclasses import dataclass

from mcdewey.models import Chunk, Document, Hit

TEXT_A = ("# Relay\n\nRelay server handles all the read-only requests on its own. "
          "It forwards the transactions that modify the database to the relay source.\n\n"
          "# Zones\n\nA zone is an independent connection tracking context set by a ct action.\n")
TEXT_B = ("# Logs\n\nThe agent-log.txt file is saved to your browser's default directory. "
          "Logs older than a week are removed.\n")


def make_doc(doc_id: str, text: str) -> Document:
    vendor, product, version = doc_id.split("/")[:3]
    return Document(doc_id=doc_id, vendor=vendor, product=product, version=version, title=doc_id,
                    text=text, format="markdown")


def make_chunks(doc: Document, size: int) -> list[Chunk]:
    """Consecutive chunks of `size` characters (an honest stand-in for a chunker)."""
    out = []
    for n, start in enumerate(range(0, len(doc.text), size)):
        end = min(len(doc.text), start + size)
        out.append(Chunk(chunk_id=f"{doc.chunk_id_prefix}::{n}", doc_id=doc.doc_id, vendor=doc.vendor,
                         product=doc.product, version=doc.version, title=doc.title, start=start, end=end,
                         page_start=None, page_end=None, page_label_start=None, page_label_end=None,
                         section=(), text=doc.text[start:end], tokens=(end - start) // 4, ord=n))
    return out


@dataclass
class MemoryIndex:
    """Just enough of store.Index for the runner: documents, chunks, a manifest."""

    name: str
    docs: dict[str, Document]
    chunks: dict[str, list[Chunk]]
    manifest: object = None  # a mcdewey.manifest.Manifest

    def get_document(self, doc_id: str) -> Document | None:
        return self.docs.get(doc_id)

    def doc_chunks(self, doc_id: str) -> list[Chunk]:
        return self.chunks.get(doc_id, [])


def scripted_search(index: MemoryIndex, script: dict[str, list[str]]):
    """A search function returning, for each query text, the chunks named in `script` in that order."""
    by_id = {c.chunk_id: c for chunks in index.chunks.values() for c in chunks}
    calls = []

    def search(idx, query, k=10, mode="hybrid", filters=None):
        calls.append((query, k, mode, filters))
        return [Hit(rank=i, score=1.0 / i, chunk=by_id[cid]) for i, cid in enumerate(script.get(query, [])[:k], 1)]

    search.calls = calls
    return search
