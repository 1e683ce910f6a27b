"""Versions of a product: their order, the version filter, and passages linked across versions and copies.

A library holds a manual in several versions (`kamailio/kamailio/5.6.3/...`, `.../6.0/...`), and sometimes
one version twice (a one-page and a chapter-page rendering). At ingest `link_passages` groups the chunks
that hold the same passage; search shows a group once (`collapse`), as the copy of the newest version the
filters allow, and names the other copies. docs/versions.md has the rules and the measurements behind them.
"""

from __future__ import annotations

import bisect
import difflib
import functools
import hashlib
import re
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath

from mcdewey.models import Filters

# Names that mean "the newest", after every numbered version (in this order among themselves).
LATEST_NAMES = ("main", "master", "current", "stable", "latest")
_PRE_RELEASE = ("dev", "alpha", "a", "beta", "b", "pre", "rc")
_PART = re.compile(r"\d+|[a-z]+")
_NON_ALNUM = re.compile(r"[\W_]+", re.UNICODE)
# Markdown code-fence lines (```c, ~~~ python): markup, yet their language tag is letters. Kamailio 6.0
# added `c` tags to fences that 5.6.3 had plain; docs/versions.md counts what this changes.
_FENCE = re.compile(r"^[ \t]*(?:```|~~~)[ \t]*[\w+-]*[ \t]*$", re.M)
# Normalized passages shorter than this are headings or fragments: too generic to call the same passage.
MIN_LINK_CHARS = 40
# Documents match by content when they share an identical passage held by at most this many documents.
_MAX_PAIRING_DOCS = 4


class UnknownVersion(ValueError):
    """A version filter naming a version the product does not have; the message lists those it has."""


# --- Version order --------------------------------------------------------------------------------

@functools.lru_cache(maxsize=4096)
def version_key(version: str) -> tuple:
    """Sort key: numbers compare as numbers (`1.6.8` < `2.0.12`, `18` < `2023-06`), pre-releases
    (`6.0rc1`) before their release, and `latest` / `current` / `main` after every number."""
    v = version.strip().lower()
    if v in LATEST_NAMES:
        return (1, LATEST_NAMES.index(v), ())
    v = v[1:] if re.match(r"v\d", v) else v
    parts = []
    for p in _PART.findall(v):
        if p.isdigit():
            parts.append((2, int(p), ""))
        else:
            parts.append((0 if p in _PRE_RELEASE else 1, 0, p))
    return (0, 0, tuple(parts) + ((1, 0, ""),))


def order_versions(versions: Iterable[str]) -> list[str]:
    """Oldest first."""
    return sorted(set(versions), key=lambda v: (version_key(v), v))


def version_order(groups: Iterable[Mapping]) -> dict[str, list[str]]:
    """{product: [versions, oldest first]} from rows with "product" and "version" (library_summary)."""
    by_product: dict[str, set[str]] = defaultdict(set)
    for g in groups:
        by_product[g["product"]].add(g["version"])
    return {p: order_versions(vs) for p, vs in sorted(by_product.items())}


def index_versions(index) -> dict[str, list[str]]:
    """The version order stored with the index (manifest "versions"), or derived for older indexes."""
    stored = getattr(getattr(index, "manifest", None), "versions", None)
    return {p: list(vs) for p, vs in stored.items()} if stored else version_order(index.library_summary())


def resolve_filters(index, filters: Filters | None) -> tuple[Filters | None, dict[str, str]]:
    """Check the version filter and resolve `latest`.

    Returns the filters to search with and {product: version} for each product a `latest` resolved to
    (a `latest` without a product keeps each product's newest version: search filters on the pairs).
    Raises UnknownVersion for a version the product (or, without a product, the library) does not have.
    """
    if filters is None or not filters.version:
        return filters, {}
    order = index_versions(index)
    products = [filters.product] if filters.product else sorted(order)
    if filters.product and filters.product not in order:
        return filters, {}  # an unknown product finds nothing; that is not a version question
    if filters.version.lower() == "latest" and not any(filters.version in order[p] for p in products):
        resolved = {p: order[p][-1] for p in products if order[p]}
        if filters.product:
            return Filters(filters.vendor, filters.product, resolved[filters.product], filters.doc_prefix), resolved
        return Filters(filters.vendor, None, None, filters.doc_prefix), resolved
    if not any(filters.version in order[p] for p in products):
        if filters.product:
            have = ", ".join(reversed(order[filters.product]))
            raise UnknownVersion(f"version {filters.version!r} does not exist for {filters.product}; "
                                 f"versions: {have} (or 'latest')")
        have = "; ".join(f"{p}: {', '.join(reversed(vs))}" for p, vs in order.items())
        raise UnknownVersion(f"version {filters.version!r} does not exist in this index; versions: {have}")
    return filters, {}


