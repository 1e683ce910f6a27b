"""TeleQuAD extractive v4 as a passage-retrieval benchmark, built at run time from the unmodified file.

The data is CC BY-ND 4.0 (Ericsson): converted forms may be used but never shared, so the passages
are written as a throw-away library under the workspace (`<home>/bench/telequad/library/`), never
into the repository. Passages become `telequad/telequad/v4/<docid>.txt`; answerable questions become
queries whose evidence is their answer spans (overlapping answer spans merged; the original offset,
in letters and digits, picks the right occurrence of a short answer).

Qrels choice for questions asked on more than one passage (68 texts): by default each question is
keyed by its own id and only its own passage is relevant, so a generic question ("What is RB?")
answered by another passage counts as a miss. `merge_duplicates=True` merges identical answerable
question texts into one query whose evidence is every passage's answer spans.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from mcdewey.evaluate.queries import Evidence, Query
from mcdewey.evaluate.spans import normalize

DEFAULT_ROOT = Path("../shared/benchmarks/telequad/upstream")  # relative to the repo root, where commands run
DATA_FILE = Path("extractive/v4/TeleQuAD-v4-full.json")
DOC_PREFIX = "telequad/telequad/v4"


@dataclass(frozen=True)
class Passage:
    docid: str
    title: str
    source: str
    text: str

    @property
    def doc_id(self) -> str:
        return f"{DOC_PREFIX}/{self.docid}.txt"

    @property
    def kind(self) -> str:
        """Where the passage comes from: 3gpp-spec, sharetechnote or 3gpp-web."""
        if self.source.startswith("3GPP-Specs"):
            return "3gpp-spec"
        return "sharetechnote" if "sharetechnote" in self.source else "3gpp-web"


def find_data(root: Path | str | None = None) -> Path:
    """The extractive v4 JSON under `root` (the `upstream/` folder, or the benchmark folder above it)."""
    root = Path(root or DEFAULT_ROOT)
    for candidate in (root / DATA_FILE, root / "upstream" / DATA_FILE, root):
        if candidate.is_file():
            return candidate
    raise FileNotFoundError(f"TeleQuAD extractive v4 not found under {root} (expected {DATA_FILE})")


def load_telequad(root: Path | str | None = None, merge_duplicates: bool = False,
                  limit: int | None = None) -> tuple[list[Passage], list[Query]]:
    """Passages and answerable queries; `limit` keeps every n-th query so all passages stay covered."""
    data = json.loads(find_data(root).read_text(encoding="utf-8"))["data"]
    passages, queries = [], []
    for doc in data:
        for par in doc["paragraphs"]:  # exactly one per document in v4
            passage = Passage(str(doc["docid"]), doc.get("title", ""), doc.get("source", ""), par["context"])
            passages.append(passage)
            queries.extend(_queries(passage, par["qas"]))
    if merge_duplicates:
        queries = _merge(queries)
    if limit and limit < len(queries):
        step = len(queries) / limit
        queries = [queries[int(i * step)] for i in range(limit)]
    return passages, queries


def _queries(passage: Passage, qas: list[dict]) -> list[Query]:
    out = []
    for qa in qas:
        if qa.get("is_impossible"):
            continue  # its spans do not answer the question
        evidence = tuple(Evidence(passage.doc_id, passage.text[s:e], norm_hint=len(normalize(passage.text[:s])))
                         for s, e in _merged_spans(qa["answers"]))
        if evidence:
            out.append(Query(str(qa["id"]), qa["question"].strip(), evidence, {},
                             ("telequad", passage.kind)))
    return out


def _merged_spans(answers: list[dict]) -> list[tuple[int, int]]:
    spans = sorted({(int(a["answer_start"]), int(a["answer_end"])) for a in answers})
    merged: list[list[int]] = []
    for s, e in spans:
        if merged and s < merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], e)
        else:
            merged.append([s, e])
    return [(s, e) for s, e in merged if e > s]


def _merge(queries: list[Query]) -> list[Query]:
    by_text: dict[str, Query] = {}
    for q in queries:
        first = by_text.get(q.query)
        if first is None:
            by_text[q.query] = q
        else:
            tags = tuple(dict.fromkeys(first.tags + q.tags + ("asked-twice",)))
            by_text[q.query] = Query(first.id, first.query, first.relevant + q.relevant, {}, tags)
    return list(by_text.values())


def write_library(passages: list[Passage], root: Path) -> Path:
    """Write each passage as `<root>/telequad/telequad/v4/<docid>.txt`; unchanged files are left alone
    so a re-run ingests nothing."""
    for p in passages:
        path = root / p.doc_id
        path.parent.mkdir(parents=True, exist_ok=True)
        data = p.text.encode("utf-8")
        if not path.exists() or path.read_bytes() != data:
            path.write_bytes(data)
    return root
