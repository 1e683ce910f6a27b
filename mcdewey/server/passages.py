"""Passages as HTML for result cards: Markdown rendered safely, PDF and text reflowed, query terms marked.

Everything that comes from a document is escaped: Markdown goes through markdown-it-py with raw HTML
and images disabled (no markup, no outside requests), other formats are escaped text in <p> and <h*>.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from functools import lru_cache

from markdown_it import MarkdownIt
from markupsafe import Markup

from mcdewey.server.views import HitView
from mcdewey.snippets import best_sentences, query_terms, term_pattern

_HEADING = re.compile(r"^(#{1,6}) +(.*)$")
_LIST_ITEM = re.compile(r"^\s*([-*•●▪■–]|\d+[.)]|[a-z][.)])\s+")
FORMATS = {".md": "markdown", ".mdx": "mdx", ".pdf": "pdf", ".html": "html", ".htm": "html"}


def doc_format(doc_id: str) -> str:
    name = doc_id.rsplit("/", 1)[-1]
    return FORMATS.get("." + name.rsplit(".", 1)[-1].lower() if "." in name else "", "text")


@lru_cache(maxsize=1)
def _markdown() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")
    # Text runs are escaped by us and get their <mark>s; images show their alt text (no outside requests).
    md.add_render_rule("text", lambda self, tokens, i, options, env: _marker(env.get("pattern"))(tokens[i].content))
    md.add_render_rule("image", lambda self, tokens, i, options, env: html.escape(tokens[i].content or "", quote=False))
    return md


def _marker(pattern: re.Pattern | None):
    """Escape text and wrap query terms in <mark>."""
    def mark(text: str) -> str:
        escaped = html.escape(text, quote=False)
        # One pass over the escaped text; the pattern never starts a match right after `&`, so no
        # term lands inside an entity such as `&lt;`.
        return pattern.sub(r"<mark>\g<0></mark>", escaped) if pattern else escaped
    return mark


def render_markdown(text: str, pattern: re.Pattern | None = None, inline: bool = False) -> str:
    md = _markdown()
    env = {"pattern": pattern}
    return md.renderInline(text, env) if inline else md.render(text, env)


def render_plain(text: str, fmt: str, pattern: re.Pattern | None = None) -> str:
    """PDF and text passages reflowed into paragraphs; HTML-derived text keeps its lines; `#` lines are headings."""
    mark = _marker(pattern)
    out = []
    for block in re.split(r"\n\s*\n", text.strip()):
        lines = [line.strip() for line in block.split("\n") if line.strip()]
        if not lines:
            continue
        heading = _HEADING.match(lines[0])
        if heading:
            level = min(6, len(heading.group(1)) + 2)
            out.append(f"<h{level}>{mark(heading.group(2))}</h{level}>")
            lines = lines[1:]
        if not lines:
            continue
        if fmt == "html" or sum(bool(_LIST_ITEM.match(line)) for line in lines) >= 2:
            out.append("<p class=\"lines\">" + "<br>".join(mark(line) for line in lines) + "</p>")
        else:
            out.append("<p>" + mark(_reflow(lines)) + "</p>")
    return "\n".join(out)


def _reflow(lines: list[str]) -> str:
    """Join layout lines into one paragraph; a line-end hyphen before a lowercase word joins the word."""
    text = lines[0]
    for line in lines[1:]:
        if text.endswith("-") and len(text) > 1 and text[-2].isalpha() and line[:1].islower():
            text = text[:-1] + line
        else:
            text = f"{text} {line}"
    return text


def render_passage(text: str, fmt: str, pattern: re.Pattern | None = None) -> str:
    if fmt in ("markdown", "mdx"):
        return render_markdown(text, pattern)
    return render_plain(text, fmt, pattern)


def render_snippet(text: str, fmt: str, query: str) -> str:
    """The best-matching sentences, each rendered (inline Markdown for Markdown), terms marked."""
    pattern = term_pattern(query_terms(query))
    parts = []
    for sentence in best_sentences(text, query):
        if fmt in ("markdown", "mdx"):
            parts.append(render_markdown(sentence, pattern, inline=True))
        else:
            parts.append(_marker(pattern)(sentence))
    return " <span class=\"gap\">…</span> ".join(parts)


@dataclass
class Card:
    hit: HitView
    snippet: Markup
    passage: Markup


@dataclass
class Group:
    """Hits of one document that ranked next to each other, shown under its title."""

    doc_id: str
    title: str
    cards: list[Card] = field(default_factory=list)

    @property
    def first(self) -> HitView:
        return self.cards[0].hit


def cards(hits: list[HitView], query: str) -> list[Group]:
    pattern = term_pattern(query_terms(query))
    groups: list[Group] = []
    for hit in hits:
        fmt = doc_format(hit.doc_id)
        card = Card(hit, Markup(render_snippet(hit.text, fmt, query)), Markup(render_passage(hit.text, fmt, pattern)))
        if groups and groups[-1].doc_id == hit.doc_id:
            groups[-1].cards.append(card)
        else:
            groups.append(Group(hit.doc_id, hit.title, [card]))
    return groups
