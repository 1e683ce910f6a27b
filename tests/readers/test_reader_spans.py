"""Invariants every reader keeps: sections sorted, disjoint, covering the text from the first heading on."""

import pytest

from mcdewey.library import iter_documents


@pytest.fixture(scope="module")
def documents(small_library):
    return list(iter_documents(small_library))


def test_sections_are_sorted_disjoint_and_cover_from_first_heading(documents):
    with_sections = [d for d in documents if d.sections]
    assert len(with_sections) >= 7
    for doc in with_sections:
        spans = doc.sections
        assert all(s.start < s.end for s in spans), doc.doc_id
        assert all(a.end == b.start for a, b in zip(spans, spans[1:])), doc.doc_id
        assert spans[-1].end == len(doc.text), doc.doc_id
        if doc.format != "pdf":  # PDF outline entries may open a section without a printed heading
            assert doc.text[spans[0].start] == "#", doc.doc_id
            assert "\n#" not in "\n" + doc.text[: spans[0].start], doc.doc_id


def test_emitted_headings_open_their_section(documents):
    for doc in documents:
        for span in doc.sections:
            head = doc.text[span.start:span.end].split("\n", 1)[0]
            if head.startswith("#"):
                assert head.lstrip("#").strip() == span.path[-1], (doc.doc_id, head)


def test_pages_only_for_pdfs_and_inside_the_text(documents):
    for doc in documents:
        if doc.format != "pdf":
            assert doc.pages == []
            continue
        assert all(0 <= p.start <= p.end <= len(doc.text) for p in doc.pages)
        assert all(a.end <= b.start for a, b in zip(doc.pages, doc.pages[1:]))


def test_text_is_normalized(documents):
    for doc in documents:
        assert "\r" not in doc.text and "\n\n\n" not in doc.text and "\ufffe" not in doc.text, doc.doc_id
        assert doc.text == doc.text.strip("\n"), doc.doc_id
