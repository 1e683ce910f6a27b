"""Export an index as a self-contained folder that `mcdewey.store.open_index` serves anywhere.

Layout: `DIR/versions/<stamp>/{manifest.json, lancedb/}` holds each export; `DIR/current` is a symlink
to the newest one and `DIR/manifest.json` points through it. Replacing an export swaps `current`
with os.replace, so a reader resolves either the old version or the new one, never a mix.
"""

from __future__ import annotations

import json
import os
import shutil
from datetime import datetime, timezone
from pathlib import Path

from mcdewey.store import FTS_FIELDS, Workspace, create_export_tables, write_json_atomic

KEEP_VERSIONS = 2  # the new export and the one before it: a server that opened the old one keeps working


def export(workspace: Workspace, index: str, to: Path) -> Path:
    """Write index `index` to folder `to` (replacing an earlier export atomically); returns the version folder."""
    source = workspace.open_index(index)
    to = Path(to)
    _check_target(to)
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")
    version_dir = to / "versions" / stamp
    version_dir.mkdir(parents=True)
    chunks = source.arrow()
    documents = source.documents_arrow()
    fts_fields = tuple(source.manifest.get("fts_fields") or FTS_FIELDS)
    table_version = create_export_tables(version_dir / "lancedb", chunks, documents, fts_fields)
    manifest = _export_manifest(workspace, index, source.manifest, table_version)
    manifest["sources"] = _copy_pdfs(source.manifest, manifest, version_dir)
    write_json_atomic(version_dir / "manifest.json", manifest)
    _swap_current(to, version_dir)
    _prune(to)
    return version_dir


def _copy_pdfs(source_manifest: dict, manifest: dict, version_dir: Path) -> str:
    """The PDFs the export cites travel with it (`files/<doc_id>`), so its pages render anywhere."""
    from mcdewey.pages import SOURCES_DIR, copy_sources

    library = Path((source_manifest.get("library") or {}).get("path") or ".")
    doc_ids = [f.get("doc_id") or rel for rel, f in manifest["files"].items()]
    copy_sources(library, doc_ids, version_dir / SOURCES_DIR)
    return SOURCES_DIR


def export_size(version_dir: Path) -> dict[str, int]:
    """Bytes of an export version: in all, and of the PDFs it carries."""
    from mcdewey.pages import SOURCES_DIR, folder_bytes

    return {"total": folder_bytes(version_dir), "pdfs": folder_bytes(version_dir / SOURCES_DIR)}


def _check_target(to: Path) -> None:
    if to.exists() and any(to.iterdir()) and not (to / "current").is_symlink():
        raise FileExistsError(f"{to} exists and is not a McDewey export; choose an empty or new folder")


def _export_manifest(workspace: Workspace, index: str, manifest: dict, table_version: int) -> dict:
    out = {k: v for k, v in manifest.items() if k not in ("files", "tables")}
    # Only documents that made it into the index travel; skipped files stay behind.
    out["files"] = {rel: f for rel, f in manifest.get("files", {}).items() if f.get("status") == "indexed"}
    out["tables"] = {"chunks": "chunks", "chunks_version": table_version}
    out["exported_at"] = datetime.now(timezone.utc).isoformat(timespec="seconds")
    out["source_index"] = index
    summary = workspace.index_dir(index) / "eval-summary.json"
    out["eval"] = json.loads(summary.read_text()) if summary.exists() else None
    return out


def _swap_current(to: Path, version_dir: Path) -> None:
    tmp = to / f".current.{os.getpid()}.tmp"
    tmp.unlink(missing_ok=True)
    os.symlink(version_dir.relative_to(to), tmp)
    os.replace(tmp, to / "current")
    link = to / "manifest.json"
    if not link.is_symlink():
        tmp = to / f".manifest.{os.getpid()}.tmp"
        tmp.unlink(missing_ok=True)
        os.symlink(Path("current") / "manifest.json", tmp)
        os.replace(tmp, link)


def _prune(to: Path) -> None:
    current = (to / "current").resolve()
    versions = sorted((to / "versions").iterdir())
    for old in versions[:-KEEP_VERSIONS]:
        if old.resolve() != current:
            shutil.rmtree(old, ignore_errors=True)
