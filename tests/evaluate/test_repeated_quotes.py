"""A quote that occurs more than once in its document: a hit on any occurrence is relevant."""

from evalfixtures import MemoryIndex, make_chunks, make_doc, scripted_search
from mcdewey.evaluate.queries import Evidence, Query
from mcdewey.evaluate.runner import evaluate_index
from mcdewey.evaluate.spans import SpanResolver
from mcdewey.models import Document, PageSpan

NOTE = "Note: restart the daemon after changing this setting."
TEXT = (f"# Timers\n\nThe natping_interval sets how often keepalives are sent. {NOTE}\n\n"
        + "Filler about other matters. " * 8
        + f"\n\n# Modes\n\nThe db_mode parameter chooses the storage. {NOTE}\n")
DOC_ID = "kamailio/kamailio/5.7/modules/usrloc.md"


def _index(size: int = 80) -> MemoryIndex:
    doc = make_doc(DOC_ID, TEXT)
    return MemoryIndex("mem", {doc.doc_id: doc}, {doc.doc_id: make_chunks(doc, size)})


def test_every_occurrence_of_a_repeated_quote_is_kept():
    doc = make_doc(DOC_ID, TEXT)
    res = SpanResolver({DOC_ID: doc}.get).resolve(Evidence(DOC_ID, NOTE))
    assert res.ok and TEXT.index(NOTE) == res.start
    assert [TEXT[s:e] for s, e in res.spans()] == [NOTE[:-1], NOTE[:-1]]  # letters and digits: no final dot
    assert res.also[0][0] == TEXT.rindex(NOTE)


def test_a_quote_occurring_once_has_no_other_occurrences():
    doc = make_doc(DOC_ID, TEXT)
    res = SpanResolver({DOC_ID: doc}.get).resolve(Evidence(DOC_ID, "how often keepalives are sent"))
    assert res.ok and res.also == () and len(res.spans()) == 1


def test_an_offset_label_names_one_occurrence_only():
    doc = make_doc(DOC_ID, TEXT)
    from mcdewey.evaluate.spans import normalize
    hint = len(normalize(TEXT[:TEXT.rindex(NOTE)]))
    res = SpanResolver({DOC_ID: doc}.get).resolve(Evidence(DOC_ID, NOTE, norm_hint=hint))
    assert res.start == TEXT.rindex(NOTE) and res.also == ()


def test_on_a_labeled_page_only_that_pages_occurrences_count():
    page1 = f"{NOTE} Intro.\n"
    page2 = f"Details. {NOTE} More. {NOTE}\n"
    text = page1 + page2
    doc = Document(doc_id="v/p/1/g.pdf", vendor="v", product="p", version="1", title="t", text=text,
                   format="pdf", pages=[PageSpan(0, len(page1), 1), PageSpan(len(page1), len(text), 2)])
    res = SpanResolver({doc.doc_id: doc}.get).resolve(Evidence(doc.doc_id, NOTE, page=2))
    assert res.ok and [s for s, _ in res.spans()] == [text.index(NOTE, len(page1)), text.rindex(NOTE)]


def test_a_hit_on_the_second_copy_scores_as_relevant():
    index = _index()
    chunks = index.chunks[DOC_ID]
    second = next(c for c in chunks if c.start <= TEXT.rindex(NOTE) < c.end)
    first = next(c for c in chunks if c.start <= TEXT.index(NOTE) < c.end)
    assert second.chunk_id != first.chunk_id and not (first.start < second.end and second.start < first.end)
    query = Query("q1", "restart after setting change", (Evidence(DOC_ID, NOTE),), {}, ())
    run = evaluate_index(index, [query], "keyword", 10, scripted_search(index, {query.query: [second.chunk_id]}),
                         use_ragas=False)
    assert run.results[0].first_rank == 1 and run.results[0].metrics["ndcg@10"] == 1.0
    assert run.summary()["repeated_evidence"] == 1