def chunk_scope(chunk_id: str) -> tuple[str, str]:
    """(product, version) of a chunk, read from its id (`product::version::...::N`)."""
    parts = chunk_id.split("::", 2)
    return (parts[0], parts[1]) if len(parts) > 2 else ("", "")


# --- Linking passages --------------------------------------------------------------------------------

def normalize(text: str) -> str:
    """Letters and digits after NFKC and case folding (the matching rule of the labels, FORMAT.md),
    with Markdown code-fence lines left out."""
    return _NON_ALNUM.sub("", unicodedata.normalize("NFKC", _FENCE.sub("", text)).casefold())


def words(text: str) -> list[str]:
    """The words of `normalize`, in order."""
    return [w for w in _NON_ALNUM.split(unicodedata.normalize("NFKC", _FENCE.sub("", text)).casefold()) if w]


@dataclass(frozen=True)
class LinkStats:
    """What linking found: chunks in groups, groups, and how many links each rule made."""

    chunks: int
    groups: int
    exact: int
    near: int
    near_unmatched: int  # chunks found verbatim in the other document without a chunk sharing half of both
    multi_version: dict[str, int]  # product -> groups spanning more than one version


def link_passages(rows: Sequence[Mapping], texts: Callable[[set[str]], Mapping[str, str]] | None = None
                  ) -> tuple[list[list[str]], LinkStats]:
    """Groups of chunk ids holding the same passage in different documents of one product.

    `rows` carry chunk_id, doc_id, product, version, ord and either text, or `key` (`link_key` of the
    text) with `texts` to fetch the texts of given documents ({chunk_id: text}) when near matching
    needs them: so only documents paired with another are ever held as text. Identical after normalization links
    any two documents of a product; near-identical (`contained_match`: found verbatim in the other
    document, sharing more than half of both chunks) links chunks of documents already matched: same
    path below the version folder, or sharing an identical passage.
    """
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def union(a: str, b: str) -> None:
        parent[find(a)] = find(b)

    by_product: dict[str, list[Mapping]] = defaultdict(list)
    for r in rows:
        by_product[r["product"]].append(r)
    exact = near = unmatched = 0
    for product_rows in by_product.values():
        e, pairs = _link_exact(product_rows, union)
        exact += e
        n, x = _link_near(product_rows, pairs, union, find, texts)
        near, unmatched = near + n, unmatched + x
    members: dict[str, list[str]] = defaultdict(list)
    for cid in list(parent):
        members[find(cid)].append(cid)
    groups = sorted(sorted(m) for m in members.values() if len(m) > 1)
    version_of = {r["chunk_id"]: (r["product"], r["version"]) for r in rows}
    multi: dict[str, int] = defaultdict(int)
    for g in groups:
        if len({version_of[c][1] for c in g}) > 1:
            multi[version_of[g[0]][0]] += 1
    stats = LinkStats(sum(len(g) for g in groups), len(groups), exact, near, unmatched, dict(sorted(multi.items())))
    return groups, stats


def _link_exact(rows: Sequence[Mapping], union) -> tuple[int, set[tuple[str, str]]]:
    """Union chunks of different documents whose normalized text is equal; returns (links, doc pairs)."""
    by_text: dict[str | bytes, list[Mapping]] = defaultdict(list)
    for r in rows:
        key = r["key"] if "key" in r else link_key(r["text"])
        if key is not None:
            by_text[key].append(r)
    links, shared = 0, set()
    for same in by_text.values():
        docs = {r["doc_id"] for r in same}
        if len(docs) < 2:
            continue  # a passage repeated inside one document is two passages
        for r in same[1:]:
            union(r["chunk_id"], same[0]["chunk_id"])
            links += 1
        if len(docs) <= _MAX_PAIRING_DOCS:  # boilerplate in many documents says nothing about which match
            ordered = sorted(docs)
            shared.update((a, b) for i, a in enumerate(ordered) for b in ordered[i + 1:])
    return links, shared


