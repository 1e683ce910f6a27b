"""Compare two versions of a product: documents and sections aligned, each same / changed / added / removed.

Documents pair up by their path below the version folder, then by title, then by the passages they share.
Inside a pair, sections (runs of chunks under one heading path) pair up by heading path, then by their
last heading, then by content. A changed section carries a word-level diff. docs/versions.md explains it.
"""

from __future__ import annotations

import difflib
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from pydantic import BaseModel, Field

from mcdewey.models import Chunk, Filters
from mcdewey.versions import _FENCE, UnknownVersion, below_version, index_versions, normalize

STATUSES = ("same", "changed", "added", "removed")
_CONTENT_RATIO = 60.0  # rapidfuzz ratio (0-100) above which two leftover sections count as one that changed
_ELIDE = 12  # an unchanged run longer than twice this keeps this many words on each side


class Side(BaseModel):
    """One version's copy of a section, with what it takes to cite it."""

    version: str
    doc_id: str
    title: str
    section: list[str]
    chunk_id: str = Field(description="The section's first chunk: pass it to get_context or get_chunk.")
    chunk_ids: list[str]
    pages: list[int] = Field(description="Physical pages the section spans (empty for unpaged documents).")
    labels: list[str] = Field(description="Page numbers printed on those pages, where the document has them.")
    text: str


class DiffOp(BaseModel):
    op: str = Field(description="equal, delete (only in FROM) or insert (only in TO).")
    text: str


class SectionChange(BaseModel):
    """One aligned section and how it differs between the two versions."""

    status: str = Field(description="same, changed, added (only in TO) or removed (only in FROM).")
    section: list[str]
    from_side: Side | None = Field(None, description="The FROM version's copy (none when added).")
    to_side: Side | None = Field(None, description="The TO version's copy (none when removed).")
    diff: list[DiffOp] = Field(default_factory=list, description="Word-level diff of a changed section.")
    rank: int | None = Field(None, description="With a query: the best search rank among the section's chunks.")


class DocumentSummary(BaseModel):
    """A document pair (or a document only one version has) with its sections counted by status."""

    from_doc: str | None
    to_doc: str | None
    title: str
    matched_by: str = Field(description="path, title, content, or none (added / removed document).")
    counts: dict[str, int]


class Comparison(BaseModel):
    """What changed in a product between two versions."""

    product: str
    from_version: str
    to_version: str
    query: str | None
    doc: str | None
    counts: dict[str, int]
    documents: list[DocumentSummary]
    sections: list[SectionChange] = Field(description="With a query the sections relevant to it, best first; "
                                                      "without one the sections that are not the same.")


class CompareError(ValueError):
    """A comparison that cannot run (unknown product or version, unknown document)."""


@dataclass
class _Section:
    key: tuple[str, ...]
    path: tuple[str, ...]
    chunks: list[Chunk]

    @property
    def text(self) -> str:
        return "\n\n".join(c.text for c in self.chunks)


def compare(index, product: str, from_version: str, to_version: str, query: str | None = None,
            doc: str | None = None, limit: int = 10, search_fn: Callable | None = None) -> Comparison:
    """Align `product` FROM and TO and report per section; with `query` only the sections it finds."""
    versions = index_versions(index)
    if product not in versions:
        raise CompareError(f"unknown product {product!r}; products: {', '.join(versions) or 'none'}")
    a, b = (_resolve(v, product, versions[product]) for v in (from_version, to_version))
    docs_a, docs_b = _documents(index, product, a), _documents(index, product, b)
    if doc:
        docs_a, docs_b = _only(doc, docs_a), _only(doc, docs_b)
        if not docs_a and not docs_b:
            example = next(iter(sorted(below_version(d) for d in _documents(index, product, a))), "guide/x.html")
            raise CompareError(f"no document {doc!r} in {product} {a} or {b}; give its path below the version "
                               f"folder (e.g. {example})")
    pairs = match_documents(docs_a, docs_b, index.passages() if hasattr(index, "passages") else None)
    ranks = _query_ranks(index, product, (a, b), query, limit, search_fn) if query else None
    documents, sections = [], []
    for da, db, how in pairs:
        if ranks is not None and not any(d in ranks for d in (da, db)):
            continue
        changes = align_sections(_sections(index, da), _sections(index, db), index, a, b)
        documents.append(DocumentSummary(from_doc=da, to_doc=db, title=(docs_b.get(db) or docs_a.get(da) or ""),
                                         matched_by=how, counts=_count(changes)))
        sections += _ranked(changes, ranks.get(da, {}) | ranks.get(db, {})) if ranks is not None else \
            [c for c in changes if c.status != "same"]
    if ranks is not None:
        sections = sorted((s for s in sections if s.rank is not None), key=lambda s: s.rank)
    counts = Counter()
    for d in documents:
        counts.update(d.counts)
    return Comparison(product=product, from_version=a, to_version=b, query=query, doc=doc,
                      counts={s: counts.get(s, 0) for s in STATUSES}, documents=documents,
                      sections=sections[:limit] if limit else sections)


