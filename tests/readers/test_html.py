"""The HTML reader: main content only, headings as structure, tables and code kept, legacy encodings."""

import pytest

from data.build import FACTS
from mcdewey.library import read_document
from mcdewey.readers.base import DocInfo
from mcdewey.readers.html import decode_html, read_html

NOISE = ("SCRIPTNOISE", "SIDEBARNOISE", "NAVNOISE", "FOOTERNOISE", "¶", "Navigation")


@pytest.mark.parametrize("page", ["index", "provisioning", "troubleshooting"])
def test_sphinx_pages_keep_only_main_content(small_library, page):
    doc = read_document(small_library, f"globex/phone/3.1/manual/{page}.html")
    assert not [n for n in NOISE if n in doc.text]
    assert doc.text.startswith("# ")
    assert doc.title.endswith("GX-300 3.1 documentation")


def test_headings_tables_code_and_lists(small_library):
    doc = read_document(small_library, "globex/phone/3.1/manual/provisioning.html")
    assert FACTS["tftp"] in doc.text
    assert "## Speed dial" in doc.text
    assert "speed_dial.max | 12" in doc.text
    assert "provision --server tftp://10.0.0.5\n    --retries 3" in doc.text
    assert doc.section_at(doc.text.index(FACTS["speed_dial"])) == ("Provisioning", "Speed dial")
    trouble = read_document(small_library, "globex/phone/3.1/manual/troubleshooting.html")
    assert "- Check the NAT settings." in trouble.text
    assert "shows 403 Forbidden on the display" in trouble.text
    assert [s.path[-1] for s in trouble.sections] == ["Troubleshooting", "Audio problems", "Registration", "Expired credentials"]


def test_legacy_encoding_declared_in_meta(small_library):
    doc = read_document(small_library, "globex/phone/3.1/legacy/release-notes.html")
    assert FACTS["firmware"] in doc.text
    assert "«Société»" in doc.text


def test_undeclared_legacy_encoding_is_detected(tmp_path):
    text = "<html><body><h1>Réseau</h1><p>Le répertoire téléphonique est trié; la qualité vidéo dépend du débit " * 3
    path = tmp_path / "page.html"
    path.write_bytes((text + "</p></body></html>").encode("cp1252"))
    doc = read_html(path, DocInfo("v/p/1/page.html", "v", "p", "1"))
    assert "répertoire téléphonique" in doc.text
    assert doc.title == "Réseau"


def test_decode_html_reads_latin1_label_as_cp1252():
    raw = b'<meta charset="iso-8859-1"><p>\x93quoted\x94 caf\xe9</p>'
    assert "\u201cquoted\u201d café" in decode_html(raw)


def test_linuxdoc_navigation_links_dropped(tmp_path):
    path = tmp_path / "bird-3.html"
    path.write_text('<HTML><HEAD><TITLE>Guide: Config</TITLE></HEAD><BODY><A HREF="a">Next</A> <A HREF="b">Previous</A>'
                    '<A HREF="c">Contents</A><HR><H2><A NAME="s3">3.</A> <A HREF="x">Configuration</A></H2>'
                    '<P>See the <A HREF="y">next</A> chapter.<HR><A HREF="a">Next</A></BODY></HTML>')
    doc = read_html(path, DocInfo("v/p/1/bird-3.html", "v", "p", "1"))
    assert doc.text == "## 3. Configuration\n\nSee the next chapter."
