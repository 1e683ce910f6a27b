"""The TeleQuAD loader on a tiny file of the same shape, and on the staged copy when it is present."""

import json

import pytest

from mcdewey.evaluate.spans import SpanResolver
from mcdewey.evaluate.telequad import DEFAULT_ROOT, load_telequad, write_library
from mcdewey.models import Document

CONTEXT = "The UE sends a request. The AMF answers the UE within T3510 seconds. The UE then waits."


def _file(tmp_path):
    s1 = CONTEXT.index("UE within")
    s2 = CONTEXT.index("T3510")
    data = {"data": [
        {"docid": "1", "title": "3GPP-Specs#24501#1", "source": "3GPP-Specs#24501", "paragraphs": [{
            "context": CONTEXT, "qas": [
                {"id": "a", "question": "Who does the AMF answer?", "is_impossible": False,
                 "answers": [{"text": "UE", "answer_start": s1, "answer_end": s1 + 2},
                             {"text": "UE within", "answer_start": s1, "answer_end": s1 + 9}]},
                {"id": "e", "question": "Who is answered?", "is_impossible": False,
                 "answers": [{"text": "UE", "answer_start": s1, "answer_end": s1 + 2}]},
                {"id": "b", "question": "Which timer?", "is_impossible": False,
                 "answers": [{"text": "T3510", "answer_start": s2, "answer_end": s2 + 5}]},
                {"id": "c", "question": "What does CTF stand for?", "is_impossible": True,
                 "answers": [{"text": "UE", "answer_start": 4, "answer_end": 6}]}]}]},
        {"docid": "2", "title": "Home", "source": "https://www.sharetechnote.com/x", "paragraphs": [{
            "context": "Which timer? T3510 again.", "qas": [
                {"id": "d", "question": "Which timer?", "is_impossible": False,
                 "answers": [{"text": "T3510", "answer_start": 13, "answer_end": 18}]}]}]},
    ]}
    path = tmp_path / "extractive" / "v4" / "TeleQuAD-v4-full.json"
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps(data))
    return tmp_path


def test_load_skips_unanswerable_and_merges_overlapping_answers(tmp_path):
    passages, queries = load_telequad(_file(tmp_path))
    assert [p.doc_id for p in passages] == ["telequad/telequad/v4/1.txt", "telequad/telequad/v4/2.txt"]
    assert [q.id for q in queries] == ["a", "e", "b", "d"]
    a = queries[0]
    assert len(a.relevant) == 1 and a.relevant[0].quote == "UE within"
    assert queries[3].tags == ("telequad", "sharetechnote")


def test_answer_resolves_at_its_own_offset_not_the_first_occurrence(tmp_path):
    passages, queries = load_telequad(_file(tmp_path))
    prefix = "# Heading\n\n"  # a reader may add layout (and letters) before the passage text
    doc = Document(passages[0].doc_id, "telequad", "telequad", "v4", "t", prefix + CONTEXT, "text")
    res = SpanResolver({doc.doc_id: doc}.get).resolve(queries[1].relevant[0])
    assert res.ok and res.start == len(prefix) + CONTEXT.index("UE within")  # the 2nd of three "UE"s


def test_merge_duplicates_joins_identical_questions(tmp_path):
    _, queries = load_telequad(_file(tmp_path), merge_duplicates=True)
    merged = [q for q in queries if q.query == "Which timer?"]
    assert len(merged) == 1 and {e.doc for e in merged[0].relevant} == {"telequad/telequad/v4/1.txt",
                                                                        "telequad/telequad/v4/2.txt"}


def test_write_library_is_idempotent(tmp_path):
    passages, _ = load_telequad(_file(tmp_path))
    root = write_library(passages, tmp_path / "lib")
    path = root / passages[0].doc_id
    assert path.read_text() == CONTEXT
    before = path.stat().st_mtime_ns
    write_library(passages, root)
    assert path.stat().st_mtime_ns == before


def test_staged_copy_counts():
    if not DEFAULT_ROOT.is_dir():
        pytest.skip("TeleQuAD not staged on this machine")
    passages, queries = load_telequad()
    assert (len(passages), len(queries)) == (536, 4262)  # as measured in the staged README
    assert len(load_telequad(limit=100)[1]) == 100


def test_bench_telequad_command(tmp_path):
    from typer.testing import CliRunner

    from mcdewey.cli import app

    root = _file(tmp_path / "tq")
    home = tmp_path / "home"
    result = CliRunner().invoke(app, ["bench", "telequad", "--root", str(root), "--model", "fake", "--json",
                                      "--home", str(home)])
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    assert set(out) == {"keyword", "vector", "hybrid", "qrels"}
    assert out["keyword"]["queries"] == 4 and out["keyword"]["unresolved_evidence"] == 0
    assert out["vector"]["hit@10"] == 1.0  # two chunks in all: vector search returns both
    # Keyword search cannot find passage 1 for "Which timer?" (neither word is in it): 3 of 4.
    assert out["keyword"]["hit@10"] == 0.75
    assert (home / "bench" / "telequad" / "report" / "report.html").is_file()
    assert (home / "bench" / "telequad" / "library" / "telequad" / "telequad" / "v4" / "2.txt").is_file()
