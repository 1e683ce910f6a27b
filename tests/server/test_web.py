"""The pages and the JSON API, read over HTTP from the live server."""

from __future__ import annotations

import re
from html import unescape

from mcdewey.models import Document, PageSpan
from mcdewey.server.web import doc_segments


def _a_hit(http, query="BGP hold timer"):
    hits = http.get("/api/search", params={"q": query, "limit": 5}).json()["hits"]
    assert hits
    return hits[0]


def test_healthz_reports_ok_and_the_manifest_summary(http, served_index):
    body = http.get("/healthz").json()
    assert body["status"] == "ok"
    assert body["index"]["counts"]["chunks"] == sum(r["chunks"] for r in served_index.library_summary())
    assert "files" not in body["index"]


def test_search_page_renders_result_cards(http, served_index):
    page = http.get("/", params={"q": "BGP hold timer", "limit": 5})
    assert page.status_code == 200
    hit = _a_hit(http)
    text = unescape(re.sub(r"<[^>]+>", " ", page.text))
    text = re.sub(r"\s+", " ", text)
    chunk = served_index.get_chunk(hit["chunk_id"])
    page_part = f"Page {chunk.page_start} " if chunk.page_start else ""
    assert f"{page_part}(printed" in text or f"{page_part}·" in text
    assert f"↗ View in doc context · source {chunk.source} · chunk_id {chunk.chunk_id}" in text
    assert 'name="vendor"' in page.text and 'name="mode"' in page.text


def test_search_page_without_query_lists_the_library(http, served_index):
    page = http.get("/")
    assert page.status_code == 200 and "In this library" in page.text
    for row in served_index.library_summary():
        assert f'value="{row["product"]}"' in page.text


def test_search_page_shows_limit_errors(http):
    page = http.get("/", params={"q": "x", "limit": 500})
    assert page.status_code == 400 and "limit must be between 1 and 50" in page.text


def test_chunk_page_shows_metadata_and_context_link(http, served_index):
    hit = _a_hit(http)
    page = http.get(hit["url"].removeprefix(str(http.base_url).rstrip("/")))
    assert page.status_code == 200
    chunk = served_index.get_chunk(hit["chunk_id"])
    html = unescape(page.text)
    for expected in (chunk.chunk_id, chunk.doc_id, chunk.title, " › ".join(chunk.section), "View in doc context"):
        assert expected in html


def test_doc_context_highlights_the_chunk_with_page_markers_and_navigation(http, served_index):
    hit = _a_hit(http)
    chunks = served_index.doc_chunks(hit["doc_id"])
    target = chunks[len(chunks) // 2]
    page = http.get(f"/docs/{target.doc_id}", params={"chunk": target.chunk_id, "view": "text"})
    assert page.status_code == 200
    marked = "".join(re.findall(r"<mark[^>]*>(.*?)</mark>", page.text, re.S))
    assert unescape(re.sub(r"</?b[^>]*>", "", marked)) == target.text
    assert page.text.count('id="hit"') == 1
    assert re.search(r'class="page-marker"[^>]*>Page \d+', page.text)
    i = chunks.index(target)
    if i > 0:
        assert f"chunk={chunks[i - 1].chunk_id}" in unescape(page.text)
    if i + 1 < len(chunks):
        assert f"chunk={chunks[i + 1].chunk_id}" in unescape(page.text)


def test_doc_without_chunk_redirects_to_its_first_chunk(http, served_index):
    hit = _a_hit(http)
    first = served_index.doc_chunks(hit["doc_id"])[0]
    response = http.get(f"/docs/{hit['doc_id']}", follow_redirects=False)
    assert response.status_code == 302 and f"chunk={first.chunk_id}" in response.headers["location"]


def test_doc_with_a_chunk_of_another_document_is_404(http, served_index):
    docs = sorted({r["chunk_id"]: r["doc_id"] for r in http.get(
        "/api/search", params={"q": "the", "limit": 50}).json()["hits"]}.items(), key=lambda kv: kv[1])
    (cid_a, doc_a), (_, doc_b) = docs[0], docs[-1]
    assert doc_a != doc_b
    assert http.get(f"/docs/{doc_b}", params={"chunk": cid_a}).status_code == 404


def test_unknown_ids_are_404_pages_and_json(http):
    assert http.get("/chunks/no::such::0").status_code == 404
    assert http.get("/docs/no/such/doc.pdf").status_code == 404
    api = http.get("/api/chunks/no::such::0")
    assert api.status_code == 404 and "unknown chunk_id" in api.json()["error"]


def test_json_api_search_chunk_context_library(http):
    hit = _a_hit(http)
    chunk = http.get(f"/api/chunks/{hit['chunk_id']}").json()
    assert chunk["text"] == hit["text"]
    ctx = http.get(f"/api/context/{hit['chunk_id']}", params={"before": 0, "after": 2}).json()
    assert ctx["chunks"][0]["chunk_id"] == hit["chunk_id"]
    assert http.get(f"/api/context/{hit['chunk_id']}", params={"before": 99}).status_code == 400
    assert http.get("/api/library").json()["chunks"] > 0
    assert http.get("/api/search", params={"q": ""}).status_code == 400


def test_doc_segments_cut_at_pages_and_mark():
    text = "aaaa bbbb cccc dddd"
    doc = Document("v/p/1/d.pdf", "v", "p", "1", "D", text, "pdf",
                   pages=[PageSpan(0, 10, 1, "i"), PageSpan(10, 19, 2, "1")])
    segs = doc_segments(doc, 0, 19, (5, 14))
    assert "".join(s.text for s in segs) == text
    assert [(s.text, s.marked, s.page) for s in segs] == [
        ("aaaa ", False, 1), ("bbbb ", True, None), ("cccc", True, 2), (" dddd", False, None)]
    assert [s.anchor for s in segs] == [False, True, False, False]
