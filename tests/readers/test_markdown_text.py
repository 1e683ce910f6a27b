"""The Markdown/MDX and plain-text readers: front matter, MDX module and JSX lines, headings as sections."""

from data.build import FACTS
from mcdewey.library import read_document
from mcdewey.readers.base import DocInfo
from mcdewey.readers.markdown import read_markdown, split_front_matter
from mcdewey.readers.text import read_text


def test_front_matter_is_metadata_not_text(small_library):
    doc = read_document(small_library, "acme/router/2.0/guide/routing.md")
    assert doc.title == "Routing Guide 2.0"
    assert "FRONTMATTERNOISE" not in doc.text and "---" not in doc.text
    assert doc.text.startswith("# Routing Guide\n")  # setext heading written as ATX
    assert FACTS["bgp_timer_v2"] in doc.text


def test_fenced_code_does_not_make_headings(small_library):
    doc = read_document(small_library, "acme/router/2.0/guide/routing.md")
    assert "# this comment is code, not a heading" in doc.text
    assert [s.path for s in doc.sections] == [("Routing Guide",), ("Routing Guide", "BGP"), ("Routing Guide", "Static routes")]


def test_mdx_drops_imports_exports_and_jsx_only_lines(small_library):
    doc = read_document(small_library, "initech/gateway/latest/docs/overview.mdx")
    assert doc.format == "mdx" and doc.title == "Gateway Overview"
    for noise in ("import ", "Admonition", "<Tabs groupId", "</TabItem>", "JSXNOISE", "EXPORTNOISE"):
        assert noise not in doc.text, noise
    assert FACTS["e1"] in doc.text
    assert "Install the `initech-gw` package on Linux." in doc.text
    assert "<Tabs>\n<param" in doc.text  # inside a code fence: kept
    assert doc.section_at(doc.text.index("gateway.conf.xml")) == ("Initech Gateway", "Configuration")


def test_split_front_matter_tolerates_bad_yaml():
    meta, body, offset = split_front_matter("---\ntitle: [unclosed\n---\nBody\n")
    assert meta == {} and body == "Body\n" and offset == len("---\ntitle: [unclosed\n---\n")
    assert split_front_matter("No front matter\n---\n") == ({}, "No front matter\n---\n", 0)


def test_markdown_title_falls_back_to_first_h1(tmp_path):
    path = tmp_path / "x.md"
    path.write_text("Intro line\n\n# Real Title\n\nText.\n")
    doc = read_markdown(path, DocInfo("v/p/1/x.md", "v", "p", "1"))
    assert doc.title == "Real Title"
    assert doc.sections[0].start == doc.text.index("# Real Title")


def test_extensionless_text_readme(small_library):
    doc = read_document(small_library, "kamailio/kamailio/5.6.3/modules/README.acc")
    assert doc.format == "text" and doc.title == "Acc Module"
    assert FACTS["acc"] in doc.text
    assert doc.section_at(doc.text.index(FACTS["acc"])) == ("Acc Module", "Chapter 1. Admin Guide", "1. Overview")
    assert doc.section_at(doc.text.index("L_NOTICE"))[-1] == "2.1. log_level (integer)"
    assert "   Log level at which" in doc.text  # indentation of plain text is kept


def test_underlined_text_headings(tmp_path):
    path = tmp_path / "NOTES"
    path.write_text("Release notes\n=============\n\nFirst paragraph.\n\nKnown issues\n------------\n\nNone.\n")
    doc = read_text(path, DocInfo("v/p/1/NOTES", "v", "p", "1"))
    assert doc.text == "# Release notes\n\nFirst paragraph.\n\n## Known issues\n\nNone."
    assert [s.path for s in doc.sections] == [("Release notes",), ("Release notes", "Known issues")]


def test_renderer_markup_is_dropped_but_code_spans_kept():
    from mcdewey.readers.markdown import clean_markdown_line

    line = "Logs store timing\\. See [the guide](guide.md#x) and ![\\[CCP icon\\]](http://x/y.png) `a\\.b <b>c</b>`<br>"
    assert clean_markdown_line(line) == "Logs store timing. See the guide and [CCP icon] `a\\.b <b>c</b>`"
    assert clean_markdown_line("## Title<a name=\"t\"></a>") == "## Title"


def test_front_matter_only_file_is_skipped(tmp_path):
    import pytest

    from mcdewey.library import SkipFile

    path = tmp_path / "index.md"
    path.write_text("---\ntitle: Overview\n---\n")
    with pytest.raises(SkipFile, match="front matter only"):
        read_markdown(path, DocInfo("v/p/1/index.md", "v", "p", "1"))
