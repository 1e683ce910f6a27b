"""Chunk a large document one segment at a time, so memory stays bounded whatever the document's size.

A document longer than SEGMENT_CHARS is cut at paragraph breaks into segments of at most that many
characters; each segment is chunked as a document of its own (its pages and sections clipped to it) and
its chunks get the whole document's offsets and consecutive ids. Tokenizing a 100 MB text at once costs
gigabytes; one segment at a time costs a fixed amount. Documents up to SEGMENT_CHARS are chunked whole,
exactly as before.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

from mcdewey.models import Chunk, Document, PageSpan, SectionSpan, make_chunk_id

SEGMENT_CHARS = 1 << 19  # 512 K characters: a few hundred chunks, tens of MB while tokenized


def chunk_in_segments(chunker, doc: Document, max_chars: int = SEGMENT_CHARS) -> Iterator[list[Chunk]]:
    """The document's chunks, one list per segment, in order; ids and offsets refer to the whole document."""
    if len(doc.text) <= max_chars:
        yield chunker.chunk(doc)
        return
    count = 0
    for start, end in segment_bounds(doc.text, max_chars):
        part = dataclasses.replace(
            doc, text=doc.text[start:end],
            pages=[PageSpan(max(p.start, start) - start, min(p.end, end) - start, p.page, p.label)
                   for p in doc.pages if p.end > start and p.start < end],
            sections=[SectionSpan(max(s.start, start) - start, min(s.end, end) - start, s.path)
                      for s in doc.sections if s.end > start and s.start < end])
        chunks = [dataclasses.replace(c, chunk_id=make_chunk_id(doc.doc_id, count + i), ord=count + i,
                                      start=c.start + start, end=c.end + start)
                  for i, c in enumerate(chunker.chunk(part))]
        count += len(chunks)
        yield chunks


def segment_bounds(text: str, max_chars: int) -> Iterator[tuple[int, int]]:
    """[start, end) pieces of at most max_chars, cut after a blank line, else a newline, else a space."""
    start = 0
    while start < len(text):
        end = min(len(text), start + max_chars)
        if end < len(text):
            floor = start + max_chars // 2
            for sep in ("\n\n", "\n", " "):
                cut = text.rfind(sep, floor, end)
                if cut != -1:
                    end = cut + len(sep)
                    break
        yield start, end
        start = end
