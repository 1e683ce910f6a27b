"""Labeled query sets: JSON Lines of queries whose evidence is quoted text in library documents."""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from pathlib import Path

from mcdewey.models import Filters

_FILTER_KEYS = ("vendor", "product", "version", "doc_prefix")


class QuerySetError(ValueError):
    """A query set that cannot be read: the message names the file and line."""


@dataclass(frozen=True)
class Evidence:
    """One piece of evidence: a quote in a document, optionally on a 1-based physical PDF page."""

    doc: str
    quote: str
    page: int | None = None
    # Not part of the file format: where the quote is expected, counted in letters and digits
    # (see spans.normalize) from the start of the document. TeleQuAD knows its answer offsets, and
    # a short answer may occur earlier in its passage; readers change layout, not letters.
    norm_hint: int | None = None


@dataclass(frozen=True)
class Query:
    """A labeled query: what is asked, where the answer is, how the user would filter."""

    id: str
    query: str
    relevant: tuple[Evidence, ...]
    filters: dict = field(default_factory=dict)
    tags: tuple[str, ...] = ()
    source: str = ""  # file:line it came from, for messages

    def search_filters(self) -> Filters | None:
        """The query's `filters` as a models.Filters, or None for the whole library."""
        values = {k: self.filters.get(k) for k in _FILTER_KEYS if self.filters.get(k)}
        return Filters(**values) if values else None


def query_files(path: Path | str) -> list[Path]:
    """A .jsonl file itself, or every .jsonl file under a folder (sorted, recursive)."""
    path = Path(path)
    if path.is_dir():
        files = sorted(path.rglob("*.jsonl"))
        if not files:
            raise QuerySetError(f"{path}: no .jsonl files in this folder")
        return files
    if not path.is_file():
        raise QuerySetError(f"{path}: no such file or folder")
    return [path]


def set_name(root: Path, file: Path) -> str:
    """The set a file belongs to: its first folder below `root`, else its stem (`dev`, `faq`, ...)."""
    rel = file.relative_to(root) if root.is_dir() else Path(file.name)
    return rel.parts[0] if len(rel.parts) > 1 else rel.stem


def load_queries(path: Path | str) -> list[Query]:
    """Every query of a file or folder of JSON Lines files; ids must be unique across them.

    Each query also gets the tag `set:<name>` (see set_name) so one run over several sets can be
    sliced per set like any other tag.
    """
    queries: list[Query] = []
    seen: dict[str, str] = {}
    for file in query_files(path):
        tag = f"set:{set_name(Path(path), file)}"
        for n, line in enumerate(file.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            where = f"{file}:{n}"
            query = parse_query(_json(line, where), where)
            if tag not in query.tags:
                query = replace(query, tags=query.tags + (tag,))
            if query.id in seen:
                raise QuerySetError(f"{where}: duplicate id {query.id!r} (first at {seen[query.id]})")
            seen[query.id] = where
            queries.append(query)
    return queries


def _json(line: str, where: str) -> dict:
    try:
        data = json.loads(line)
    except json.JSONDecodeError as exc:
        raise QuerySetError(f"{where}: not JSON: {exc}") from None
    if not isinstance(data, dict):
        raise QuerySetError(f"{where}: expected a JSON object")
    return data


def parse_query(data: dict, where: str = "") -> Query:
    """One query from its JSON object; raises QuerySetError naming `where` when a field is wrong."""
    for key in ("id", "query", "relevant"):
        if not data.get(key):
            raise QuerySetError(f"{where}: missing or empty {key!r}")
    if not isinstance(data["relevant"], list):
        raise QuerySetError(f"{where}: 'relevant' must be a list")
    evidence = tuple(_evidence(ev, where) for ev in data["relevant"])
    filters = data.get("filters") or {}
    if not isinstance(filters, dict) or set(filters) - set(_FILTER_KEYS):
        raise QuerySetError(f"{where}: 'filters' may only hold {', '.join(_FILTER_KEYS)}")
    tags = data.get("tags") or []
    return Query(id=str(data["id"]), query=str(data["query"]), relevant=evidence,
                 filters=dict(filters), tags=tuple(str(t) for t in tags), source=where)


def _evidence(ev: dict, where: str) -> Evidence:
    if not isinstance(ev, dict) or not ev.get("doc") or not ev.get("quote"):
        raise QuerySetError(f"{where}: each piece of evidence needs 'doc' and 'quote'")
    page = ev.get("page")
    if page is not None and (not isinstance(page, int) or page < 1):
        raise QuerySetError(f"{where}: 'page' must be a 1-based integer or null, got {page!r}")
    return Evidence(doc=str(ev["doc"]), quote=str(ev["quote"]), page=page)


def query_to_dict(query: Query) -> dict:
    """The JSON object of a query, in the file format."""
    return {
        "id": query.id,
        "query": query.query,
        "relevant": [{"doc": e.doc, "page": e.page, "quote": e.quote} for e in query.relevant],
        **({"filters": query.filters} if query.filters else {}),
        **({"tags": [t for t in query.tags if not t.startswith("set:")]} if query.tags else {}),
    }
