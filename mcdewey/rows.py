"""Row shapes of the LanceDB tables: Arrow schemas, conversions to and from Chunk and Document, SQL filters."""

from __future__ import annotations

from collections import defaultdict

import numpy as np
import pyarrow as pa

from mcdewey.identifiers import identifier_text
from mcdewey.models import Chunk, Document, Filters, PageSpan, SectionSpan

# Every chunk column except the vector and the search-only text: what a hit or a look-up returns.
_NO_VECTOR = [
    "chunk_id", "doc_id", "vendor", "product", "version", "title", "start", "end", "page_start", "page_end",
    "page_label_start", "page_label_end", "section", "text", "tokens", "embed_text", "ord",
]


def chunk_schema(dim: int) -> pa.Schema:
    return pa.schema([
        ("chunk_id", pa.string()), ("doc_id", pa.string()), ("vendor", pa.string()),
        ("product", pa.string()), ("version", pa.string()), ("title", pa.string()),
        ("start", pa.int32()), ("end", pa.int32()), ("page_start", pa.int32()), ("page_end", pa.int32()),
        ("page_label_start", pa.string()), ("page_label_end", pa.string()),
        ("section", pa.list_(pa.string())), ("text", pa.string()), ("tokens", pa.int32()),
        ("embed_text", pa.string()), ("ord", pa.int32()),
        # Title + section path + text: a second full-text field whose worth the evaluation measures.
        ("search_text", pa.string()),
        # search_text with identifiers split and kept whole (mcdewey.identifiers): the identifier-aware FTS field.
        ("ident_text", pa.string()),
        ("vector", pa.list_(pa.float32(), dim)),
    ])


DOCUMENT_SCHEMA = pa.schema([
    ("doc_id", pa.string()), ("fingerprint", pa.string()), ("vendor", pa.string()), ("product", pa.string()),
    ("version", pa.string()), ("title", pa.string()), ("format", pa.string()), ("text", pa.string()),
    ("pages", pa.list_(pa.struct([("start", pa.int32()), ("end", pa.int32()), ("page", pa.int32()),
                                  ("label", pa.string())]))),
    ("sections", pa.list_(pa.struct([("start", pa.int32()), ("end", pa.int32()),
                                     ("path", pa.list_(pa.string()))]))),
])


def sql_str(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def filters_sql(filters: Filters | None) -> str | None:
    """A SQL predicate for LanceDB's prefilter, or None when nothing is filtered."""
    if filters is None or filters.is_empty():
        return None
    parts = [f"{col} = {sql_str(val)}" for col, val in
             (("vendor", filters.vendor), ("product", filters.product), ("version", filters.version)) if val]
    if filters.doc_prefix:
        parts.append(f"starts_with(doc_id, {sql_str(filters.doc_prefix)})")
    return " AND ".join(parts)


def chunk_rows(chunks: list[Chunk], vectors: np.ndarray, dim: int) -> pa.Table:
    """Chunks and their vectors as an Arrow table in the chunk schema."""
    cols: dict[str, list] = defaultdict(list)
    for c in chunks:
        for name in ("chunk_id", "doc_id", "vendor", "product", "version", "title", "start", "end",
                     "page_start", "page_end", "page_label_start", "page_label_end", "text", "tokens"):
            cols[name].append(getattr(c, name))
        cols["section"].append(list(c.section))
        cols["embed_text"].append(c.embed_text or c.text)
        cols["ord"].append(c.ord)
        cols["search_text"].append("\n".join([c.title, " > ".join(c.section), c.text]))
        cols["ident_text"].append(identifier_text(cols["search_text"][-1]))
    flat = pa.array(np.ascontiguousarray(vectors, dtype=np.float32).ravel(), type=pa.float32())
    cols["vector"] = pa.FixedSizeListArray.from_arrays(flat, dim)
    schema = chunk_schema(dim)
    return pa.table({f.name: cols[f.name] for f in schema}, schema=schema)


def document_rows(docs: list[tuple[Document, str]]) -> pa.Table:
    rows = [{
        "doc_id": d.doc_id, "fingerprint": fp, "vendor": d.vendor, "product": d.product, "version": d.version,
        "title": d.title, "format": d.format, "text": d.text,
        "pages": [{"start": p.start, "end": p.end, "page": p.page, "label": p.label} for p in d.pages],
        "sections": [{"start": s.start, "end": s.end, "path": list(s.path)} for s in d.sections],
    } for d, fp in docs]
    return pa.Table.from_pylist(rows, schema=DOCUMENT_SCHEMA)


def row_to_chunk(row: dict) -> Chunk:
    return Chunk(
        chunk_id=row["chunk_id"], doc_id=row["doc_id"], vendor=row["vendor"], product=row["product"],
        version=row["version"], title=row["title"], start=row["start"], end=row["end"],
        page_start=row["page_start"], page_end=row["page_end"], page_label_start=row["page_label_start"],
        page_label_end=row["page_label_end"], section=tuple(row["section"] or ()), text=row["text"],
        tokens=row["tokens"], embed_text=row.get("embed_text") or "", ord=row.get("ord") or 0,
    )


def row_to_document(row: dict) -> Document:
    return Document(
        doc_id=row["doc_id"], vendor=row["vendor"], product=row["product"], version=row["version"],
        title=row["title"], text=row["text"], format=row["format"],
        pages=[PageSpan(p["start"], p["end"], p["page"], p["label"]) for p in row["pages"] or []],
        sections=[SectionSpan(s["start"], s["end"], tuple(s["path"])) for s in row["sections"] or []],
    )


