"""Loading query sets in the format of shared/evals/FORMAT.md."""

import json

import pytest

from mcdewey.evaluate.queries import QuerySetError, load_queries, query_to_dict
from mcdewey.models import Filters

LINE = {"id": "ovs-0", "query": "What is Bareudp?",
        "relevant": [{"doc": "openvswitch/openvswitch/3.1.0/docs/faq/bareudp.html", "page": None,
                      "quote": "The Bareudp tunnel provides a generic L3 encapsulation support"}],
        "filters": {"product": "openvswitch"}, "tags": ["faq", "verbatim"]}


def _write(path, *objs):
    path.write_text("\n".join(json.dumps(o) for o in objs) + "\n\n")
    return path


def test_load_file_and_folder(tmp_path):
    _write(tmp_path / "a.jsonl", LINE)
    _write(tmp_path / "b.jsonl", {**LINE, "id": "ovs-1", "filters": None, "tags": None})
    (tmp_path / "notes.txt").write_text("ignored")
    one = load_queries(tmp_path / "a.jsonl")
    assert len(one) == 1 and one[0].relevant[0].page is None
    assert one[0].search_filters() == Filters(product="openvswitch")
    both = load_queries(tmp_path)
    assert [q.id for q in both] == ["ovs-0", "ovs-1"]
    assert both[1].search_filters() is None and both[1].tags == ("set:b",)
    assert one[0].tags == ("faq", "verbatim", "set:a")
    assert query_to_dict(one[0]) == {k: v for k, v in LINE.items()}


@pytest.mark.parametrize("bad, message", [
    ({**LINE, "relevant": []}, "relevant"),
    ({**LINE, "relevant": [{"doc": "x"}]}, "quote"),
    ({**LINE, "relevant": [{"doc": "x", "quote": "q", "page": 0}]}, "page"),
    ({**LINE, "filters": {"team": "x"}}, "filters"),
])
def test_bad_lines_name_file_and_line(tmp_path, bad, message):
    path = _write(tmp_path / "s.jsonl", LINE | {"id": "first"}, bad)
    with pytest.raises(QuerySetError, match=rf"s\.jsonl:2: .*{message}"):
        load_queries(path)


def test_duplicate_ids_across_files(tmp_path):
    _write(tmp_path / "a.jsonl", LINE)
    _write(tmp_path / "b.jsonl", LINE)
    with pytest.raises(QuerySetError, match="duplicate id"):
        load_queries(tmp_path)


def test_shared_sets_load():
    from pathlib import Path

    root = Path(__file__).resolve().parents[3] / "shared" / "evals"  # ../shared, beside the repo
    if not root.is_dir():
        pytest.skip("shared query sets not on this machine")
    assert len(load_queries(root / "dev")) == 40
    assert len(load_queries(root / "faq")) == 278
    both = load_queries(root)
    assert sum("set:dev" in q.tags for q in both) == 40 and sum("set:faq" in q.tags for q in both) == 278