def link_key(text: str) -> bytes | None:
    """What exact linking compares: a digest of the normalized text, None when too short to link."""
    norm = normalize(text)
    return hashlib.blake2b(norm.encode(), digest_size=16).digest() if len(norm) >= MIN_LINK_CHARS else None


def below_version(doc_id: str) -> str:
    """The path of a document below its version folder: `vendor/product/5.6.3/a/b.html` -> `a/b.html`."""
    return "/".join(PurePosixPath(doc_id).parts[3:])


def _link_near(rows: Sequence[Mapping], shared: set[tuple[str, str]], union, find, texts=None) -> tuple[int, int]:
    """Near-identical links between chunks of matched documents (same path below the version folder,
    or already sharing an identical passage): `contained_match` in both directions."""
    by_doc: dict[str, list[Mapping]] = defaultdict(list)
    for r in sorted(rows, key=lambda r: (r["doc_id"], r["ord"])):
        by_doc[r["doc_id"]].append(r)
    by_path: dict[str, list[str]] = defaultdict(list)
    for doc in by_doc:
        by_path[below_version(doc)].append(doc)
    pairs = set(shared)
    for docs in by_path.values():
        ordered = sorted(docs)
        pairs.update((a, b) for i, a in enumerate(ordered) for b in ordered[i + 1:])
    paired = {d for pair in pairs for d in pair}
    text = texts(paired) if texts else {}
    text.update({r["chunk_id"]: r["text"] for d in paired for r in by_doc[d] if "text" in r})
    norm = {cid: normalize(t) for cid, t in text.items()}
    near = missed = 0
    for a, b in sorted(pairs):
        same_version = by_doc[a][0]["version"] == by_doc[b][0]["version"]
        near += _link_reworded(by_doc[a], by_doc[b], norm, text, union, find)
        for xs, ys in ((by_doc[a], by_doc[b]), (by_doc[b], by_doc[a])):
            texts = [norm[r["chunk_id"]] for r in ys]
            for x, j in contained_match([norm[r["chunk_id"]] for r in xs], texts, gaps=same_version):
                if j is None:
                    missed += 1
                elif find(xs[x]["chunk_id"]) != find(ys[j]["chunk_id"]):
                    union(xs[x]["chunk_id"], ys[j]["chunk_id"])
                    near += 1
    return near, missed


# A reworded passage: at most this share of its words (and at least 2) changed, none of them a value.
REWORD_SHARE = 0.1
_REWORD_RATIO = 90.0  # rapidfuzz ratio (0-100) of the normalized texts for a pair to be checked word by word
_VALUE_WORDS = frozenset("yes no true false on off enable enabled disable disabled none null default".split())


def _link_reworded(xs: Sequence[Mapping], ys: Sequence[Mapping], norm: Mapping[str, str], text: Mapping[str, str],
                   union, find) -> int:
    """Link chunks of two matched documents, not linked yet, that say the same in a few other words."""
    from rapidfuzz import fuzz, process

    left = [r for r in xs if len(norm[r["chunk_id"]]) >= MIN_LINK_CHARS]
    right = [r for r in ys if len(norm[r["chunk_id"]]) >= MIN_LINK_CHARS]
    right_groups = {find(r["chunk_id"]) for r in right}
    left = [r for r in left if find(r["chunk_id"]) not in right_groups]
    if not left or not right:
        return 0
    scores = process.cdist([norm[r["chunk_id"]] for r in left], [norm[r["chunk_id"]] for r in right],
                           scorer=fuzz.ratio, score_cutoff=_REWORD_RATIO, workers=1)
    links = 0
    for i, j in zip(*scores.nonzero()):
        a, b = left[i]["chunk_id"], right[j]["chunk_id"]
        if find(a) != find(b) and reworded(words(text[a]), words(text[b])):
            union(a, b)
            links += 1
    return links


