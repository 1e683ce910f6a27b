"""PDF pages of an index: where each PDF lives, pages rendered to PNG through a bounded on-disk cache,
and highlights of a chunk (boxes, or drawn onto the image).

A workspace index finds its PDFs in the library it was built from (manifest `library.path`); an export
carries copies of the PDFs it cites under `files/` (manifest `sources`), so it renders anywhere.
"""

from __future__ import annotations

import hashlib
import io
import os
import shutil
import tempfile
import threading
from pathlib import Path

from mcdewey.models import Chunk, Document
from mcdewey.pdf_geometry import Box, PdfPages
from mcdewey.storage import is_remote

DEFAULT_WIDTH = 1000
MIN_WIDTH, MAX_WIDTH = 100, 2400
CACHE_BYTES = 256 * 1024 * 1024  # rendered pages kept on disk; the oldest go first
SOURCES_DIR = "files"
HIGHLIGHT = (255, 214, 0, 96)  # RGBA drawn over a cited passage


class PageError(LookupError):
    """A page that cannot be shown: not a PDF, no such page, or the PDF is not at hand."""


def source_path(index, doc_id: str) -> Path | None:
    """The PDF file behind `doc_id` for an opened index (export copy or library file), if present."""
    manifest = index.manifest
    if manifest.sources and is_remote(index.db_path):
        return _fetched(index.db_path.parent / manifest.sources, doc_id)
    if manifest.sources:
        root = Path(index.db_path).parent / manifest.sources
    else:
        root = Path(manifest.library_path or "")
    if not str(root) or not doc_id.lower().endswith(".pdf"):
        return None
    path = (root / doc_id).resolve()
    if not path.is_relative_to(root.resolve()) or not path.is_file():
        return None
    return path


def _fetched(root, doc_id: str) -> Path | None:
    """A PDF of an export on object storage, downloaded once into a local folder (export versions never
    change, so the copy stays valid); None when the export does not carry it."""
    if not doc_id.lower().endswith(".pdf") or ".." in doc_id.split("/"):
        return None
    local = Path(tempfile.gettempdir()) / "mcdewey-sources" / hashlib.sha1(str(root).encode()).hexdigest()[:16] / doc_id
    if not local.is_file():
        try:
            data = (root / doc_id).read_bytes()
        except FileNotFoundError:
            return None
        local.parent.mkdir(parents=True, exist_ok=True)
        tmp = local.with_name(f".{local.name}.{os.getpid()}.tmp")
        tmp.write_bytes(data)
        os.replace(tmp, local)
    return local


def copy_sources(library: Path, doc_ids: list[str], to) -> int:
    """Copy the PDFs an export cites into `to` (a folder or an object-storage prefix); returns their bytes.
    Copies, not links: the export must not change when the library does."""
    total = 0
    for doc_id in doc_ids:
        src = Path(library) / doc_id
        if not doc_id.lower().endswith(".pdf") or not src.is_file():
            continue
        dst = to / doc_id
        if is_remote(dst):
            data = src.read_bytes()
            dst.write_bytes(data)
            total += len(data)
            continue
        dst.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(src, dst)
        total += dst.stat().st_size
    return total


def folder_bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in Path(folder).rglob("*") if p.is_file() and not p.is_symlink())


class PageCache:
    """Rendered page images on disk under `folder`, at most `limit` bytes (least recently written go)."""

    def __init__(self, folder: Path, limit: int = CACHE_BYTES):
        self.folder = Path(folder)
        self.limit = limit
        self._lock = threading.Lock()
        self._writes = 0

    def get(self, key: str) -> bytes | None:
        path = self.folder / key[:2] / f"{key}.png"
        try:
            return path.read_bytes()
        except OSError:
            return None

    def put(self, key: str, data: bytes) -> None:
        path = self.folder / key[:2] / f"{key}.png"
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(f".{os.getpid()}.{threading.get_ident()}.tmp")
            tmp.write_bytes(data)
            os.replace(tmp, path)
        except OSError:
            return  # a read-only disk only costs the cache
        with self._lock:
            self._writes += 1
            if self._writes % 20 == 1:
                self.prune()

    def prune(self) -> None:
        files = sorted((p.stat().st_mtime, p.stat().st_size, p) for p in self.folder.rglob("*.png"))
        size = sum(s for _, s, _ in files)
        for _, s, p in files:
            if size <= self.limit:
                break
            p.unlink(missing_ok=True)
            size -= s


