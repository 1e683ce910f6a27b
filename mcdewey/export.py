"""Export an index as a self-contained folder that `mcdewey.store.open_index` serves anywhere.

Layout: `DIR/versions/<stamp>/{manifest.json, lancedb/}` holds each export; `DIR/current` is a symlink
to the newest one and `DIR/manifest.json` points through it. Replacing an export swaps `current`
with os.replace, so a reader resolves either the old version or the new one, never a mix.
On object storage (`s3://`), which has no rename, `current` is a pointer object `DIR/current.json`
written last, after the version it names is complete (mcdewey.storage.write_pointer).
"""

from __future__ import annotations

import json
import os
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path

from mcdewey.manifest import Manifest
from mcdewey.storage import POINTER, export_root, is_remote, location, remove_tree, write_pointer
from mcdewey.store import Workspace, create_export_tables, write_json_atomic

KEEP_VERSIONS = 2  # the new export and the one before it: a server that opened the old one keeps working


def export(workspace: Workspace, index: str, to: Path) -> Path:
    """Write index `index` to folder `to` (replacing an earlier export atomically); returns the version folder."""
    source = workspace.open_index(index)
    to = location(to)
    _check_target(to)
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")
    version_dir = to / "versions" / stamp
    version_dir.mkdir(parents=True)
    chunks = source.arrow()
    documents = source.documents_arrow()
    passages = source.passages_arrow()
    table_version = create_export_tables(version_dir / "lancedb", chunks, documents, source.manifest.fts_fields,
                                         passages)
    summary = workspace.index_dir(index) / "eval-summary.json"
    manifest = source.manifest.exported(index, table_version, json.loads(summary.read_text()) if summary.exists()
                                        else None, datetime.now(timezone.utc).isoformat(timespec="seconds"),
                                        passages=passages is not None)
    manifest = replace(manifest, sources=_copy_pdfs(source.manifest, manifest, version_dir))
    write_json_atomic(version_dir / "manifest.json", manifest.to_dict())
    _swap_current(to, version_dir)
    _prune(to)
    return version_dir


def _copy_pdfs(source_manifest: Manifest, manifest: Manifest, version_dir) -> str:
    """The PDFs the export cites travel with it (`files/<doc_id>`), so its pages render anywhere."""
    from mcdewey.pages import SOURCES_DIR, copy_sources

    library = Path(source_manifest.library_path or ".")
    doc_ids = [f.doc_id or rel for rel, f in manifest.files.items()]
    copy_sources(library, doc_ids, version_dir / SOURCES_DIR)
    return SOURCES_DIR


def export_size(version_dir: Path) -> dict[str, int]:
    """Bytes of an export version: in all, and of the PDFs it carries."""
    from mcdewey.pages import SOURCES_DIR, folder_bytes

    return {"total": folder_bytes(version_dir), "pdfs": folder_bytes(version_dir / SOURCES_DIR)}


def _check_target(to: Path) -> None:
    if is_remote(to):
        if to.is_dir() and not (to / POINTER).is_file():
            raise FileExistsError(f"{to} holds objects and is not a McDewey export; choose an empty or new prefix")
        return
    if to.exists() and any(to.iterdir()) and not (to / "current").is_symlink():
        raise FileExistsError(f"{to} exists and is not a McDewey export; choose an empty or new folder")


def _swap_current(to: Path, version_dir: Path) -> None:
    if is_remote(to):
        write_pointer(to, version_dir)
        return
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
    current = export_root(to)
    versions = sorted((to / "versions").iterdir())
    for old in versions[:-KEEP_VERSIONS]:
        if old.resolve() != current:
            remove_tree(old)
