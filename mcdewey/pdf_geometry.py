"""Where a chunk of a PDF document lies on its pages: Document.text offsets -> pdfium characters -> boxes.

The PDF reader builds Document.text from pdfium's text page (lines cleaned, running headers dropped,
soft hyphens resolved), always in pdfium's order. So the letters and digits of a page's span of
Document.text are, but for those edits, the letters and digits of pdfium's text of that page in the
same order. `align` recovers the mapping page by page (exact where the texts agree, resynchronised
after each edit), and `chunk_boxes` turns a chunk's characters into rectangles merged per line, as
fractions of the rendered page (0-1, origin top left), so a browser overlay or a drawn highlight lands
where the page prints the passage.
"""

from __future__ import annotations

import ctypes
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as raw

from mcdewey.models import Chunk, Document

RESYNC = 12  # characters that must agree to pick the alignment up again after an edit
LOOKAHEAD = 400  # how far either text may run ahead of the other in one edit (a dropped header, a footnote)
SCALE = 8  # device pixels per PDF point when mapping boxes to the page (sub-point precision)


@dataclass(frozen=True)
class Box:
    """A highlight rectangle on physical page `page` (1-based), in fractions of the page, origin top left."""

    page: int
    x0: float
    y0: float
    x1: float
    y1: float

    def to_dict(self) -> dict:
        return {"page": self.page, "x0": self.x0, "y0": self.y0, "x1": self.x1, "y1": self.y1}


def keyed(text: str) -> tuple[str, list[int]]:
    """The letters and digits of `text`, casefolded and NFKC-normalised, with each one's index in `text`."""
    out, where = [], []
    for i, ch in enumerate(text):
        for k in unicodedata.normalize("NFKC", ch).casefold():
            if k.isalnum():
                out.append(k)
                where.append(i)
    return "".join(out), where


def align(a: str, b: str) -> list[int]:
    """For each character of `a`, its index in `b` or -1: an in-order alignment of two near-equal texts.

    Walks both texts together; where they disagree, finds the nearest place (within LOOKAHEAD) at which
    the next RESYNC characters agree again, skipping the extra characters of whichever text has them.
    """
    out = [-1] * len(a)
    i = j = 0
    start = _find_start(a, b)
    if start is None:
        return out
    i, j = start
    while i < len(a) and j < len(b):
        if a[i] == b[j]:
            out[i] = j
            i += 1
            j += 1
            continue
        step = _resync(a, b, i, j)
        if step is None:
            i += 1  # this character of a is nowhere near: leave it unmatched
        else:
            i, j = step
    return out


def _find_start(a: str, b: str) -> tuple[int, int] | None:
    for i in range(0, max(1, len(a) - RESYNC + 1), RESYNC):
        probe = a[i:i + RESYNC]
        j = b.find(probe)
        if j >= 0:
            return i, j
    return (0, 0) if a and b else None


def _resync(a: str, b: str, i: int, j: int) -> tuple[int, int] | None:
    """The nearest (i', j') past an edit where RESYNC characters agree; the smaller total skip wins."""
    best = None
    for da in range(0, LOOKAHEAD):
        if best is not None and da >= best[0]:
            break
        probe = a[i + da:i + da + RESYNC]
        if len(probe) < min(RESYNC, len(a) - i - da) or not probe:
            break
        k = b.find(probe, j, j + LOOKAHEAD + len(probe))
        if k >= 0 and (best is None or da + (k - j) < best[0]):
            best = (da + (k - j), i + da, k)
    return (best[1], best[2]) if best else None


class PdfPages:
    """An open PDF: page texts, character boxes and the offset -> character mapping of one Document."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self.pdf = pdfium.PdfDocument(str(self.path))

    def close(self) -> None:
        self.pdf.close()

    def __enter__(self) -> "PdfPages":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __len__(self) -> int:
        return len(self.pdf)

    def size(self, page: int) -> tuple[float, float]:
        """(width, height) of page `page` as displayed, in PDF points."""
        pg = self.pdf[page - 1]
        try:
            return pg.get_size()
        finally:
            pg.close()

    def label(self, page: int) -> str | None:
        return self.pdf.get_page_label(page - 1) or None

    def page_text(self, page: int) -> str:
        """pdfium's text of physical page `page` (1-based), one character per pdfium character index."""
        pg = self.pdf[page - 1]
        tp = pg.get_textpage()
        try:
            return _chars(tp)
        finally:
            tp.close()
            pg.close()

    def chunk_boxes(self, doc: Document, chunk: Chunk) -> list[Box]:
        """Highlight rectangles of `chunk` on every page it covers, merged per printed line."""
        boxes: list[Box] = []
        for span in doc.pages:
            lo, hi = max(chunk.start, span.start), min(chunk.end, span.end)
            if lo >= hi or not 1 <= span.page <= len(self.pdf):
                continue
            boxes += self.span_boxes(span.page, doc.text[span.start:span.end], lo - span.start, hi - span.start)
        return boxes

    def span_boxes(self, page: int, page_doc_text: str, lo: int, hi: int) -> list[Box]:
        """Boxes of characters [lo, hi) of a page's Document.text, located on PDF page `page`."""
        pg = self.pdf[page - 1]
        tp = pg.get_textpage()
        try:
            chars = _chars(tp)
            indices = matched_chars(page_doc_text, lo, hi, chars)
            return _line_boxes(pg, tp, page, indices)
        finally:
            tp.close()
            pg.close()

    def text_in_boxes(self, boxes: list[Box]) -> str:
        """What pdfium extracts inside `boxes` (the fidelity check): each box read back from the page."""
        out = []
        for box in boxes:
            pg = self.pdf[box.page - 1]
            tp = pg.get_textpage()
            try:
                l, b = _to_page(pg, box.x0, box.y1)
                r, t = _to_page(pg, box.x1, box.y0)
                out.append(tp.get_text_bounded(left=l, bottom=b, right=r, top=t))
            finally:
                tp.close()
                pg.close()
        return "\n".join(out)


