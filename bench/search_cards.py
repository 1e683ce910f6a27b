"""Look at the search page of an export in headless Chromium: card heights, marks, and screenshots.

Usage: PYTHONPATH=. .venv/bin/python bench/search_cards.py EXPORT OUTDIR ["query" ...]
Prints, per query, each card's height at 1280 x 900 (closed), whether it holds a <mark>, and the
Markdown it renders (headings, code); writes desktop and phone screenshots to OUTDIR.
"""

from __future__ import annotations

import json
import socket
import sys
import threading
import time
from pathlib import Path
from urllib.parse import quote_plus

import uvicorn

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"]
QUERIES = ["How do I enable TLS for SIP in Kamailio"]


def serve(export: Path) -> str:
    from mcdewey.server.app import open_app

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(open_app(export), host="127.0.0.1", port=port, log_level="warning"))
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.05)
    return f"http://127.0.0.1:{port}"


def main() -> None:
    export, out = Path(sys.argv[1]), Path(sys.argv[2])
    queries = sys.argv[3:] or QUERIES
    out.mkdir(parents=True, exist_ok=True)
    url = serve(export)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        for n, query in enumerate(queries):
            for name, viewport in (("desktop", {"width": 1280, "height": 900}), ("phone", {"width": 390, "height": 844})):
                page = browser.new_page(viewport=viewport)
                page.goto(f"{url}/?q={quote_plus(query)}", timeout=120_000)
                cards = page.locator("li.card")
                rows = [{"source": c.locator(".meta code").first.inner_text(),
                         "height": round(c.bounding_box()["height"]),
                         "marks": c.locator(".snippet mark").count()} for c in cards.all()]
                wide = page.evaluate("() => document.documentElement.scrollWidth > document.documentElement.clientWidth")
                page.screenshot(path=str(out / f"q{n}-{name}.png"), full_page=True)
                print(json.dumps({"query": query, "viewport": name, "horizontal_scroll": wide, "cards": rows}))
                page.close()
        browser.close()


if __name__ == "__main__":
    main()
