"""The readers' documents through every cheap chunking strategy: chunk text is a slice of document text."""

import pytest

from mcdewey.library import iter_documents


@pytest.fixture(scope="module")
def documents(small_library):
    return list(iter_documents(small_library))


@pytest.mark.parametrize("strategy", ["fixed", "recursive", "section", "page"])
def test_every_chunk_is_a_slice_of_its_document(documents, strategy):
    from mcdewey.chunking import get_chunker

    chunker = get_chunker(strategy)
    ids = set()
    for doc in documents:
        chunks = chunker.chunk(doc)
        assert chunks, doc.doc_id
        for chunk in chunks:
            assert doc.text[chunk.start:chunk.end] == chunk.text
            assert chunk.chunk_id.startswith(doc.chunk_id_prefix + "::")
            ids.add(chunk.chunk_id)
            if doc.pages:
                assert chunk.page_start is not None and chunk.page_start <= chunk.page_end
    assert len(ids) == sum(len(chunker.chunk(d)) for d in documents)


def test_pdf_chunk_carries_page_label(documents):
    from mcdewey.chunking import get_chunker

    guide = next(d for d in documents if d.format == "pdf")
    chunks = get_chunker("page").chunk(guide)
    bgp = next(c for c in chunks if "hold timer defaults to 240" in c.text)
    assert (bgp.page_start, bgp.page_label_start) == (4, "2")
