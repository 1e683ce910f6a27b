"""What `mcdewey inspect` reports: per vendor/product/version counts, chunk-size distribution, skips and errors."""

from __future__ import annotations

import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from mcdewey.library import DEFAULT_MAX_BYTES, MIN_DEPTH, FileIssue, LibraryScan, ReadLog, iter_documents
from mcdewey.models import Chunk, Document

# Upper bounds (tokens) of the chunk-size histogram buckets; the last bucket is open.
SIZE_BUCKETS = (32, 64, 128, 256, 384, 512, 1024)


@dataclass
class GroupReport:
    """One vendor / product / version of the library."""

    vendor: str
    product: str
    version: str
    documents: Counter = field(default_factory=Counter)  # format -> count
    pages: int = 0
    words: int = 0
    chunks: int = 0
    chunk_tokens: list[int] = field(default_factory=list)
    skipped: list[FileIssue] = field(default_factory=list)
    errors: list[FileIssue] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {
            "vendor": self.vendor,
            "product": self.product,
            "version": self.version,
            "documents": dict(sorted(self.documents.items())),
            "documents_total": sum(self.documents.values()),
            "pages": self.pages,
            "words": self.words,
            "chunks": self.chunks,
            "chunk_tokens": size_distribution(self.chunk_tokens),
            "skipped": [vars(i) for i in self.skipped],
            "errors": [vars(i) for i in self.errors],
        }


@dataclass
class LibraryReport:
    """The whole library, grouped; documents are counted as they stream past and not kept."""

    root: str
    strategy: str | None = None
    params: dict = field(default_factory=dict)
    groups: dict[tuple[str, str, str], GroupReport] = field(default_factory=dict)
    seconds: float = 0.0
    seconds_by_format: Counter = field(default_factory=Counter)

    def group(self, path: str) -> GroupReport:
        parts = PurePosixPath(path).parts
        # Files and folders above <vendor>/<product>/<version>/ (wrong depth, hidden) share one group.
        key = tuple(parts[:3]) if len(parts) >= MIN_DEPTH else ("", "", "")
        if key not in self.groups:
            self.groups[key] = GroupReport(*key)
        return self.groups[key]

    def add_document(self, doc: Document, chunks: list[Chunk] | None = None) -> None:
        group = self.group(doc.doc_id)
        group.documents[doc.format] += 1
        group.pages += len(doc.pages)
        group.words += len(doc.text.split())
        if chunks is not None:
            group.chunks += len(chunks)
            group.chunk_tokens.extend(c.tokens for c in chunks)

    def add_log(self, log: ReadLog) -> None:
        for issue in log.skipped:
            self.group(issue.path).skipped.append(issue)
        for issue in log.errors:
            self.group(issue.path).errors.append(issue)

    def to_dict(self) -> dict:
        groups = [self.groups[k].to_dict() for k in sorted(self.groups)]
        totals = {
            key: sum(g[key] for g in groups) for key in ("documents_total", "pages", "words", "chunks")
        }
        totals["documents"] = dict(sum((Counter(g["documents"]) for g in groups), Counter()))
        totals["products"] = len({(g["vendor"], g["product"]) for g in groups if g["vendor"]})
        totals["versions"] = sum(bool(g["vendor"]) for g in groups)
        totals["skipped"] = sum(len(g["skipped"]) for g in groups)
        totals["errors"] = sum(len(g["errors"]) for g in groups)
        all_tokens = [t for g in self.groups.values() for t in g.chunk_tokens]
        totals["chunk_tokens"] = size_distribution(all_tokens)
        return {
            "library": self.root,
            "strategy": self.strategy,
            "params": self.params,
            "seconds": round(self.seconds, 2),
            "seconds_by_format": {k: round(v, 2) for k, v in sorted(self.seconds_by_format.items())},
            "totals": totals,
            "groups": groups,
            "skipped": [vars(i) for g in self.groups.values() for i in g.skipped],
            "errors": [vars(i) for g in self.groups.values() for i in g.errors],
        }


def size_distribution(tokens: list[int]) -> dict:
    """count, min, percentiles, max, mean and a histogram of chunk sizes in tokens."""
    if not tokens:
        return {"count": 0}
    ordered = sorted(tokens)

    def pct(p: float) -> int:
        return ordered[min(len(ordered) - 1, int(p * (len(ordered) - 1) + 0.5))]

    labels = [f"<={b}" for b in SIZE_BUCKETS] + [f">{SIZE_BUCKETS[-1]}"]
    hist: dict[str, int] = defaultdict(int)
    for t in ordered:
        hist[next((lab for b, lab in zip(SIZE_BUCKETS, labels) if t <= b), labels[-1])] += 1
    return {
        "count": len(ordered),
        "min": ordered[0],
        "p10": pct(0.10),
        "p50": pct(0.50),
        "p90": pct(0.90),
        "max": ordered[-1],
        "mean": round(sum(ordered) / len(ordered), 1),
        "histogram": {lab: hist[lab] for lab in labels if hist[lab]},
    }


def build_report(
    root: Path, chunker=None, progress: bool = False, max_bytes: int = DEFAULT_MAX_BYTES, scan: LibraryScan | None = None
) -> LibraryReport:
    """Read (and, given a chunker, chunk) the whole library into a report."""
    report = LibraryReport(str(root))
    if chunker is not None:
        from mcdewey.chunking import chunker_params

        report.strategy, report.params = chunker.name, chunker_params(chunker)
    log = ReadLog()
    start = last = time.perf_counter()
    for doc in iter_documents(root, progress=progress, max_bytes=max_bytes, log=log, scan=scan):
        read_at = time.perf_counter()
        report.seconds_by_format[doc.format] += read_at - last  # reading time, chunking excluded
        report.add_document(doc, chunker.chunk(doc) if chunker is not None else None)
        last = time.perf_counter()
    report.seconds = time.perf_counter() - start
    report.add_log(log)
    return report
