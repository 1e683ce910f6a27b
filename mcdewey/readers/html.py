"""HTML -> Document: the main content of a page (Sphinx, DocBook, AsciiDoc, LinuxDoc or plain), headings as `#`."""

from __future__ import annotations

import codecs
import re
from pathlib import Path

from selectolax.lexbor import LexborHTMLParser, LexborNode

from mcdewey.models import Document
from mcdewey.readers.base import DocInfo, ReadError, TextBuilder, clean_inline
from mcdewey.readers.encoding import decode_bytes

# Where generators put the page body, most specific first; the whole <body> is the fallback.
MAIN_SELECTORS = ("[role=main]", "main", "article", "div.body", "#content", "div.document")
# Navigation, chrome and assets inside the page that are not its content.
DROP_SELECTORS = (
    "script", "style", "noscript", "template", "nav", "header", "footer", "aside", "iframe", "svg",
    "form", "[role=navigation]", "[role=search]", ".navheader", ".navfooter", ".sphinxsidebar",
    ".related", ".headerlink", ".breadcrumb", ".breadcrumbs", "div.toc", ".footer", "#searchbox",
    "#header", "#footer", "#toc", "#toctitle",
)
# LinuxDoc-Tools pages start and end with bare links of these names.
_NAV_WORDS = {"next", "previous", "prev", "contents", "up", "home", "top"}
_BLOCK_TAGS = {
    "p", "div", "section", "article", "main", "blockquote", "dl", "dt", "dd", "ul", "ol", "li", "hr",
    "table", "tr", "figure", "figcaption", "caption", "center", "address", "details", "summary",
    "tbody", "thead", "tfoot", "body", "html", "menu", "fieldset", "legend",
}
_HEADINGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_:.-]+)""", re.I)
# Browsers read these labels as windows-1252 (WHATWG encoding standard), and so do we.
_AS_CP1252 = {"iso-8859-1", "latin1", "latin-1", "l1", "us-ascii", "ascii", "iso8859-1", "cp819"}


def decode_html(raw: bytes) -> str:
    """Bytes -> text: BOM, then the page's declared charset, then UTF-8, then a detected one."""
    for bom, enc in ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if raw.startswith(bom):
            return raw.decode(enc, "replace").lstrip("\ufeff")
    declared = _META_CHARSET.search(raw[:8192])
    if declared:
        enc = declared.group(1).decode("ascii").lower()
        enc = "cp1252" if enc in _AS_CP1252 else enc
        try:
            return raw.decode(enc)
        except (LookupError, UnicodeDecodeError):
            pass
    return decode_bytes(raw)


def read_html(path: Path, info: DocInfo) -> Document:
    """Read one HTML page; its <title> (or first h1) is the title."""
    tree = LexborHTMLParser(decode_html(path.read_bytes()))
    if tree.body is None:
        raise ReadError("HTML without a body")
    title_node = tree.css_first("title")
    title = clean_inline(title_node.text()) if title_node else ""
    main = main_content(tree)
    builder = TextBuilder()
    _Walker(builder).run(main)
    text, _, sections = builder.build()
    if not title:
        h1 = main.css_first("h1")
        title = clean_inline(h1.text()) if h1 else path.stem
    return info.document(title, text, "html", (), sections)


def main_content(tree: LexborHTMLParser) -> LexborNode:
    """The node holding the page's content, with navigation, scripts and styles removed."""
    main = next((n for sel in MAIN_SELECTORS if (n := tree.css_first(sel)) is not None), None)
    for sel in DROP_SELECTORS:
        for node in (main if main is not None else tree.body).css(sel):
            node.decompose()
    if main is None:
        main = tree.body
        for link in main.css("a"):
            if link.parent is None or link.parent.tag != "body":
                continue
            if clean_inline(link.text()).casefold() in _NAV_WORDS:
                link.decompose()
    return main


class _Walker:
    """Depth-first walk that turns block elements into paragraphs and keeps inline text together."""

    def __init__(self, builder: TextBuilder) -> None:
        self.builder = builder
        self.buffer: list[str] = []
        self.bullet = ""  # written before the first text of the current list item

    def run(self, node: LexborNode) -> None:
        self.walk(node)
        self.flush()

    def flush(self) -> None:
        text = "".join(self.buffer)
        self.buffer = []
        text = "\n".join(line for line in (re.sub(r"\s+", " ", ln).strip() for ln in text.split("\n")) if line)
        if text:
            self.builder.block(self.bullet + text)
            self.bullet = ""

    def walk(self, node: LexborNode) -> None:
        for child in node.iter(include_text=True):
            tag = child.tag
            if tag == "-text":
                self.buffer.append((child.text_content or "").replace("\n", " "))
            elif tag in _HEADINGS:
                self.flush()
                self.builder.heading(_HEADINGS[tag], child.text(deep=True))
            elif tag == "pre":
                self.flush()
                self.builder.block(child.text(deep=True), preformatted=True)
            elif tag == "table":
                self.flush()
                self.table(child)
            elif tag == "br":
                self.buffer.append("\n")
            elif tag == "li":
                self.flush()
                self.bullet = "- "
                self.walk(child)
                self.flush()
                self.bullet = ""
            elif tag in _BLOCK_TAGS:
                self.flush()
                self.walk(child)
                self.flush()
            elif tag and not tag.startswith("-") and tag not in ("img", "input", "button", "select"):
                self.walk(child)

    def table(self, table: LexborNode) -> None:
        """Rows as `cell | cell` lines; a cell holding a code block keeps its lines."""
        rows = []
        for row in table.css("tr"):
            cells = [_cell_text(cell) for cell in row.css("th, td")]
            if any(cells):
                rows.append(" | ".join(c for c in cells if c))
        self.builder.block("\n".join(rows))


def _cell_text(cell: LexborNode) -> str:
    """A table cell on one line, its paragraphs separated by spaces rather than glued together."""
    builder = TextBuilder()
    _Walker(builder).run(cell)
    return " ".join(builder.build()[0].split())
