"""Paragraph breaks from line geometry (MCDEWEY_PDF_PARAGRAPHS=1): gaps, indents and code listings."""

from __future__ import annotations

import io

import pytest

from mcdewey.citation_check import Fidelity, check_document
from mcdewey.chunking import get_chunker
from mcdewey.readers.base import DocInfo
from mcdewey.readers.pdf import read_pdf

PROSE = [
    ("Helvetica", 72, "The hold timer of a BGP session defaults to 180 seconds on"),
    ("Helvetica", 72, "every router of the family, and can be changed per neighbor"),
    ("Helvetica", 72, "with the timers command."),
    ("gap", 0, ""),
    ("Helvetica", 90, "An indented line opens the second paragraph, which goes"),
    ("Helvetica", 72, "on for a second line before it ends here."),
    ("Courier", 72, "router bgp 65001"),
    ("Courier", 72, "  neighbor 192.0.2.1 timers 60 180"),
    ("Helvetica", 72, "Text after the listing is a paragraph of its own."),
]


def _pdf() -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4, invariant=True)
    y = A4[1] - 100
    for font, x, text in PROSE:
        if font == "gap":
            y -= 14
            continue
        c.setFont(font, 11)
        c.drawString(x, y, text)
        y -= 15
    c.showPage()
    c.save()
    return buf.getvalue()


@pytest.fixture
def pdf_path(tmp_path):
    path = tmp_path / "v" / "p" / "1" / "guide.pdf"
    path.parent.mkdir(parents=True)
    path.write_bytes(_pdf())
    return path


def _read(path, monkeypatch, on: bool):
    monkeypatch.setenv("MCDEWEY_PDF_PARAGRAPHS", "1" if on else "0")
    return read_pdf(path, DocInfo("v/p/1/guide.pdf", "v", "p", "1"))


def test_paragraphs_are_restored_and_their_lines_joined(pdf_path, monkeypatch):
    text = _read(pdf_path, monkeypatch, on=True).text
    paragraphs = text.split("\n\n")
    assert "The hold timer of a BGP session defaults to 180 seconds on every router of the family, and can be" \
        " changed per neighbor with the timers command." in paragraphs
    assert "An indented line opens the second paragraph, which goes on for a second line before it ends here." \
        in paragraphs
    assert "router bgp 65001\nneighbor 192.0.2.1 timers 60 180" in text  # the listing keeps its lines
    assert paragraphs[-1] == "Text after the listing is a paragraph of its own."


def test_off_by_default_the_layout_lines_stay(pdf_path, monkeypatch):
    text = _read(pdf_path, monkeypatch, on=False).text
    assert "180 seconds on\nevery router" in text and "\n\n" not in text.split("\n", 1)[1]


def test_highlights_still_hold_the_chunk_text_with_paragraphs_on(pdf_path, monkeypatch):
    doc = _read(pdf_path, monkeypatch, on=True)
    result = Fidelity()
    check_document(pdf_path, doc, get_chunker("fixed", max_tokens=20, overlap=0).chunk(doc), result)
    assert result.chunks >= 3 and result.share >= 0.99 and result.outside == 0
