"""Result cards: rendered passages (safely), snippets with marked terms, hits grouped by document."""

from __future__ import annotations

import re
from html import unescape

from mcdewey.server.passages import cards, render_passage, render_snippet
from mcdewey.server.views import HitView
from mcdewey.snippets import best_sentences, query_terms, term_pattern

MD = """## disable_tls

**Alias name:** `tls_off`. Turn TLS off for one listener.

```c
modparam("tls", "disable", 1)
```

| key | value |
|---|---|
| port | 5061 |

Raw <script>alert('x')</script> and ![logo <b>](http://example.com/logo.png) stay text.
"""


def test_query_terms_drop_stopwords_and_repeats():
    assert query_terms("How do I enable TLS for SIP in Kamailio, TLS?") == ["enable", "tls", "sip", "kamailio"]


def test_best_sentences_pick_the_ones_with_most_terms_in_passage_order():
    text = ("Kamailio is a SIP server. It routes calls. To enable TLS, load the tls module. "
            "Then TLS for SIP is enabled on port 5061. Logging is unrelated.")
    assert best_sentences(text, "enable TLS for SIP", n=2) == [
        "To enable TLS, load the tls module.", "Then TLS for SIP is enabled on port 5061."]
    assert best_sentences(text, "zebra", n=3) == ["Kamailio is a SIP server.", "It routes calls."]


def test_markdown_renders_heading_code_table_and_nothing_raw():
    html = render_passage(MD, "markdown", term_pattern(["disable_tls", "tls"]))
    assert "<h2><mark>disable_tls</mark></h2>" in html and "Turn <mark>TLS</mark> off" in html
    assert '<pre><code class="language-c">modparam(&quot;tls&quot;' in html  # code stays code, unmarked
    assert "<table>" in html and "<td>5061</td>" in html
    assert "<strong>Alias name:</strong>" in html
    assert "<script" not in html and "&lt;script&gt;" in html
    assert "<img" not in html and "example.com" not in html  # images show alt text: no outside requests


def test_pdf_text_is_reflowed_into_paragraphs():
    text = "## Timers\n\nThe hold timer of a BGP ses-\nsion defaults to\n180 seconds.\n\nA second paragraph."
    html = render_passage(text, "pdf", term_pattern(["bgp"]))
    assert html == ("<h4>Timers</h4>\n<p>The hold timer of a <mark>BGP</mark> session defaults to 180 seconds.</p>\n"
                    "<p>A second paragraph.</p>")


def test_snippet_renders_inline_markdown_with_marks():
    snippet = render_snippet(MD, "markdown", "disable TLS")
    assert "<strong>Alias name:</strong>" in snippet and "<mark>TLS</mark>" in snippet
    assert "<h2>" not in snippet and "modparam" not in snippet


def _hit(rank, doc_id, text="Some text."):
    return HitView(rank=rank, score=1.0, chunk_id=f"{doc_id}::{rank}", doc_id=doc_id, vendor="v", product="p",
                   version="1", title=doc_id.upper(), source=doc_id, page=None, page_end=None, page_label=None,
                   page_label_end=None, section=[], text=text, url="/c", context_url="/d")


def test_neighbouring_hits_of_one_document_are_grouped():
    groups = cards([_hit(1, "a.md"), _hit(2, "a.md"), _hit(3, "b.pdf"), _hit(4, "a.md")], "text")
    assert [(g.doc_id, [c.hit.rank for c in g.cards]) for g in groups] == [
        ("a.md", [1, 2]), ("b.pdf", [3]), ("a.md", [4])]


def test_search_page_cards_show_marked_snippets_and_the_rendered_passage(http, served_index):
    page = http.get("/", params={"q": "bgp timers release 2.0", "mode": "keyword", "limit": 10})
    assert page.status_code == 200
    assert "<mark>" in page.text and page.text.count("<details class=\"passage\">") >= 1
    assert "Show the whole passage" in page.text
    assert '<pre><code># this comment is code, not a heading' in page.text  # routing.md's code block
    text = re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", page.text)))
    assert "```" not in text and "## BGP" not in text  # Markdown syntax is rendered, not shown


def test_marks_never_land_inside_an_escaped_entity():
    html = render_passage("a < b and lt stays", "text", term_pattern(["lt"]))
    assert html == "<p>a &lt; b and <mark>lt</mark> stays</p>"
