"""Quote-to-span resolution with the letters-and-digits rule of FORMAT.md."""

from mcdewey.evaluate.queries import Evidence
from mcdewey.evaluate.spans import NormText, SpanResolver, normalize
from mcdewey.models import Document, PageSpan


def _doc(text: str, doc_id: str = "v/p/1/doc.md", pages: list[PageSpan] | None = None) -> Document:
    return Document(doc_id=doc_id, vendor="v", product="p", version="1", title="t", text=text,
                    format="pdf" if pages else "markdown", pages=pages or [])


def _resolver(*docs: Document) -> SpanResolver:
    by_id = {d.doc_id: d for d in docs}
    return SpanResolver(by_id.get)


def _pdf() -> Document:
    page1 = "Chapter 1\nThe agent keeps a log. Logs are rotated every night and the old\n"
    page2 = "files are compressed with gzip.\nThe agent keeps a log.\n"
    page3 = "Index\n"
    text = page1 + page2 + page3
    a, b = len(page1), len(page1) + len(page2)
    pages = [PageSpan(0, a, 1, "i"), PageSpan(a, b, 2, "ii"), PageSpan(b, len(text), 3, "iii")]
    return _doc(text, "v/p/1/guide.pdf", pages)


def test_normalize_keeps_letters_and_digits_after_nfkc_casefold():
    assert normalize("Hello, World! 42") == "helloworld42"
    assert normalize("ﬁle Straße ²") == "filestrasse2"  # ligature, sharp s, superscript two


def test_norm_offsets_point_back_to_original_characters():
    view = NormText.build("A-b c")
    assert view.text == "abc"
    assert list(view.offsets) == [0, 2, 4]
    assert view.span(1, 2) == (2, 5)


def test_quote_across_a_page_break_resolves_on_its_labeled_page():
    doc = _pdf()
    quote = "the old files are compressed"
    res = _resolver(doc).resolve(Evidence(doc.doc_id, quote, page=1))
    assert res.ok and res.page == 1
    assert doc.text[res.start:res.end] == "the old\nfiles are compressed"
    assert doc.page_at(res.end - 1).page == 2


def test_repeated_quote_takes_the_occurrence_on_the_labeled_page():
    doc = _pdf()
    res = _resolver(doc).resolve(Evidence(doc.doc_id, "The agent keeps a log.", page=2))
    assert res.ok and res.page == 2
    assert res.start >= doc.pages[1].start


def test_quote_on_another_page_is_reported_with_the_pages_it_is_on():
    doc = _pdf()
    res = _resolver(doc).resolve(Evidence(doc.doc_id, "files are compressed with gzip", page=3))
    assert res.status == "wrong_page" and not res.ok
    assert res.found_pages == (2,)
    assert res.usable  # scoring may still use the span
    assert "page(s) [2]" in res.message()


def test_hyphenated_line_break_resolves():
    doc = _doc("Set the re-\ntransmission timer before configu-\nration of the peer.")
    res = _resolver(doc).resolve(Evidence(doc.doc_id, "retransmission timer before configuration"))
    assert res.ok
    assert doc.text[res.start:res.end] == "re-\ntransmission timer before configu-\nration"


def test_markdown_markup_inside_a_quote_resolves():
    doc = _doc("# Queues\n\nWhen a contact in the **Support** queue ages past `30` seconds, it is *priority 1*.")
    res = _resolver(doc).resolve(
        Evidence(doc.doc_id, "when a contact in the Support queue ages past 30 seconds, it is priority 1."))
    assert res.ok
    assert doc.text[res.start:res.end].startswith("When a contact in the **Support**")
    assert doc.text[res.start:res.end].endswith("*priority 1")


def test_markdown_link_target_is_skipped_when_the_plain_view_fails():
    doc = _doc("See the [installation guide](https://example.org/install.html) before you start.")
    res = _resolver(doc).resolve(Evidence(doc.doc_id, "See the installation guide before you start"))
    assert res.ok
    assert doc.text[res.start:res.end].startswith("See the [installation guide](")


def test_unresolved_quote_reports_the_closest_match():
    doc = _doc("Intro text. The relay server handles all read-only requests on its own. More text follows.")
    res = _resolver(doc).resolve(Evidence(doc.doc_id, "The relay server handles all read-write requests on its own"))
    assert res.status == "not_found" and not res.usable
    assert res.closest is not None
    assert 80 <= res.closest.score < 100
    assert "relay server handles all read" in res.closest.text
    assert "closest" in res.message()


def test_missing_document_and_empty_quote():
    doc = _doc("Some text here.")
    resolver = _resolver(doc)
    assert resolver.resolve(Evidence("v/p/1/other.md", "Some text here")).status == "missing_doc"
    assert resolver.resolve(Evidence(doc.doc_id, "... !!")).status == "empty_quote"


def test_offset_hint_picks_the_nearest_occurrence():
    doc = _doc("The UE attaches. Later the UE detaches.")
    second = doc.text.rindex("UE")
    hint = len(normalize(doc.text[:second])) - 2
    res = _resolver(doc).resolve(Evidence(doc.doc_id, "UE", norm_hint=hint))
    assert (res.start, res.end) == (second, second + 2)
    assert _resolver(doc).resolve(Evidence(doc.doc_id, "UE")).start == doc.text.index("UE")