def _resolve(version: str, product: str, have: Sequence[str]) -> str:
    if version in have:
        return version
    if version.lower() == "latest" and have:
        return have[-1]
    raise UnknownVersion(f"version {version!r} does not exist for {product}; versions: "
                         f"{', '.join(reversed(have))} (or 'latest')")


def _documents(index, product: str, version: str) -> dict[str, str]:
    """{doc_id: title} of one product version, from the manifest."""
    return {f.doc_id: f.title or "" for f in index.manifest.indexed_files().values()
            if f.product == product and f.version == version}


def _only(doc: str, docs: dict[str, str]) -> dict[str, str]:
    return {d: t for d, t in docs.items() if d == doc or below_version(d) == doc.strip("/")}


def match_documents(docs_a: dict[str, str], docs_b: dict[str, str], groups=None
                    ) -> list[tuple[str | None, str | None, str]]:
    """(from doc, to doc, matched_by) pairs: by path below the version folder, then by a title both
    versions use once, then by the passages the two share; the rest alone (removed / added)."""
    pairs: list[tuple[str | None, str | None, str]] = []
    left, right = dict(docs_a), dict(docs_b)
    by_path = {below_version(d): d for d in right}
    for d in sorted(left):
        if below_version(d) in by_path:
            pairs.append((d, by_path[below_version(d)], "path"))
            right.pop(by_path[below_version(d)])
    left = {d: t for d, t in left.items() if d not in {p[0] for p in pairs}}
    titles_a, titles_b = Counter(left.values()), Counter(right.values())
    by_title = {t: d for d, t in right.items() if t and titles_b[t] == 1}
    for d, t in sorted(left.items()):
        if t and titles_a[t] == 1 and t in by_title:
            pairs.append((d, by_title[t], "title"))
            right.pop(by_title[t])
    left = {d: t for d, t in left.items() if d not in {p[0] for p in pairs}}
    if groups:
        for d in sorted(left):
            shared = _shared_passages(groups, d, right)
            if shared:
                pairs.append((d, shared, "content"))
                right.pop(shared)
    matched = {p[0] for p in pairs}
    pairs += [(d, None, "none") for d in sorted(left) if d not in matched]
    pairs += [(None, d, "none") for d in sorted(right)]
    return pairs


def _shared_passages(groups, doc: str, candidates: dict[str, str]) -> str | None:
    """The candidate document sharing the most linked passages with `doc`, if any."""
    votes: Counter = Counter()
    for copy in groups.copies_in(doc):
        for other in groups.others(copy.chunk_id):
            if other.doc_id in candidates:
                votes[other.doc_id] += 1
    return votes.most_common(1)[0][0] if votes else None


def _sections(index, doc_id: str | None) -> list[_Section]:
    """Runs of consecutive chunks under one heading path; keyed by the path below the document's title."""
    if doc_id is None:
        return []
    out: list[_Section] = []
    for chunk in index.doc_chunks(doc_id):
        path = tuple(chunk.section)
        if out and out[-1].path == path:
            out[-1].chunks.append(chunk)
        else:
            out.append(_Section((), path, [chunk]))
    seen: Counter = Counter()
    for s in out:
        key = s.path[1:] if len(s.path) > 1 else ()
        seen[key] += 1
        s.key = key + ((f"#{seen[key]}",) if seen[key] > 1 else ())
    return out


def align_sections(left: list[_Section], right: list[_Section], index=None, a: str = "", b: str = ""
                   ) -> list[SectionChange]:
    """Pair sections by key, then by last heading, then by content; report each pair or leftover."""
    from rapidfuzz import fuzz

    pairs: list[tuple[_Section | None, _Section | None]] = []
    rest_b = {s.key: s for s in right}
    rest_a = []
    for s in left:
        if s.key in rest_b:
            pairs.append((s, rest_b.pop(s.key)))
        else:
            rest_a.append(s)
    for matcher in (lambda x, y: x.path[-1:] == y.path[-1:] and bool(x.path),
                    lambda x, y: fuzz.ratio(normalize(x.text), normalize(y.text)) >= _CONTENT_RATIO):
        still = []
        for s in rest_a:
            other = next((o for o in rest_b.values() if matcher(s, o)), None)
            if other is None:
                still.append(s)
            else:
                pairs.append((s, rest_b.pop(other.key)))
        rest_a = still
    pairs += [(s, None) for s in rest_a] + [(None, s) for s in rest_b.values()]
    order = {id(s): i for i, s in enumerate(right)}
    order_a = {id(s): i for i, s in enumerate(left)}
    pairs.sort(key=lambda p: (order.get(id(p[1]), -1) if p[1] else order_a.get(id(p[0]), 0) - 0.5))
    return [_change(x, y) for x, y in pairs]


