"""The notebooks' inputs: the library and query set to work on, and documents read from the library.

`prepare(None, ...)` gives the small real library (Debian documentation packages, built once under
HOME) with its labeled queries; `prepare("demo", ...)` the tiny generated demo library (CI, tests).
"""

from __future__ import annotations

import random
from pathlib import Path

from mcdewey.demo import demo_library, demo_queries
from mcdewey.library import LibraryScan, ReadError, SkipFile, read_document, scan_library
from mcdewey.models import Document

DEMO = "demo"  # LIBRARY = "demo": the tiny generated library (fast; CI and tests)
# The labeled queries of the Debian sample library (a source checkout holds them beside the package).
SAMPLE_QUERIES = Path(__file__).resolve().parents[1] / "evals" / "queries" / "sample-library.jsonl"


def prepare(library: str | Path | None, queries: str | Path | None, home: str | Path,
            need_queries: bool = False) -> tuple[Path, Path | None]:
    """The notebooks' library and query set.

    `library` None: the small real library of Debian documentation packages (built once under
    `home`/sample-library, about 260 files) with its labeled queries; "demo": the tiny generated demo
    library and its queries; anything else: that folder, with `queries` (required when `need_queries`).
    """
    if library == DEMO:
        demo = Path(home) / "demo"
        return demo_library(demo / "library"), Path(queries) if queries else demo_queries(demo / "queries.jsonl")
    if library is None:
        return sample_library(Path(home) / "sample-library"), Path(queries) if queries else SAMPLE_QUERIES
    lib = Path(library)
    if not lib.is_dir():
        raise FileNotFoundError(f"LIBRARY {lib} is not a folder (paths are relative to the notebook)")
    if queries:
        return lib, Path(queries)
    if need_queries:
        raise ValueError("set QUERIES to a labeled query set for this library: the bundled queries fit only the "
                         "sample and demo libraries")
    return lib, None


def sample_library(folder: Path) -> Path:
    """The Debian sample library in `folder`, built there first when missing (`mcdewey sample-library`)."""
    if not (folder.is_dir() and any(folder.iterdir())):
        from mcdewey.sample import build_sample_library

        for _ in build_sample_library(folder, log=lambda line: None):
            pass
    return folder


def read_sample(root: str | Path, limit: int | None = None, seed: int = 0,
                scan: LibraryScan | None = None) -> list[Document]:
    """Read up to `limit` documents of the library (a seeded random sample; all when None)."""
    scan = scan or scan_library(Path(root))
    doc_ids = sorted(scan.candidates)
    if limit is not None and limit < len(doc_ids):
        doc_ids = sorted(random.Random(seed).sample(doc_ids, limit))
    docs = []
    for doc_id in doc_ids:
        try:
            docs.append(read_document(Path(root), doc_id, fmt=scan.candidates[doc_id]))
        except (SkipFile, ReadError):
            continue  # the scan table already shows why a library has unreadable files
    return docs


def pick_document(root: str | Path, doc_id: str | None = None) -> Document:
    """Document `doc_id` of the library, else its first PDF (pages show there), else its first document."""
    if doc_id:
        return read_document(Path(root), doc_id)
    scan = scan_library(Path(root))
    ordered = sorted(scan.candidates, key=lambda d: (scan.candidates[d] != "pdf", d))
    for candidate in ordered:
        try:
            return read_document(Path(root), candidate, fmt=scan.candidates[candidate])
        except (SkipFile, ReadError):
            continue
    raise FileNotFoundError(f"no readable document in {root}")


def default_chunkers(model: str | None = None) -> dict[str, object]:
    """Every registered strategy with its default parameters, counting tokens with `model`."""
    from mcdewey.chunking import get_chunker, list_strategies, strategy_fields

    return {name: get_chunker(name, **({"model": model} if model and "model" in strategy_fields(name) else {}))
            for name in list_strategies()}
