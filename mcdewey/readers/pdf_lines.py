"""Paragraphs of a PDF page from line geometry: where a paragraph starts, and which lines join.

pdfium gives the text of a page as layout lines. A line starts a new paragraph when the space above it
is clearly larger than the page's usual line spacing, when it is indented against the line before,
when the line before ends short of the column with a full stop, when the text size changes, or when
it starts with a bullet. Lines of one paragraph are joined with spaces, except runs of monospaced
lines (code listings), which keep their line breaks.

Off by default: MCDEWEY_PDF_PARAGRAPHS=1 turns it on (docs/citations.md has the measurements).
"""

from __future__ import annotations

import ctypes
import os
import re
import statistics

import pypdfium2.raw as raw

FIXED_PITCH = 1  # PDF font descriptor flag bit 1
_BULLET = re.compile(r"^\s*([•●▪■◦‣–*-]|\d{1,2}[.)]|\(?[a-z]\))\s")


def enabled() -> bool:
    return os.environ.get("MCDEWEY_PDF_PARAGRAPHS", "") == "1"


class Line(str):
    """A layout line that knows whether it starts a paragraph and whether it is monospaced."""

    para: bool = False
    fixed: bool = False

    def like(self, text: str) -> "Line":
        """The same flags on edited text (soft hyphens resolved)."""
        out = Line(text)
        out.para, out.fixed = self.para, self.fixed
        return out


def page_lines(textpage) -> list[Line]:
    """The page's non-blank layout lines, flagged from their geometry."""
    n = raw.FPDFText_CountChars(textpage)
    codes = [raw.FPDFText_GetUnicode(textpage, i) for i in range(n)]
    text = "".join(chr(c) if 0 < c < 0x110000 else "\ufffd" for c in codes)
    lines, metrics = [], []
    for m in re.finditer(r"[^\r\n]+", text):
        body = m.group(0)
        if not body.strip():
            continue
        first = m.start() + len(body) - len(body.lstrip())
        last = m.start() + len(body.rstrip()) - 1
        metric = _metric(textpage, first, m.start(), len(body))
        if metric is None:
            continue
        line = Line(body)
        line.fixed = metric[4] and _monospaced(textpage, last)  # the whole line, not code inside prose
        lines.append(line)
        metrics.append(metric)
    _flag(lines, metrics)
    return lines


def _metric(textpage, first: int, start: int, count: int) -> tuple | None:
    """(left, baseline, right, font size, monospaced) of a line; None when pdfium has no geometry for it."""
    x, y = ctypes.c_double(), ctypes.c_double()
    if not raw.FPDFText_GetCharOrigin(textpage, first, x, y):
        return None
    l, t, r, b = (ctypes.c_double() for _ in range(4))
    right = x.value
    for k in range(raw.FPDFText_CountRects(textpage, start, count)):
        raw.FPDFText_GetRect(textpage, k, l, t, r, b)
        right = max(right, r.value)
    return x.value, y.value, right, raw.FPDFText_GetFontSize(textpage, first), _monospaced(textpage, first)


def _monospaced(textpage, index: int) -> bool:
    name = ctypes.create_string_buffer(128)
    flags = ctypes.c_int()
    raw.FPDFText_GetFontInfo(textpage, index, name, 128, flags)
    return bool(flags.value & FIXED_PITCH) or bool(_MONO.search(name.value.decode("latin-1")))


_MONO = re.compile(r"(?i)courier|mono|consol|typewriter|code|fixed|cmtt|sfmono|menlo|lucidaconsole")


def _flag(lines: list[Line], metrics: list[tuple]) -> None:
    if not lines:
        return
    sizes = [m[3] for m in metrics if m[3] > 0]
    h = statistics.median(sizes) if sizes else 10.0
    steps = [p[1] - c[1] for p, c in zip(metrics, metrics[1:]) if 0 < p[1] - c[1] < 3 * h]
    lead = statistics.median(steps) if steps else 1.2 * h
    right = max(m[2] for m in metrics)
    lines[0].para = True
    for i in range(1, len(lines)):
        prev, cur = metrics[i - 1], metrics[i]
        step = prev[1] - cur[1]
        lines[i].para = (
            step <= 0 or step > 1.45 * lead  # a column or block above, or a blank line's worth of space
            or (cur[0] > prev[0] + h and not lines[i - 1].fixed)  # first-line indent
            or (prev[2] < right - 5 * h and lines[i - 1].rstrip().endswith((".", ":", "!", "?")))
            or (prev[3] > 0 and cur[3] > 0 and max(prev[3], cur[3]) > 1.15 * min(prev[3], cur[3]))  # a heading
            or bool(_BULLET.match(lines[i]))
            or lines[i].fixed != lines[i - 1].fixed  # a listing starts or ends
        )


def join_paragraphs(lines: list[str]) -> str:
    """Body lines -> text: paragraphs apart by a blank line, a paragraph's lines joined by spaces."""
    out: list[str] = []
    for i, line in enumerate(lines):
        if i:
            prev = lines[i - 1]
            if getattr(line, "para", True):
                out.append("\n\n")
            elif getattr(line, "fixed", False) and getattr(prev, "fixed", False):
                out.append("\n")
            else:
                out.append(" ")
        out.append(line)
    return "".join(out)