def _change(x: _Section | None, y: _Section | None) -> SectionChange:
    section = list((y or x).path)
    if x is None:
        return SectionChange(status="added", section=section, to_side=_side(y))
    if y is None:
        return SectionChange(status="removed", section=section, from_side=_side(x))
    same = normalize(x.text) == normalize(y.text)
    return SectionChange(status="same" if same else "changed", section=section, from_side=_side(x),
                         to_side=_side(y), diff=[] if same else word_diff(x.text, y.text))


def _side(s: _Section) -> Side:
    first = s.chunks[0]
    pages = sorted({p for c in s.chunks for p in range(c.page_start or 0, (c.page_end or c.page_start or 0) + 1)
                    if p})
    labels = list(dict.fromkeys(label for c in s.chunks for label in (c.page_label_start, c.page_label_end)
                                if label))
    return Side(version=first.version, doc_id=first.doc_id, title=first.title, section=list(s.path),
                chunk_id=first.chunk_id, chunk_ids=[c.chunk_id for c in s.chunks], pages=pages, labels=labels,
                text=s.text)


def word_diff(old: str, new: str) -> list[DiffOp]:
    """Words deleted and inserted between two texts; long unchanged runs keep only their ends. Code-fence
    lines are left out, as when sections are compared (a fence's language tag is markup)."""
    a, b = _FENCE.sub("", old).split(), _FENCE.sub("", new).split()
    ops: list[DiffOp] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            run = a[i1:i2]
            text = " ".join(run) if len(run) <= 2 * _ELIDE else \
                " ".join(run[:_ELIDE]) + " … " + " ".join(run[-_ELIDE:])
            ops.append(DiffOp(op="equal", text=text))
            continue
        if i2 > i1:
            ops.append(DiffOp(op="delete", text=" ".join(a[i1:i2])))
        if j2 > j1:
            ops.append(DiffOp(op="insert", text=" ".join(b[j1:j2])))
    return ops


def _count(changes: list[SectionChange]) -> dict[str, int]:
    c = Counter(ch.status for ch in changes)
    return {s: c.get(s, 0) for s in STATUSES}


def _query_ranks(index, product: str, versions: tuple[str, str], query: str, limit: int,
                 search_fn: Callable | None) -> dict[str, dict[str, int]]:
    """{doc_id: {chunk_id: best rank}} of the query's hits in either version (every copy, not collapsed)."""
    from dataclasses import replace

    from mcdewey.search import SearchConfig, search

    # One chunk per hit (no neighbour expansion): each rank belongs to the chunk, and so to its section.
    config = replace(SearchConfig.of_index(index), passage_chunks=1)
    out: dict[str, dict[str, int]] = defaultdict(dict)
    for version in versions:
        filters = Filters(product=product, version=version)
        hits = search_fn(index, query, max(limit, 5) * 2, "hybrid", filters) if search_fn else \
            search(index, query, max(limit, 5) * 2, "hybrid", filters, config=config, collapse_versions=False)
        for hit in hits:
            out[hit.chunk.doc_id].setdefault(hit.chunk.chunk_id, hit.rank)
    return out


def _ranked(changes: list[SectionChange], ranks: dict[str, int]) -> list[SectionChange]:
    for change in changes:
        ids = [i for side in (change.from_side, change.to_side) if side for i in side.chunk_ids]
        found = [ranks[i] for i in ids if i in ranks]
        change.rank = min(found) if found else None
    return changes


def render(result: Comparison) -> str:
    """A readable summary: counts, then each section with its status, citations and diff."""
    c = result.counts
    lines = [f"{result.product} {result.from_version} -> {result.to_version}"
             + (f" for {result.query!r}" if result.query else "")
             + f": {c['same']} same, {c['changed']} changed, {c['added']} added, {c['removed']} removed sections"]
    for s in result.sections:
        lines.append(f"\n[{s.status}] {' > '.join(s.section)}")
        for name, side in (("from", s.from_side), ("to", s.to_side)):
            if side:
                pages = f", pages {side.pages[0]}-{side.pages[-1]}" if side.pages else ""
                lines.append(f"  {name} {side.version}: {side.doc_id}{pages} ({side.chunk_id})")
        if s.diff:
            lines.append("  " + " ".join(o.text if o.op == "equal" else
                                         (f"[-{o.text}-]" if o.op == "delete" else f"{{+{o.text}+}}")
                                         for o in s.diff))
    return "\n".join(lines)
