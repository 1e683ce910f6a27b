"""The compare page and the "also in" card in headless Chromium (Debian's chromium, no browser download)."""

from __future__ import annotations

import shutil

import pytest

from server.test_browser import CHROMIUM, browser  # noqa: F401  the shared browser fixture

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not shutil.which(CHROMIUM), reason="needs chromium (make system-deps)")]


@pytest.fixture(scope="module")
def page(browser):  # noqa: F811
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    yield context.new_page()
    context.close()


def test_card_links_to_compare_which_shows_both_sides(page, vlive):
    page.goto(f"{vlive}/?q=fr_timer+transaction+timer+enable_tls&mode=keyword&limit=10")
    card = page.locator("li.card", has_text="enable_tls").first
    card.wait_for()
    assert "also in 1.0" in card.locator(".also-in").inner_text()
    card.locator("a.compare").click()
    page.wait_for_url("**/compare?**")
    changed = page.locator("li.section-change.changed").first
    changed.wait_for()
    assert page.locator("li.section-change").count() >= 1
    left, right = changed.locator(".side.from"), changed.locator(".side.to")
    assert left.locator("del").first.inner_text() == "240" and right.locator("ins").first.inner_text() == "90"
    box_l, box_r = left.bounding_box(), right.bounding_box()
    assert box_l["x"] + box_l["width"] <= box_r["x"] + 1 and abs(box_l["y"] - box_r["y"]) < 5  # side by side
    right.locator("a.context").click()
    page.wait_for_url("**/docs/sipco/proxy/2.0/**")
    assert "90 seconds" in page.locator("mark#hit").inner_text()


def test_compare_page_reports_a_missing_version(page, vlive):
    response = page.goto(f"{vlive}/compare?product=proxy&from=1.0&to=9.9")
    assert response.status == 400
    assert "2.0, 1.0" in page.locator("p.error").inner_text()
