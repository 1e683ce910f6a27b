"""Search, open a chunk and its doc context in headless Chromium (Debian's chromium, no browser download)."""

from __future__ import annotations

import os
import shutil

import pytest

CHROMIUM = os.environ.get("MCDEWEY_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not shutil.which(CHROMIUM), reason="needs chromium (make system-deps)")]


@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    page = context.new_page()
    # Offline by design: any request that leaves the server under test fails the test.
    outside: list[str] = []
    page.on("request", lambda r: outside.append(r.url) if not r.url.startswith(("http://127.0.0.1", "data:")) else None)
    yield page
    context.close()
    assert not outside, outside


def test_search_then_chunk_then_doc_context(page, live, served_index, tmp_path_factory):
    shots = tmp_path_factory.mktemp("shots")
    page.goto(f"{live.url}/")
    assert page.title().startswith("Search")
    page.fill("input[name=q]", "BGP hold timer")
    page.select_option("select[name=mode]", "keyword")
    page.click("button[type=submit]")
    cards = page.locator("li.card")
    cards.first.wait_for()
    assert cards.count() >= 1
    first = cards.first
    chunk_id = first.locator(".meta a").nth(1).inner_text()
    chunk = served_index.get_chunk(chunk_id)
    meta = first.locator(".meta").inner_text()
    assert "View in doc context" in meta and f"source {chunk.source}" in meta and f"chunk_id {chunk_id}" in meta
    if chunk.page_start is not None:
        assert meta.startswith((f"Page {chunk.page_start}", f"Pages {chunk.page_start}"))
    # A hit is a passage starting with its first chunk (SearchConfig.passage_chunks), rendered in the card.
    first.locator("details.passage summary").click()
    shown = " ".join(first.locator(".text").inner_text().split())
    assert shown.startswith(" ".join(chunk.text.replace("#", " ").split()[:6]))
    page.screenshot(path=str(shots / "search.png"))

    first.locator(".meta a").nth(1).click()
    page.wait_for_url("**/chunks/**")
    facts = page.locator("dl.facts").inner_text()
    assert chunk.doc_id in facts and chunk_id in facts

    page.click("a.button")
    page.wait_for_url("**/docs/**")
    if page.locator("a.textview").count():  # a PDF opens on its page; the text view is one click away
        page.click("a.textview")
        page.wait_for_selector("mark#hit")
    hit = page.locator("mark#hit")
    assert hit.is_visible() and chunk.text.startswith(hit.inner_text().strip()[:40])
    assert page.evaluate("() => { const r = document.getElementById('hit').getBoundingClientRect();"
                         " return r.top >= 0 && r.top < window.innerHeight; }")
    assert page.locator(".page-marker").count() >= 1
    page.screenshot(path=str(shots / "doc.png"))

    nav = page.locator("nav.pager a[rel=next], nav.pager a[rel=prev]")
    assert nav.count() >= 1
    nav.first.click()
    page.wait_for_selector("#hit")  # mark#hit in text, .hl#hit on a PDF page
    assert chunk_id not in page.locator("nav.pager .here").inner_text()


def test_script_in_a_document_is_shown_as_text_and_never_runs(page, live):
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(f"{live.url}/?q=paste+script+console")
    page.locator("li.card").first.wait_for()
    assert "<script>alert('xss')</script>" in page.locator("ol.results").inner_text()
    page.locator("li.card a.ctx").first.click()
    page.wait_for_selector("mark#hit")
    assert "<script>alert('xss')</script>" in page.locator("article.doc").inner_text()
    assert dialogs == []
