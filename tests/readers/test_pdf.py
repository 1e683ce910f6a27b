"""The PDF reader: physical pages and labels, running headers/footers, hyphenation, outline headings."""

from collections import Counter

import pytest

from data.build import FACTS, PDF_LABELS, ROUTER_TITLE
from mcdewey.library import read_document
from mcdewey.readers.pdf import join_soft_hyphens, strip_running_lines

GUIDE = "acme/router/1.0/guide/router-guide.pdf"


@pytest.fixture(scope="module")
def guide(small_library):
    return read_document(small_library, GUIDE)


def test_one_span_per_physical_page_with_its_label(guide):
    assert [p.page for p in guide.pages] == [1, 2, 3, 4, 5, 6]
    assert [p.label for p in guide.pages] == PDF_LABELS
    starts = [p.start for p in guide.pages]
    assert starts == sorted(starts) and guide.pages[-1].end == len(guide.text)


def test_facts_sit_on_their_page(guide):
    for fact, page in (("bgp_timer_v1", 4), ("ospf_areas", 5), ("mtu", 6)):
        at = guide.text.index(FACTS[fact])
        span = guide.page_at(at)
        assert (span.page, span.label) == (page, PDF_LABELS[page - 1])
        assert span.start <= at < span.end


def test_running_header_and_footer_removed(guide):
    assert ROUTER_TITLE not in guide.text
    assert guide.title == ROUTER_TITLE
    for span in guide.pages:
        lines = guide.text[span.start:span.end].splitlines()
        assert lines and lines[-1].strip() != span.label


def test_line_end_hyphenation_joins_broken_words_only(guide):
    assert "management interface listens" in guide.text
    assert "end-to-end encryption" in guide.text
    assert "Neighbors are configured" in guide.text


def test_outline_headings_become_sections(guide):
    assert "# Chapter 2 BGP" in guide.text
    assert "## 3.1 Troubleshooting adjacency" in guide.text
    at = guide.text.index(FACTS["mtu"])
    assert guide.section_at(at) == ("Chapter 3 OSPF", "3.1 Troubleshooting adjacency")
    assert guide.section_at(guide.text.index(FACTS["bgp_timer_v1"])) == ("Chapter 2 BGP",)


def test_strip_running_lines_keeps_body_and_masks_page_numbers():
    words = "alpha beta gamma delta epsilon zeta eta theta".split()
    pages = [[f"Chapter {c}: Routing {n}", f"The {words[n - 1]} protocol is described here.", "Repeated body line.",
              f"Page {n} ends with {words[-n]}.", f"{n}"]
             for n, c in zip(range(1, 9), [1, 1, 1, 1, 2, 2, 2, 2])]
    pages.insert(0, ["Title page", "Some author"])
    strip_running_lines(pages)
    assert pages[0] == ["Title page", "Some author"]
    for n, lines in enumerate(pages[1:], 1):
        assert lines == [f"The {words[n - 1]} protocol is described here.", "Repeated body line.",
                         f"Page {n} ends with {words[-n]}."]


def test_hyphen_heuristic_prefers_the_documents_own_spelling():
    vocabulary = Counter({"well-known": 2, "firewall": 1})
    assert join_soft_hyphens("a well\ufffeknown port", vocabulary) == "a well-known port"
    assert join_soft_hyphens("the fire\ufffewall rules", vocabulary) == "the firewall rules"
    assert join_soft_hyphens("docu\ufffementation", Counter()) == "documentation"
    assert join_soft_hyphens("SNMPv2\ufffeMIB", Counter()) == "SNMPv2-MIB"
    assert join_soft_hyphens("self\ufffesigned", Counter()) == "self-signed"


def test_pdf_title_prefers_what_the_first_page_prints():
    from mcdewey.readers.pdf import pdf_title

    assert pdf_title("BIRD User's Guide", ["BIRD Programmer’s Documentation", "Ondrej Filip"], "prog") == "BIRD Programmer’s Documentation"
    assert pdf_title("The Debian GNU/Linux FAQ", ["The Debian GNU/Linux FAQ", "May 31, 2022"], "faq") == "The Debian GNU/Linux FAQ"
    assert pdf_title("talk.key", ["Asterisk and the ", "calendars"], "talk") == "Asterisk and the calendars"
    assert pdf_title("", ["Simple Network Management Protocol", "(SNMP)", "Copyright"], "snmp") == "Simple Network Management Protocol (SNMP)"
    assert pdf_title("Slide 1", ["▪"], "deck-2020") == "deck-2020"
