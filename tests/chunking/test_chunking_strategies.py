"""Each strategy on small hand-built documents with known answers."""

from __future__ import annotations

import numpy as np
import pytest
from chunkdocs import DocBuilder, prose

from mcdewey import embeddings
from mcdewey.chunking import Layout, get_chunker, make_chunk
from mcdewey.models import Document
from mcdewey.tokens import get_tokenizer

TOK = get_tokenizer("fake")


def chunk(name: str, doc: Document, **params):
    return get_chunker(name, model="fake", **params).chunk(doc)


def sized_doc() -> Document:
    """Two chapters: a short one and a long one with two subsections."""
    return (
        DocBuilder(doc_id="kamailio/kamailio/5.6.3/modules/README.acc", title="ACC")
        .heading(1, "Overview").block(prose(40))
        .heading(1, "Parameters").block(prose(30, 1))
        .heading(2, "db_url").block(prose(150, 2)).block(prose(150, 3))
        .heading(2, "log_level").block(prose(20, 4))
        .build()
    )


# --- ids and offsets ----------------------------------------------------------------------
def test_chunk_ids_follow_the_issue_examples():
    doc = sized_doc()
    chunks = chunk("recursive", doc, max_tokens=100)
    assert chunks[0].chunk_id == "kamailio::5.6.3::modules::README.acc::0"
    pdf = DocBuilder(doc_id="cisco/cucm/v15/jtapi-dev-guide/jtapi-dev-guide.pdf").block(prose(30000)).build()
    ids = [c.chunk_id for c in chunk("fixed", pdf, max_tokens=100, overlap=0)]
    assert ids[253] == "cucm::v15::jtapi-dev-guide::jtapi-dev-guide::253"


@pytest.mark.parametrize("text", ["", " ", "\n\n\t  \n"])
@pytest.mark.parametrize("name", ["fixed", "recursive", "section", "page", "semantic"])
def test_empty_documents_have_no_chunks(name, text):
    doc = DocBuilder().build()
    doc.text = text
    assert chunk(name, doc) == []


def test_make_chunk_fills_pages_sections_and_tokens():
    doc = DocBuilder(title="Guide").page(1, "i").heading(1, "Intro").block("alpha beta").page(2, "1").block("gamma").build()
    c = make_chunk(doc, 3, doc.text.index("beta"), len(doc.text), TOK, context=True)
    assert (c.page_start, c.page_end, c.page_label_start, c.page_label_end) == (1, 2, "i", "1")
    assert c.section == ("Intro",) and c.text == "beta\n\ngamma" and c.tokens == 2
    assert c.embed_text == "Guide > Intro\n\nbeta\n\ngamma"
    assert c.chunk_id.endswith("::3")


# --- recursive ----------------------------------------------------------------------------
def test_recursive_keeps_small_sections_whole_and_starts_chunks_at_headings():
    doc = sized_doc()
    chunks = chunk("recursive", doc, max_tokens=120, min_tokens=20)
    assert all(c.tokens <= 120 for c in chunks)
    # Overview and Parameters fit together: merged; db_url is too long: split on its own.
    assert chunks[0].text == "# Overview\n\n" + prose(40) + "\n\n# Parameters\n\n" + prose(30, 1)
    assert chunks[1].text.startswith("## db_url\n\n")
    assert chunks[-1].text.startswith("## log_level") or chunks[-1].text.endswith(prose(20, 4))
    assert not any(c.text.rstrip().endswith(("# Parameters", "## db_url", "## log_level")) for c in chunks)


def test_recursive_merges_a_heading_into_the_long_section_it_introduces():
    doc = DocBuilder().heading(1, "Title").heading(2, "Long").block(prose(400)).build()
    chunks = chunk("recursive", doc, max_tokens=100, min_tokens=10)
    assert chunks[0].text.startswith("# Title\n\n## Long\n\n")
    assert chunks[0].section == ("Title",)


def test_recursive_prefers_paragraphs_then_sentences():
    paragraphs = [prose(30, i) for i in range(6)]
    doc = DocBuilder().block(paragraphs[0]).block(paragraphs[1]).block(paragraphs[2]).build()
    per_paragraph = TOK.count(paragraphs[0])
    chunks = chunk("recursive", doc, max_tokens=per_paragraph + 5, min_tokens=0)
    assert [c.text for c in chunks] == paragraphs[:3]
    one = DocBuilder().block(prose(60)).build()
    chunks = chunk("recursive", one, max_tokens=20, min_tokens=0)
    assert all(c.text.endswith(".") for c in chunks[:-1])  # sentence ends, not mid-sentence