def cache_folder(index) -> Path:
    """Export: `page-cache/` next to its tables when writable; workspace: `cache/pages`; else a temp folder."""
    local = [] if is_remote(index.db_path) else \
        [Path(index.db_path).parent / ("page-cache" if index.manifest.sources else "cache/pages")]
    for folder in (*local, Path(tempfile.gettempdir()) / "mcdewey-page-cache" / hashlib.sha1(str(index.db_path).encode()).hexdigest()[:12]):
        try:
            folder.mkdir(parents=True, exist_ok=True)
            if os.access(folder, os.W_OK):
                return folder
        except OSError:
            continue
    return folder


class PageImages:
    """Renders and highlights the pages of one index's PDFs."""

    def __init__(self, index, cache: PageCache | None = None):
        self.index = index
        self.cache = cache or PageCache(cache_folder(index))

    def pdf(self, doc_id: str) -> Path:
        path = source_path(self.index, doc_id)
        if path is None:
            raise PageError(f"no PDF at hand for {doc_id!r}: pages are shown for PDF documents of an export "
                            "made by `mcdewey export` (it carries the PDFs) or of a workspace whose library is in place")
        return path

    def png(self, doc_id: str, page: int, width: int = DEFAULT_WIDTH) -> bytes:
        """Page `page` (1-based) of the PDF as PNG, `width` pixels wide (clamped to 100-2400)."""
        path = self.pdf(doc_id)
        width = max(MIN_WIDTH, min(MAX_WIDTH, int(width)))
        stat = path.stat()
        key = hashlib.sha256(f"{doc_id}|{stat.st_size}|{stat.st_mtime_ns}|{page}|{width}".encode()).hexdigest()
        cached = self.cache.get(key)
        if cached is not None:
            return cached
        data = _encode(self._render(path, page, width))
        self.cache.put(key, data)
        return data

    def _render(self, path: Path, page: int, width: int):
        with PdfPages(path) as pages:
            if not 1 <= page <= len(pages):
                raise PageError(f"page {page} is out of range: the PDF has {len(pages)} pages (1-based)")
            pg = pages.pdf[page - 1]
            try:
                scale = width / pg.get_width()
                return pg.render(scale=scale).to_pil().convert("RGB")
            finally:
                pg.close()

    def boxes(self, doc: Document, chunk: Chunk) -> list[Box]:
        with PdfPages(self.pdf(doc.doc_id)) as pages:
            return pages.chunk_boxes(doc, chunk)

    def page_info(self, doc_id: str, page: int) -> tuple[int, str | None, str]:
        """(page count, printed label, pdfium's text) of one page."""
        with PdfPages(self.pdf(doc_id)) as pages:
            if not 1 <= page <= len(pages):
                raise PageError(f"page {page} is out of range: the PDF has {len(pages)} pages (1-based)")
            text = pages.page_text(page).replace("\r\n", "\n").replace("\ufffe", "")
            return len(pages), pages.label(page), text

    def highlighted_png(self, doc_id: str, page: int, boxes: list[Box], width: int = DEFAULT_WIDTH) -> bytes:
        """The page with `boxes` of that page drawn over it as translucent marker strokes."""
        from PIL import Image, ImageDraw

        image = Image.open(io.BytesIO(self.png(doc_id, page, width))).convert("RGBA")
        layer = Image.new("RGBA", image.size, (0, 0, 0, 0))
        draw = ImageDraw.Draw(layer)
        w, h = image.size
        for b in boxes:
            if b.page == page:
                draw.rectangle([b.x0 * w - 2, b.y0 * h - 2, b.x1 * w + 2, b.y1 * h + 2], fill=HIGHLIGHT)
        return _encode(Image.alpha_composite(image, layer).convert("RGB"))


def _encode(image) -> bytes:
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=False, compress_level=6)
    return out.getvalue()
