"""Headless Chromium over PDF page views and result cards; screenshots at desktop and phone width."""

from __future__ import annotations

import pytest

from server.test_browser import ARGS, CHROMIUM, browser  # noqa: F401  the shared browser fixture

pytestmark = [pytest.mark.slow]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def shots(tmp_path_factory):
    folder = tmp_path_factory.mktemp("screenshots")
    print(f"\nscreenshots in {folder}")
    return folder


def _page(browser, viewport):  # noqa: F811
    context = browser.new_context(viewport=viewport)
    return context, context.new_page()


def _overlap(a: dict, b: dict) -> float:
    w = min(a["x"] + a["width"], b["x"] + b["width"]) - max(a["x"], b["x"])
    h = min(a["y"] + a["height"], b["y"] + b["height"]) - max(a["y"], b["y"])
    return max(0, w) * max(0, h) / max(1e-9, b["width"] * b["height"])


def test_pdf_hit_opens_its_page_with_the_passage_highlighted(browser, live, served_index, shots):  # noqa: F811
    context, page = _page(browser, DESKTOP)
    page.goto(f"{live.url}/?q=BGP+hold+timer&mode=keyword&limit=10")
    card = page.locator("li.card", has=page.locator("code", has_text=".pdf")).first
    chunk_id = card.locator(".meta a").nth(1).inner_text()
    chunk = served_index.get_chunk(chunk_id)
    card.locator("a.ctx").click()
    page.wait_for_url("**/docs/**")
    image = page.locator(f"#page-{chunk.page_start} img")
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=image.element_handle())
    boxes = [b for b in page.request.get(f"{live.url}/api/chunks/{chunk_id}/boxes").json()["boxes"]
             if b["page"] == chunk.page_start]
    sheet = image.bounding_box()
    marks = page.locator(f"#page-{chunk.page_start} .hl")
    assert marks.count() == len(boxes) >= 1
    for i, b in enumerate(boxes):
        expected = {"x": sheet["x"] + b["x0"] * sheet["width"], "y": sheet["y"] + b["y0"] * sheet["height"],
                    "width": (b["x1"] - b["x0"]) * sheet["width"], "height": (b["y1"] - b["y0"]) * sheet["height"]}
        assert _overlap(marks.nth(i).bounding_box(), expected) > 0.9
    where = page.evaluate("() => { const r = document.getElementById('hit').getBoundingClientRect();"
                          " return [r.top, window.innerHeight, window.scrollY, document.body.scrollHeight]; }")
    assert 0 <= where[0] < where[1], where
    assert "printed" in page.locator(f"#page-{chunk.page_start} figcaption").inner_text()
    page.screenshot(path=str(shots / "pdf-page-desktop.png"))
    page.click("a.textview")
    page.wait_for_selector("mark#hit")
    context.close()


def test_markdown_hit_renders_a_heading_and_a_code_block(browser, live, shots):  # noqa: F811
    context, page = _page(browser, DESKTOP)
    page.goto(f"{live.url}/?q=bgp+timers+release+2.0&mode=keyword&limit=10")
    card = page.locator("li.card", has=page.locator("code", has_text="routing.md")).first
    assert card.locator(".snippet mark").count() >= 1
    assert card.locator(".snippet mark").first.inner_text().casefold() in {"bgp", "timers", "release", "2.0"}
    assert card.bounding_box()["height"] <= DESKTOP["height"] / 3  # a card takes at most a third of the screen
    summary = card.locator("details.passage summary")
    summary.focus()
    page.keyboard.press("Enter")  # keyboard alone opens the passage
    passage = card.locator("details.passage[open] .text")
    assert passage.locator("h1, h2, h3, h4").first.is_visible()
    assert passage.locator("pre code").first.is_visible()
    assert "router bgp 65001" in passage.locator("pre code").first.inner_text()
    page.screenshot(path=str(shots / "search-desktop.png"), full_page=True)
    context.close()


def test_phone_width_has_no_horizontal_scrolling(browser, live, served_index, shots):  # noqa: F811
    context, page = _page(browser, PHONE)
    page.goto(f"{live.url}/?q=BGP+hold+timer&mode=keyword&limit=10")
    page.locator("li.card").first.wait_for()
    for summary in page.locator("details.passage summary").all():
        summary.click()
    wide = "() => document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    assert page.evaluate(wide)
    page.screenshot(path=str(shots / "search-phone.png"), full_page=True)
    chunk = served_index.doc_chunks("acme/router/1.0/guide/router-guide.pdf")[-1]
    page.goto(f"{live.url}/docs/acme/router/1.0/guide/router-guide.pdf?chunk={chunk.chunk_id}")
    page.locator(".pdfpage img").first.wait_for()
    assert page.evaluate(wide)
    page.screenshot(path=str(shots / "pdf-page-phone.png"))
    context.close()