def reworded(a: Sequence[str], b: Sequence[str], share: float = REWORD_SHARE) -> bool:
    """The same passage in a few other words: the changed words (both sides) are at most `share` of the
    longer text (and at least 2 allowed), and none is a value: a number, or yes / no / on / off / ... .
    A changed default (`240` -> `90`, `yes` -> `no`) is never a rewording."""
    changed: list[str] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag != "equal":
            changed += [*a[i1:i2], *b[j1:j2]]
    if not changed:
        return True
    if len(changed) > max(2, share * max(len(a), len(b))):
        return False
    return not any(any(c.isdigit() for c in w) or w in _VALUE_WORDS for w in changed)


def contained_match(xs: Sequence[str], ys: Sequence[str], gaps: bool = False) -> list[tuple[int, int | None]]:
    """For each normalized chunk text of `xs` found in the other document (its chunks `ys` joined), the
    chunk of `ys` sharing more than half of both (None when none does).

    Found means verbatim; with `gaps` (two renderings of one version) the other document may also have
    text inserted in between (anchor labels, navigation), never text left out or replaced. More than half
    of each side makes it a one-to-one matching: a chunk cannot share more than half of itself with two
    disjoint chunks. A changed value (a new default) is text replaced: no link.
    """
    starts, pos = [], 0
    for t in ys:
        starts.append(pos)
        pos += len(t)
    full = "".join(ys)
    out: list[tuple[int, int | None]] = []
    for x, text in enumerate(xs):
        if len(text) < MIN_LINK_CHARS:
            continue
        p = full.find(text)
        span = (p, p + len(text)) if p >= 0 else (_find_with_gaps(text, full) if gaps else None)
        if span is None:
            continue
        best, j = None, max(0, bisect.bisect_right(starts, span[0]) - 1)
        while j < len(ys) and starts[j] < span[1]:
            overlap = min(span[1], starts[j] + len(ys[j])) - max(span[0], starts[j])
            if 2 * overlap > span[1] - span[0] and 2 * overlap > len(ys[j]):
                best = j
            j += 1
        out.append((x, best))
    return out


_MIN_PIECE = 24  # normalized characters: shorter pieces match by chance
_MAX_STRETCH = 1.5  # the other document's span may be at most this much longer than the chunk


def _find_with_gaps(text: str, full: str) -> tuple[int, int] | None:
    """[start, end) of `full` holding `text` as in-order pieces of >= _MIN_PIECE characters with
    insertions between them, or None."""
    at, start, end = 0, None, 0
    while at < len(text):
        window = full[end:] if start is None else full[end:start + int(_MAX_STRETCH * len(text))]
        lo, hi = 0, len(text) - at  # the longest prefix of text[at:] found in the window
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if window.find(text[at:at + mid]) >= 0:
                lo = mid
            else:
                hi = mid - 1
        if lo < min(_MIN_PIECE, len(text) - at):
            return None
        found = end + window.find(text[at:at + lo])
        start = found if start is None else start
        end, at = found + lo, at + lo
    return start, end


# --- Groups at search time -----------------------------------------------------------------------

@dataclass(frozen=True, eq=True)
class Copy:
    """One member of a passage group."""

    chunk_id: str
    doc_id: str
    version: str
    doc_chunks: int  # chunks of its document: of two copies in one version the shorter document is shown

    @functools.cached_property
    def scope(self) -> tuple[str, str]:
        """(vendor, product) from the doc_id."""
        parts = self.doc_id.split("/")
        return parts[0], parts[1] if len(parts) > 1 else ""


class PassageGroups:
    """Chunk id -> the other copies of its passage; loaded from the index's passages table."""

    def __init__(self, rows: Iterable[Mapping]):
        self._group: dict[str, int] = {}
        self._members: dict[int, list[Copy]] = defaultdict(list)
        self._by_doc: dict[str, list[Copy]] = defaultdict(list)
        for r in rows:
            copy = Copy(r["chunk_id"], r["doc_id"], r["version"], r["doc_chunks"])
            self._group[r["chunk_id"]] = r["group"]
            self._members[r["group"]].append(copy)
            self._by_doc[copy.doc_id].append(copy)

    def __bool__(self) -> bool:
        return bool(self._group)

    def group(self, chunk_id: str) -> int | None:
        return self._group.get(chunk_id)

    def members(self, chunk_id: str) -> list[Copy]:
        g = self._group.get(chunk_id)
        return self._members[g] if g is not None else []

    def others(self, chunk_id: str) -> list[Copy]:
        return [c for c in self.members(chunk_id) if c.chunk_id != chunk_id]

    def copies_in(self, doc_id: str) -> list[Copy]:
        """The linked chunks of one document."""
        return self._by_doc.get(doc_id, [])

    def count_multi_version(self) -> dict[str, int]:
        out: dict[str, int] = defaultdict(int)
        for members in self._members.values():
            if len({c.version for c in members}) > 1:
                out[chunk_scope(members[0].chunk_id)[0]] += 1
        return dict(sorted(out.items()))