def test_recursive_cuts_unbroken_text_at_tokens():
    doc = DocBuilder().block("日本語" * 100).build()  # one token per character, no spaces
    chunks = chunk("recursive", doc, max_tokens=64)
    assert [c.tokens for c in chunks] == [64, 64, 64, 64, 44]
    assert "".join(c.text for c in chunks) == doc.text


def test_min_tokens_merges_a_small_tail():
    doc = DocBuilder().block(prose(100)).block("Short end.").build()
    size = TOK.count(prose(100))
    with_merge = chunk("recursive", doc, max_tokens=size + 10, min_tokens=20)
    without = chunk("recursive", doc, max_tokens=size + 10, min_tokens=0)
    assert len(with_merge) == 1 and len(without) == 1  # fits: the greedy merge takes it anyway
    tight = chunk("recursive", doc, max_tokens=size, min_tokens=20)
    assert tight[-1].text == "Short end." and len(tight) == 2  # cannot fit: stays on its own


# --- fixed --------------------------------------------------------------------------------
def test_fixed_windows_have_exact_size_and_overlap():
    doc = DocBuilder().block(" ".join(f"w{i}" for i in range(1000))).build()
    chunks = chunk("fixed", doc, max_tokens=100, overlap=20)
    layout = Layout(doc, TOK, 100)
    assert [c.tokens for c in chunks[:-1]] == [100] * (len(chunks) - 1)
    for a, b in zip(chunks, chunks[1:]):
        assert layout.tokens(b.start, a.end) == 20
    assert chunks[-1].end == len(doc.text)
    n = TOK.count(doc.text)
    assert len(chunks) == 1 + -(-(n - 100) // 80)  # 1 + ceil((n - size) / step)


def test_fixed_counts_what_the_model_counts():
    doc = DocBuilder().block(prose(500)).build()
    for c in chunk("fixed", doc, max_tokens=50, overlap=0):
        assert TOK.count(c.text) == c.tokens <= 50


# --- section ------------------------------------------------------------------------------
def test_section_one_chunk_per_section_tiny_merged_large_split():
    doc = sized_doc()
    overview, parameters = TOK.count("# Overview\n\n" + prose(40)), TOK.count("# Parameters\n\n" + prose(30, 1))
    assert parameters < overview
    chunks = chunk("section", doc, max_tokens=200, min_tokens=parameters + 1)
    texts = [c.text for c in chunks]
    assert texts[0] == "# Overview\n\n" + prose(40)
    # "Parameters" is under min_tokens: grouped with "db_url"; the group is too large, and is split
    # where the "db_url" heading can still start a chunk.
    assert texts[1] == "# Parameters\n\n" + prose(30, 1)
    assert texts[2].startswith("## db_url\n\n")
    assert all(c.tokens <= 200 for c in chunks)
    assert texts[-1].startswith("## log_level") or texts[-1].endswith(prose(20, 4))
    assert [c.section for c in chunks][:2] == [("Overview",), ("Parameters",)]


def test_section_uses_section_spans_without_heading_lines():
    doc = (DocBuilder(emit_headings=False).heading(1, "A").block(prose(60)).heading(1, "B").block(prose(60, 1))
           .build())
    chunks = chunk("section", doc, max_tokens=200, min_tokens=10)
    assert [c.text for c in chunks] == [prose(60), prose(60, 1)]
    assert [c.section for c in chunks] == [("A",), ("B",)]


# --- page ---------------------------------------------------------------------------------
def test_page_one_chunk_per_page_and_long_pages_split():
    doc = (DocBuilder().page(1, "i").block(prose(50)).page(2, "1").block(prose(40, 1)).block(prose(40, 2))
           .page(3, "2").block(prose(600, 3)).build())
    chunks = chunk("page", doc, max_tokens=254)
    assert [(c.page_start, c.page_end) for c in chunks[:2]] == [(1, 1), (2, 2)]
    assert chunks[1].page_label_start == "1"
    assert chunks[1].text == prose(40, 1) + "\n\n" + prose(40, 2)
    third = [c for c in chunks if c.page_start == 3]
    assert len(third) >= 3 and all(c.page_end == 3 and c.tokens <= 254 for c in third)


def test_page_falls_back_to_sections_without_pages():
    doc = sized_doc()
    assert [c.text for c in chunk("page", doc)] == [c.text for c in chunk("section", doc)]


# --- context ------------------------------------------------------------------------------
def test_context_prefixes_the_embedded_text_only():
    doc = sized_doc()
    plain = chunk("recursive", doc, max_tokens=100, context=False)
    ctx = chunk("recursive", doc, max_tokens=100, context=True)
    assert [c.text for c in ctx] == [c.text for c in plain]  # short prefixes: same chunks
    assert ctx[0].embed_text == "ACC > Overview\n\n" + ctx[0].text
    deep = next(c for c in ctx if c.section == ("Parameters", "db_url"))
    assert deep.embed_text.startswith("ACC > Parameters > db_url\n\n")
    assert all(c.embed_text == c.text for c in plain)


def test_context_repeated_title_is_not_repeated():
    doc = DocBuilder(title="Overview").heading(1, "Overview").block("text").build()
    assert chunk("section", doc, context=True)[0].embed_text == "Overview\n\n# Overview\n\ntext"


def test_context_shrinks_chunks_only_when_the_prefix_would_not_fit():
    long_title = "Very long title " * 20  # 60 tokens
    doc = DocBuilder(title=long_title).block(prose(2000)).build()
    chunks = chunk("recursive", doc, max_tokens=254, context=True, min_tokens=0)
    prefix = TOK.count(long_title)
    assert max(c.tokens for c in chunks) <= 254 - prefix
    assert max(TOK.count(c.embed_text) for c in chunks) <= TOK.max_text_tokens
    short = chunk("recursive", doc, max_tokens=100, context=True, min_tokens=0)
    assert max(c.tokens for c in short) > 90  # the prefix fits beside 100 tokens: no shrinking


# --- semantic -----------------------------------------------------------------------------
class TopicEmbedder:
    """Sentences about cats point one way, sentences about routers another."""

    name, dim = "topics", 2

    def embed_documents(self, texts):
        vecs = np.array([[1.0, 0.1] if "cat" in t else [0.1, 1.0] for t in texts], dtype=np.float32)
        return vecs / np.linalg.norm(vecs, axis=1, keepdims=True)


def test_semantic_breaks_where_the_topic_changes(monkeypatch):
    monkeypatch.setattr(embeddings, "get_embedder", lambda model=None, backend=None: TopicEmbedder())
    cats = " ".join(f"The cat number {i} sleeps." for i in range(8))
    routers = " ".join(f"Router {i} forwards packets." for i in range(8))
    doc = DocBuilder().block(cats + " " + routers + " " + cats).build()
    chunks = chunk("semantic", doc, max_tokens=200, min_tokens=5, breakpoint_percentile=80)
    assert [c.text for c in chunks] == [cats, routers, cats]


def test_semantic_respects_the_bound_and_min_tokens(monkeypatch):
    monkeypatch.setattr(embeddings, "get_embedder", lambda model=None, backend=None: TopicEmbedder())
    text = " ".join("The cat sleeps." if i % 2 else "Router forwards." for i in range(200))
    doc = DocBuilder().block(text).build()
    chunks = chunk("semantic", doc, max_tokens=40, min_tokens=12)
    assert all(c.tokens <= 40 for c in chunks)
    assert all(c.tokens >= 12 for c in chunks[:-1])


def test_semantic_uses_the_embedding_cache_when_given_one(tmp_path, monkeypatch):
    from mcdewey.embeddings import EmbeddingCache

    doc = DocBuilder().block(" ".join(f"Route {i} goes via peer {i * 7}." for i in range(60))).build()
    cache = EmbeddingCache(tmp_path / "vectors.sqlite")
    cached = get_chunker("semantic", model="fake", breakpoint_percentile=50).with_cache(cache)
    try:
        first = cached.chunk(doc)
        stored = cache._conn.execute("SELECT count(*) FROM vectors").fetchone()[0]
        with monkeypatch.context() as m:  # a second run must not need the model at all
            m.setattr(embeddings.FakeEmbedder, "embed_documents", lambda self, texts: 1 / 0)
            again = cached.chunk(doc)
    finally:
        cache.close()
    assert stored == 60 and again == first
    assert first == chunk("semantic", doc, breakpoint_percentile=50)  # uncached: the same chunks