def matched_chars(page_doc_text: str, lo: int, hi: int, chars: str) -> list[int]:
    """pdfium character indices of Document text [lo, hi) of one page, gaps of spacing filled in."""
    doc_key, doc_where = keyed(page_doc_text)
    pdf_key, pdf_where = keyed(chars)
    mapping = align(doc_key, pdf_key)
    picked = sorted(pdf_where[m] for k, m in enumerate(mapping) if m >= 0 and lo <= doc_where[k] < hi)
    out: list[int] = []
    for a, b in zip(picked, picked[1:] + [None]):
        out.append(a)
        # Spaces and punctuation between two matched characters belong to the passage too.
        if b is not None and b - a > 1 and not keyed(chars[a + 1:b])[0]:
            out.extend(range(a + 1, b))
    # Punctuation around the passage's first and last words (`{extra`, `command.`) is part of it.
    k = out[-1] + 1 if out else len(chars)
    while k < len(chars) and _is_punctuation(chars[k]):
        out.append(k)
        k += 1
    k = out[0] - 1 if out else -1
    while k >= 0 and _is_punctuation(chars[k]):
        out.insert(0, k)
        k -= 1
    return out


def _is_punctuation(ch: str) -> bool:
    return not ch.isspace() and ch != "\ufffe" and not keyed(ch)[0]


def _chars(tp) -> str:
    codes = (raw.FPDFText_GetUnicode(tp, i) for i in range(raw.FPDFText_CountChars(tp)))
    return "".join(chr(c) if 0 < c < 0x110000 else "\ufffd" for c in codes)


def _line_boxes(pg, tp, page: int, indices: list[int]) -> list[Box]:
    """Character boxes merged into one rectangle per run of characters on the same line."""
    width, height = pg.get_size()
    l, r, b, t = (ctypes.c_double() for _ in range(4))
    lines: list[list[float]] = []
    prev = None
    for i in indices:
        ch = raw.FPDFText_GetUnicode(tp, i)
        if ch in (0, 32, 10, 13, 0xFFFE) or not raw.FPDFText_GetCharBox(tp, i, l, r, b, t):
            continue
        if r.value <= l.value and t.value <= b.value:
            continue
        x0, y0 = _to_device(pg, width, height, l.value, t.value)
        x1, y1 = _to_device(pg, width, height, r.value, b.value)
        x0, x1 = sorted((x0, x1))
        y0, y1 = sorted((y0, y1))
        cur = lines[-1] if lines else None
        same_line = (cur is not None and prev is not None and i - prev <= 3
                     and min(cur[3], y1) - max(cur[1], y0) > 0.3 * min(cur[3] - cur[1], y1 - y0)
                     and x0 >= cur[0] - 1e-3)
        if same_line:
            cur[0], cur[1], cur[2], cur[3] = min(cur[0], x0), min(cur[1], y0), max(cur[2], x1), max(cur[3], y1)
        else:
            lines.append([x0, y0, x1, y1])
        prev = i
    return [Box(page, *(round(min(1.0, max(0.0, v)), 5) for v in box)) for box in lines
            if box[2] > 0 and box[0] < 1 and box[3] > 0 and box[1] < 1]


def _to_device(pg, width: float, height: float, x: float, y: float) -> tuple[float, float]:
    """A point in PDF page space -> fractions of the rendered page (rotation and crop box applied)."""
    sx, sy = int(width * SCALE), int(height * SCALE)  # get_size is the displayed (rotated) size
    dx, dy = ctypes.c_int(), ctypes.c_int()
    raw.FPDF_PageToDevice(pg, 0, 0, sx, sy, 0, x, y, dx, dy)
    return dx.value / sx, dy.value / sy


def _to_page(pg, fx: float, fy: float) -> tuple[float, float]:
    width, height = pg.get_size()
    sx, sy = int(width * SCALE), int(height * SCALE)
    px, py = ctypes.c_double(), ctypes.c_double()
    raw.FPDF_DeviceToPage(pg, 0, 0, sx, sy, 0, round(fx * sx), round(fy * sy), px, py)
    return px.value, py.value