def group_rows(groups: Sequence[Sequence[str]], rows: Sequence[Mapping]) -> list[dict]:
    """The passages table: one row per linked chunk (chunk_id, group, doc_id, version, doc_chunks)."""
    meta = {r["chunk_id"]: r for r in rows}
    per_doc: dict[str, int] = defaultdict(int)
    for r in rows:
        per_doc[r["doc_id"]] += 1
    return [{"chunk_id": cid, "group": g, "doc_id": meta[cid]["doc_id"], "version": meta[cid]["version"],
             "doc_chunks": per_doc[meta[cid]["doc_id"]]}
            for g, members in enumerate(groups) for cid in members]


def allowed(copy: Copy, filters: Filters | None, pairs: Mapping[str, str] | None = None) -> bool:
    """Whether the filters (and a resolved `latest` without a product) let this copy be shown."""
    vendor, product = copy.scope
    if pairs and pairs.get(product) != copy.version:
        return False
    if filters is None:
        return True
    return ((not filters.vendor or vendor == filters.vendor) and (not filters.product or product == filters.product)
            and (not filters.version or copy.version == filters.version)
            and (not filters.doc_prefix or copy.doc_id.startswith(filters.doc_prefix)))


def representative(members: Sequence[Copy], ok, named: set[str]) -> Copy | None:
    """The copy to show: a version the query names, else the newest; in one version the shorter document."""
    shown = [c for c in members if ok(c)]
    if not shown:
        return None
    return max(shown, key=lambda c: (c.version in named, version_key(c.version), -c.doc_chunks, c.chunk_id))


def collapse(ranking: list[tuple[str, float]], groups: PassageGroups, ok, named: Mapping[str, set[str]]
             ) -> list[tuple[str, float]]:
    """One entry per passage group, at the score of its best-ranked copy, under its representative's id.

    `ok(copy)` says whether filters allow a copy; `named` is {product: versions the query names}: the
    named version's copy is shown, and a passage missing from the named version ranks below every passage
    of that product that the named version has.
    """
    out: list[tuple[str, float]] = []
    seen: set[int] = set()
    for cid, score in ranking:
        g = groups.group(cid)
        if g is None:
            out.append((cid, score))
            continue
        if g in seen:
            continue
        seen.add(g)
        product = chunk_scope(cid)[0]
        rep = representative(groups.members(cid), ok, named.get(product, set()))
        out.append((rep.chunk_id if rep else cid, score))
    return _demote_other_versions(out, groups, named)


def _demote_other_versions(ranking: list[tuple[str, float]], groups: PassageGroups,
                           named: Mapping[str, set[str]]) -> list[tuple[str, float]]:
    """Within the slots of each named product, passages the named version holds come first (stable);
    other products keep their places."""
    if not named:
        return ranking
    out = list(ranking)
    for product, wanted in named.items():
        slots = [i for i, (cid, _) in enumerate(ranking) if chunk_scope(cid)[0] == product]

        def missing(i: int) -> bool:
            cid = ranking[i][0]
            have = {c.version for c in groups.members(cid)} or {chunk_scope(cid)[1]}
            return not (have & wanted)

        for slot, i in zip(slots, sorted(slots, key=missing)):
            out[slot] = ranking[i]
    return out


def link_index(writer, tables):
    """Link the passages of everything the writer's chunk table holds and write the passages table;
    returns (`tables` with it, LinkStats)."""
    rows = []
    for batch in writer.chunk_meta():  # texts become digests batch by batch: a big index is never all held as text
        for r in batch.to_pylist():
            r["key"] = link_key(r.pop("text"))
            rows.append(r)
    groups, stats = link_passages(rows, writer.chunk_texts)
    return writer.write_passages(group_rows(groups, rows), tables), stats
