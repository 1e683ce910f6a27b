"""Citation fidelity: does the text pdfium reads inside a chunk's highlight boxes equal the chunk's text?

Shared by bench/citation_fidelity.py (the reference library) and the tests (the generated PDFs).
Characters compared are letters and digits (casefolded); a chunk scores the characters both texts
share in order, over the longer of the two, so missing and extra text both count against it.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from pathlib import Path

from mcdewey.models import Chunk, Document
from mcdewey.pdf_geometry import Box, PdfPages, keyed


@dataclass
class Fidelity:
    chunks: int = 0
    boxes: int = 0
    matched: int = 0  # characters shared in order by chunk text and text inside the boxes
    total: int = 0  # sum over chunks of the longer of the two
    outside: int = 0  # boxes not within their page (0-1 on both axes)
    worst: list[tuple[float, str]] = field(default_factory=list)

    @property
    def share(self) -> float:
        return self.matched / self.total if self.total else 1.0

    def to_dict(self) -> dict:
        return {"chunks": self.chunks, "boxes": self.boxes, "characters": self.total, "matched": self.matched,
                "fidelity": round(self.share, 5), "boxes_outside_page": self.outside,
                "worst": [{"chunk_id": c, "fidelity": round(s, 4)} for s, c in sorted(self.worst)[:10]]}


def check_chunk(pages: PdfPages, doc: Document, chunk: Chunk, result: Fidelity) -> list[Box]:
    """Add one chunk's comparison to `result`; returns its boxes."""
    boxes = pages.chunk_boxes(doc, chunk)
    want = keyed(chunk.text)[0]
    got = keyed(pages.text_in_boxes(boxes))[0]
    matcher = difflib.SequenceMatcher(None, want, got, autojunk=False)
    matched = sum(block.size for block in matcher.get_matching_blocks())
    total = max(len(want), len(got))
    result.chunks += 1
    result.boxes += len(boxes)
    result.matched += matched
    result.total += total
    result.outside += sum(not (0 <= b.x0 <= b.x1 <= 1 and 0 <= b.y0 <= b.y1 <= 1) for b in boxes)
    if total:
        result.worst.append((matched / total, chunk.chunk_id))
        result.worst = sorted(result.worst)[:10]
    return boxes


def check_document(path: Path, doc: Document, chunks: list[Chunk], result: Fidelity) -> None:
    with PdfPages(path) as pages:
        for chunk in chunks:
            check_chunk(pages, doc, chunk, result)
