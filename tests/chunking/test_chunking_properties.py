"""Properties every strategy must keep, on generated documents."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mcdewey.chunking import Layout, get_chunker, list_strategies
from mcdewey.models import Document, make_chunk_id
from mcdewey.tokens import get_tokenizer

from chunkdocs import DocBuilder, documents

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
TOK = get_tokenizer("fake")


def _params(name: str, max_tokens: int, context: bool) -> dict:
    params = {"max_tokens": max_tokens, "context": context, "model": "fake"}
    if name in ("recursive", "section", "semantic"):
        params["min_tokens"] = max_tokens // 4
    if name == "fixed":
        params["overlap"] = max_tokens // 3
    return params


def _mid_word(text: str, pos: int) -> bool:
    return 0 < pos < len(text) and text[pos - 1].isalnum() and text[pos].isalnum()


def _retokenizes_alike(doc: Document, c) -> bool:
    """Whether the chunk's text alone must tokenize as it did in the document: not when a cut
    falls inside a word, nor beside a control character (the tokenizer drops \x1c-\x1f while
    Python counts them as whitespace; the readers remove control characters anyway)."""
    if _mid_word(doc.text, c.start) or _mid_word(doc.text, c.end):
        return False
    edges = doc.text[max(c.start - 1, 0) : c.start + 1] + doc.text[max(c.end - 1, 0) : c.end + 1]
    return not any(unicodedata.category(ch) in ("Cc", "Cf") and ch not in "\t\n\r" for ch in edges)


def check_chunks(doc: Document, chunks, name: str, params: dict) -> None:
    """Offsets, coverage, order, size bound, metadata and ids of one chunking of `doc`."""
    layout = Layout(doc, TOK, params["max_tokens"], params["context"])
    assert [c.chunk_id for c in chunks] == [make_chunk_id(doc.doc_id, i) for i in range(len(chunks))]
    assert bool(chunks) == bool(doc.text.strip())
    for c in chunks:
        assert doc.text[c.start : c.end] == c.text
        assert c.text and c.text == c.text.strip()
        assert c.tokens == layout.tokens(c.start, c.end) <= params["max_tokens"]
        if _retokenizes_alike(doc, c):
            assert TOK.count(c.text) == c.tokens
        check_metadata(doc, c)
        check_context(doc, c, params["context"])
    check_coverage(doc, chunks, layout, params.get("overlap", 0) if name == "fixed" else None)


def check_coverage(doc: Document, chunks, layout: Layout, overlap: int | None) -> None:
    """Chunks in order; between them only whitespace (or, for fixed, exactly `overlap` shared tokens)."""
    if not chunks:
        return
    assert not doc.text[: chunks[0].start].strip()
    assert not doc.text[chunks[-1].end :].strip()
    for prev, nxt in zip(chunks, chunks[1:]):
        assert prev.start < nxt.start
        if overlap is None or nxt.start >= prev.end:
            assert nxt.start >= prev.end and not doc.text[prev.end : nxt.start].strip()
        if overlap is not None:
            shared = layout.tokens(nxt.start, prev.end) if nxt.start < prev.end else 0
            # A window shrunk to fit a long context prefix keeps advancing by at least one token.
            assert shared == min(overlap, layout.budget(prev.start) - 1)


def check_metadata(doc: Document, c) -> None:
    assert (c.doc_id, c.vendor, c.product, c.version, c.title) == (
        doc.doc_id, doc.vendor, doc.product, doc.version, doc.title)
    if doc.pages:
        first, last = doc.page_at(c.start), doc.page_at(c.end - 1)
        assert (c.page_start, c.page_end) == (first.page, last.page)
        assert (c.page_label_start, c.page_label_end) == (first.label, last.label)
        assert c.page_start <= c.page_end
    else:
        assert c.page_start is c.page_end is None
    paths = {s.path for s in doc.sections} | {()}
    assert c.section in paths


def check_context(doc: Document, c, context: bool) -> None:
    if not context:
        assert c.embed_text == c.text
        return
    assert c.embed_text.endswith(c.text)
    prefix = c.embed_text[: len(c.embed_text) - len(c.text)]
    parts: list[str] = []
    for part in (doc.title, *c.section):
        part = " ".join(part.split())
        if part and (not parts or parts[-1].casefold() != part.casefold()):
            parts.append(part)
    expected = " > ".join(parts) + "\n\n" if parts else ""
    if TOK.count(expected) <= TOK.max_text_tokens // 2:
        assert prefix == expected
    else:  # an overlong prefix is cut to half the model input
        assert expected.startswith(prefix[:-2]) and prefix.endswith("\n\n")
    assert TOK.count(prefix) + c.tokens <= TOK.max_text_tokens


@pytest.mark.parametrize("name", ["fixed", "recursive", "section", "page", "semantic"])
@given(doc=documents(), max_tokens=st.integers(4, 80), context=st.booleans())
@SETTINGS
def test_strategy_properties(name, doc, max_tokens, context):
    params = _params(name, max_tokens, context)
    chunker = get_chunker(name, **params)
    chunks = chunker.chunk(doc)
    check_chunks(doc, chunks, name, params)
    assert chunker.chunk(doc) == chunks  # stable: the same ids and spans when chunked again


@pytest.mark.parametrize("name", ["fixed", "recursive", "section", "page", "semantic"])
@given(doc=documents())
@settings(SETTINGS, max_examples=25)
def test_default_parameters(name, doc):
    chunker = get_chunker(name, model="fake")
    params = {"max_tokens": chunker.max_tokens, "context": chunker.context, "overlap": getattr(chunker, "overlap", 0)}
    check_chunks(doc, chunker.chunk(doc), name, params)


def test_every_strategy_is_tested():
    assert set(list_strategies()) == {"fixed", "recursive", "section", "page", "semantic"}


@pytest.mark.parametrize("name", ["fixed", "recursive", "section", "page", "semantic"])
def test_long_context_prefix_fits(name):
    """A long context prefix (deep section path) still leaves chunk + prefix within the model input."""
    b = DocBuilder(title="T " * 200).page(1)
    for depth in range(1, 7):
        b.heading(depth, f"Level {depth} " + "word " * 30)
    b.block("alpha beta gamma. " * 300).page(2).block("delta epsilon. " * 300)
    doc = b.build()
    params = _params(name, 254, True)
    chunks = get_chunker(name, **params).chunk(doc)
    check_chunks(doc, chunks, name, params)
    assert max(TOK.count(c.embed_text) for c in chunks) <= TOK.max_text_tokens
    if name == "page":
        assert all(c.page_start == c.page_end for c in chunks)
