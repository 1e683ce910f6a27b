"""Reading a committed index: chunks by id, a document's chunks in order, neighbours, documents, summary."""

import pytest

from mcdewey.store import UnknownIndex


def test_get_chunk_and_doc_chunks_in_order(built):
    index, _ = built
    chunks = index.doc_chunks("initech/gateway/1.0/ref/chapter-0.md")
    assert len(chunks) > 3
    assert [c.index for c in chunks] == list(range(len(chunks)))
    assert index.get_chunk(chunks[2].chunk_id) == chunks[2]
    assert index.get_chunk("no::such::chunk::1") is None


def test_neighbours_stay_in_the_document_and_in_order(built):
    index, _ = built
    chunks = index.doc_chunks("initech/gateway/1.0/ref/chapter-0.md")
    around = index.neighbours(chunks[2].chunk_id, before=1, after=2)
    assert around == chunks[1:5]
    assert index.neighbours(chunks[0].chunk_id, before=3, after=0) == chunks[:1]
    assert index.neighbours(chunks[-1].chunk_id, before=0, after=5) == chunks[-1:]
    assert index.neighbours("no::such::chunk::1") == []


def test_get_document_holds_the_text_chunks_point_into(built):
    index, _ = built
    doc = index.get_document("acme/switch/1.0/manual/vlans.md")
    assert doc.vendor == "acme" and doc.format == "markdown"
    for chunk in index.doc_chunks(doc.doc_id):
        assert doc.text[chunk.start : chunk.end] == chunk.text
    assert index.get_document("acme/nothing.md") is None


def test_a_small_index_holds_every_document_text(built):
    index, _ = built
    assert not index.has_vector_index()
    docs = ["acme/switch/1.0/manual/vlans.md", "initech/gateway/1.0/ref/chapter-0.md"]
    assert index.document_texts([*docs, "acme/nothing.md"]) == {d: index.get_document(d).text for d in docs}
    assert len(index._memory_texts()) == len({r["doc_id"] for r in index.arrow(["doc_id"]).to_pylist()})


def test_document_texts_reads_only_the_texts_asked_for_in_one_query(built, monkeypatch):
    index, _ = built
    monkeypatch.setattr(index, "has_vector_index", lambda: True)  # as a large index reads them
    index.forget_documents()
    wanted = ["acme/switch/1.0/manual/vlans.md", "initech/gateway/1.0/ref/chapter-0.md"]
    expected = {d: index.get_document(d).text for d in wanted}
    queries = []
    search = index._documents.search
    monkeypatch.setattr(index._documents, "search", lambda *a, **kw: queries.append(a) or search(*a, **kw))
    texts = index.document_texts([*wanted, wanted[0], "acme/nothing.md"])
    assert texts == expected and len(queries) == 1
    assert index.document_texts(wanted) == texts and len(queries) == 1  # remembered: no second query
    index.forget_documents()
    assert index.document_texts(wanted[:1]) == {wanted[0]: texts[wanted[0]]} and len(queries) == 2


def test_document_texts_remembers_a_bounded_number(built, monkeypatch):
    from mcdewey import store

    index, _ = built
    monkeypatch.setattr(index, "has_vector_index", lambda: True)
    index.forget_documents()
    monkeypatch.setattr(store, "TEXTS_KEPT", 2)
    docs = [s["doc_id"] for s in index.arrow(["doc_id"]).to_pylist()]
    docs = list(dict.fromkeys(docs))[:3]
    for doc_id in docs:
        index.document_texts([doc_id])
    assert list(index._texts) == docs[1:]


def test_library_summary_counts_per_version(built):
    index, report = built
    summary = index.library_summary()
    assert {(s["vendor"], s["product"], s["version"]) for s in summary} >= {("acme", "router", "1.0"),
                                                                          ("globex", "phone", "3.1")}
    assert sum(s["documents"] for s in summary) == report.documents == 17
    assert sum(s["chunks"] for s in summary) == index.count() == report.chunks_total
    phone = next(s for s in summary if s["product"] == "phone")
    assert phone["documents"] == 2


def test_manifest_records_how_the_index_was_built(built):
    index, report = built
    m = index.manifest
    assert (m["strategy"], m["model"], m["backend"], m["dim"]) == ("recursive", "fake", "none", 384)
    assert m["params"]["max_tokens"] > 0
    assert m["counts"]["chunks"] == report.chunks_total and m["counts"]["documents"] == 17
    assert len(m["library"]["fingerprint"]) == 64 and m["built_at"] and m["mcdewey_version"]
    assert m["last_ingest"]["chunks_added"] == report.chunks_added


def test_unknown_index_names_the_existing_ones(built, workspace):
    with pytest.raises(UnknownIndex, match=r"existing: t\b.*mcdewey ingest"):
        workspace.open_index("nope")
