"""PDF pages over HTTP: page images, a chunk's highlight boxes, the page view, and the PDFs an export carries."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from mcdewey.citation_check import Fidelity, check_chunk
from mcdewey.pages import source_path
from mcdewey.pdf_geometry import PdfPages

PDF = "acme/router/1.0/guide/router-guide.pdf"


def pdf_chunks(index):
    return index.doc_chunks(PDF)


def test_export_carries_the_pdfs_it_cites(served_index, export_dir):
    path = source_path(served_index, PDF)
    assert path is not None and path.is_relative_to(export_dir.resolve())
    assert path.read_bytes().startswith(b"%PDF")
    assert served_index.manifest["sources"] == "files"


def test_page_image_is_a_png_of_the_asked_width(http):
    r = http.get(f"/docs/{PDF}/pages/3.png", params={"width": 400})
    assert r.status_code == 200 and r.headers["content-type"] == "image/png"
    image = Image.open(io.BytesIO(r.content))
    assert image.width == 400 and image.height == pytest.approx(400 * 842 / 595, abs=2)  # A4 portrait
    again = http.get(f"/docs/{PDF}/pages/3.png", params={"width": 400})
    assert again.content == r.content  # served from the page cache, byte for byte


@pytest.mark.parametrize("url, status", [
    (f"/docs/{PDF}/pages/99.png", 404),
    (f"/docs/{PDF}/pages/0.png", 404),
    ("/docs/acme/router/1.0/guide/nope.pdf/pages/1.png", 404),
    ("/docs/acme/router/1.0/guide/router-guide.pdf/pages/1.png?width=wide", 400),
])
def test_page_image_refuses_what_it_cannot_show(http, url, status):
    r = http.get(url)
    assert r.status_code == status and "error" in r.json()


def test_boxes_of_every_pdf_chunk_lie_inside_their_pages(http, served_index):
    chunks = pdf_chunks(served_index)
    assert len(chunks) >= 3
    for chunk in chunks:
        body = http.get(f"/api/chunks/{chunk.chunk_id}/boxes").json()
        assert body["chunk_id"] == chunk.chunk_id and body["boxes"], chunk.chunk_id
        for b in body["boxes"]:
            assert set(b) == {"page", "x0", "y0", "x1", "y1"}
            assert chunk.page_start <= b["page"] <= chunk.page_end
            assert 0 <= b["x0"] < b["x1"] <= 1 and 0 <= b["y0"] < b["y1"] <= 1


def test_boxes_hold_exactly_the_chunk_text(served_index):
    """The fidelity check of bench/citation_fidelity.py on the generated PDF: text inside the boxes == chunk."""
    result = Fidelity()
    with PdfPages(source_path(served_index, PDF)) as pages:
        doc = served_index.get_document(PDF)
        for chunk in pdf_chunks(served_index):
            check_chunk(pages, doc, chunk, result)
    assert result.chunks >= 3 and result.outside == 0
    assert result.share >= 0.99, result.to_dict()


def test_boxes_of_a_non_pdf_chunk_are_empty_and_unknown_chunks_404(http, served_index):
    md = next(c for c in served_index.doc_chunks("acme/router/2.0/guide/routing.md"))
    assert http.get(f"/api/chunks/{md.chunk_id}/boxes").json() == {"chunk_id": md.chunk_id, "boxes": []}
    assert http.get("/api/chunks/nope::1/boxes").status_code == 404


def test_doc_context_of_a_pdf_hit_shows_its_page_with_the_passage_overlaid(http, served_index):
    chunk = pdf_chunks(served_index)[-1]
    html = http.get(f"/docs/{PDF}", params={"chunk": chunk.chunk_id}).text
    assert f'/docs/{PDF}/pages/{chunk.page_start}.png' in html
    boxes = http.get(f"/api/chunks/{chunk.chunk_id}/boxes").json()["boxes"]
    assert html.count('class="hl"') == len([b for b in boxes if b["page"] <= chunk.page_start + 2])
    assert "view=text" in html and "printed" in html  # the text view is one click away; labels shown
    text_view = http.get(f"/docs/{PDF}", params={"chunk": chunk.chunk_id, "view": "text"}).text
    assert 'class="hl"' not in text_view and "<mark" in text_view


def test_page_view_pages_through_the_pdf(http, served_index):
    chunk = pdf_chunks(served_index)[0]
    html = http.get(f"/docs/{PDF}", params={"chunk": chunk.chunk_id, "page": 5, "zoom": 600}).text
    assert f"/docs/{PDF}/pages/5.png?width=1200" in html
    assert "page=4" in html and "page=6" in html and 'max-width: 600px' in html
