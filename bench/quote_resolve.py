"""How many labeled quotes the readers' normalized text contains (on the labeled page for PDFs).

usage: python bench/quote_resolve.py LIBRARY EVALS_DIR_OR_JSONL...
Matching as in the evals' FORMAT.md: letters and digits only, after NFKC and case folding.
"""

from __future__ import annotations

import json
import re
import sys
import unicodedata
from functools import lru_cache
from pathlib import Path

from mcdewey.library import read_document


def norm(text: str) -> str:
    return re.sub(r"[\W_]+", "", unicodedata.normalize("NFKC", text).casefold())


@lru_cache(maxsize=64)
def pages(root: str, doc_id: str) -> tuple[str, tuple[str, ...]]:
    """(normalized whole text, normalized text per physical page)."""
    doc = read_document(Path(root), doc_id)
    return norm(doc.text), tuple(norm(doc.text[p.start:p.end]) for p in doc.pages)


def resolve(root: str, evidence: dict) -> str:
    """'ok', 'wrong page' or 'missing'."""
    quote = norm(evidence["quote"])
    whole, per_page = pages(root, evidence["doc"])
    page = evidence.get("page")
    if page and per_page:
        here = per_page[page - 1] if page <= len(per_page) else ""
        after = per_page[page] if page < len(per_page) else ""
        if quote in here or quote in here + after:
            return "ok"
        return "wrong page" if quote in whole else "missing"
    return "ok" if quote in whole else "missing"


def main(root: str, sources: list[str]) -> None:
    files = [f for s in sources for f in (sorted(Path(s).rglob("*.jsonl")) if Path(s).is_dir() else [Path(s)])]
    counts: dict[str, int] = {}
    for file in files:
        for line in file.read_text().splitlines():
            if not line.strip():
                continue
            query = json.loads(line)
            for evidence in query["relevant"]:
                outcome = resolve(root, evidence)
                counts[outcome] = counts.get(outcome, 0) + 1
                if outcome != "ok":
                    print(f"{outcome}: {query['id']} {evidence['doc']} p{evidence.get('page')}: {evidence['quote'][:80]!r}")
    total = sum(counts.values())
    print(f"{counts.get('ok', 0)}/{total} quotes resolved ({100 * counts.get('ok', 0) / max(total, 1):.1f}%); {counts}")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2:])
