"""Large documents are chunked one segment at a time: same text coverage, consecutive ids, bounded pieces."""

from __future__ import annotations

from mcdewey.chunking import get_chunker
from mcdewey.chunking.segments import chunk_in_segments, segment_bounds
from mcdewey.ingest import ingest
from mcdewey.models import Document, PageSpan, SectionSpan
from mcdewey.search import search
from mcdewey.store import Workspace


def _big_doc(paragraphs: int) -> Document:
    paras = [f"Paragraph {i} talks about widget{i} and the router configuration in some detail." for i in
             range(paragraphs)]
    text = "# Big\n\n" + "\n\n".join(paras)
    half = len(text) // 2
    return Document("acme/big/1.0/big.md", "acme", "big", "1.0", "Big", text, "markdown",
                    pages=[PageSpan(0, half, 1), PageSpan(half, len(text), 2)],
                    sections=[SectionSpan(0, len(text), ("Big",))])


def test_segments_cover_the_text_and_cut_at_paragraphs():
    text = _big_doc(500).text
    bounds = list(segment_bounds(text, 4000))
    assert bounds[0][0] == 0 and bounds[-1][1] == len(text) and len(bounds) > 5
    assert all(a[1] == b[0] for a, b in zip(bounds, bounds[1:]))
    assert all(end - start <= 4000 for start, end in bounds)
    assert all(text[end - 2:end] == "\n\n" for _, end in bounds[:-1])


def test_segmented_chunks_refer_to_the_whole_document():
    doc = _big_doc(500)
    chunker = get_chunker("recursive", max_tokens=64)
    parts = list(chunk_in_segments(chunker, doc, max_chars=4000))
    chunks = [c for part in parts for c in part]
    assert len(parts) > 5
    assert [c.index for c in chunks] == list(range(len(chunks)))
    assert all(doc.text[c.start:c.end] == c.text for c in chunks)
    assert {c.page_start for c in chunks} == {1, 2} and all(c.section == ("Big",) for c in chunks)
    whole = chunker.chunk(doc)  # segment cuts fall on paragraph breaks: nearly the same chunks
    assert abs(len(whole) - len(chunks)) <= len(parts)


def test_a_document_larger_than_a_segment_is_ingested_whole(tmp_path, monkeypatch):
    from mcdewey.chunking import segments

    monkeypatch.setattr(segments, "SEGMENT_CHARS", 4000)
    monkeypatch.setattr(segments.chunk_in_segments, "__defaults__", (4000,))
    doc = _big_doc(500)
    path = tmp_path / "lib" / doc.doc_id
    path.parent.mkdir(parents=True)
    path.write_text(doc.text)
    workspace = Workspace(tmp_path / "home")
    report = ingest(tmp_path / "lib", workspace, "big", model="fake", progress=False)
    index = workspace.open_index("big")
    assert report.errors == 0 and index.count() == report.chunks_total
    assert index.manifest["files"][doc.doc_id]["chunks"] == report.chunks_total > 20
    ids = index.arrow(["chunk_id"])["chunk_id"].to_pylist()
    assert sorted(int(i.rsplit("::", 1)[1]) for i in ids) == list(range(len(ids)))
    hit = search(index, "widget499", k=1, mode="keyword")[0]
    assert "widget499" in hit.chunk.text


def test_a_failure_in_a_later_segment_takes_back_the_documents_chunks(tmp_path, monkeypatch):
    from mcdewey import ingest as ingest_module
    from mcdewey.chunking import segments

    real = segments.chunk_in_segments

    def failing(chunker, doc, max_chars=4000):
        for i, part in enumerate(real(chunker, doc, 4000)):
            if doc.doc_id.endswith("big.md") and i == 3:
                raise MemoryError("segment 3 failed")
            yield part

    monkeypatch.setattr(segments, "chunk_in_segments", failing)
    monkeypatch.setattr(ingest_module, "EMBED_BATCH", 8)
    monkeypatch.setattr(ingest_module, "WRITE_BATCH", 8)  # earlier segments are written before the failure
    doc = _big_doc(500)
    for rel, text in ((doc.doc_id, doc.text), ("acme/big/1.0/small.md", "# Small\n\nThe gateway keeps working.\n")):
        (tmp_path / "lib" / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "lib" / rel).write_text(text)
    workspace = Workspace(tmp_path / "home")
    report = ingest(tmp_path / "lib", workspace, "big", model="fake", progress=False)
    assert report.problems == [{"path": doc.doc_id, "kind": "error", "reason": "MemoryError: segment 3 failed"}]
    index = workspace.open_index("big")
    assert set(index.arrow(["doc_id"])["doc_id"].to_pylist()) == {"acme/big/1.0/small.md"}
    assert index.count() == report.chunks_total == index.manifest["counts"]["chunks"]
