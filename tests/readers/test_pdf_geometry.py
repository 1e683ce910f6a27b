"""Aligning Document text with pdfium's text: the edits the PDF reader makes must not lose the passage."""

from __future__ import annotations

from mcdewey.pdf_geometry import align, keyed, matched_chars


def test_keyed_keeps_letters_and_digits_with_their_positions():
    assert keyed("a-b ﬁ 2") == ("abfi2", [0, 2, 4, 4, 6])


def test_align_skips_a_running_header_the_reader_dropped():
    doc = keyed("Configure the BGP hold timer with bgp timers. The default is 180 seconds.")[0]
    pdf = keyed("Configure the BGP hold timer with ACME Router Guide 12 bgp timers. The default is 180 seconds.")[0]
    mapping = align(doc, pdf)
    assert all(m >= 0 for m in mapping)
    assert "".join(pdf[m] for m in mapping) == doc
    assert mapping == sorted(mapping)


def test_align_leaves_text_the_pdf_lacks_unmatched():
    doc = keyed("first part of the page text INSERTEDWORDS second part of the page text")[0]
    pdf = keyed("first part of the page text second part of the page text")[0]
    mapping = align(doc, pdf)
    missing = "".join(ch for ch, m in zip(doc, mapping) if m < 0)
    assert missing == "insertedwords"


def test_matched_chars_cover_the_span_and_the_spaces_inside_it():
    page_doc_text = "# Title\n\nAlpha beta gamma.\n\nDelta epsilon."
    chars = "Title\r\nAlpha beta gam\ufffema.\r\nDelta epsilon.\r\nFooter 3"
    lo = page_doc_text.index("beta")
    hi = page_doc_text.index("Delta") + len("Delta")
    picked = matched_chars(page_doc_text, lo, hi, chars)
    assert "".join(chars[i] for i in picked) == "beta gam\ufffema.\r\nDelta"
    end = page_doc_text.index("epsilon.") + len("epsilon")
    tail = matched_chars(page_doc_text, lo, end, chars)
    assert "".join(chars[i] for i in tail).endswith("Delta epsilon.")  # the closing full stop too


def test_punctuation_opening_the_passage_is_part_of_it():
    page_doc_text = "Options:\n\n{extra, list()}\n\nMore."
    chars = "Options:\r\n{extra, list()}\r\nMore."
    lo = page_doc_text.index("{")
    picked = matched_chars(page_doc_text, lo, lo + len("{extra, list()}"), chars)
    assert "".join(chars[i] for i in picked) == "{extra, list()}"
