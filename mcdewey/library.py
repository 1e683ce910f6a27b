"""A library folder `<vendor>/<product>/<version>/...`: which files are documents, and reading them."""

from __future__ import annotations

import errno
import hashlib
import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from mcdewey.models import Document
from mcdewey.readers.base import DocInfo, ReadError, SkipFile

__all__ = [
    "DEFAULT_MAX_BYTES", "EmptyLibrary", "FileIssue", "LibraryScan", "ReadError", "ReadLog", "SkipFile",
    "check_layout", "detect_format", "file_fingerprint", "iter_documents", "read_document", "scan_library",
]

MIN_DEPTH = 4  # vendor / product / version / file
LAYOUT = "<vendor>/<product>/<version>/<file>"
_BAD_NAME = re.compile(r"[\x00-\x1f\x7f]")  # a newline or tab in a name breaks URLs and logs
DEFAULT_MAX_BYTES = int(float(os.environ.get("MCDEWEY_MAX_FILE_MB", "100")) * 2**20)
SNIFF_BYTES = 8192

_IMAGES = {"png", "jpg", "jpeg", "gif", "bmp", "tif", "tiff", "webp", "ico", "svg", "svgz", "xcf", "psd", "eps", "heic"}
_ARCHIVES = {"zip", "gz", "tgz", "bz2", "xz", "7z", "tar", "rar", "zst", "jar", "deb", "rpm", "z", "lz"}
_ASSETS = {
    "css": "stylesheet", "js": "script", "mjs": "script", "map": "source map", "json": "JSON sidecar",
    "inv": "Sphinx inventory", "dot": "Graphviz source", "gv": "Graphviz source", "dia": "Dia diagram",
    "woff": "font", "woff2": "font", "ttf": "font", "otf": "font", "eot": "font",
    "mp3": "media", "mp4": "media", "wav": "media", "ogg": "media", "webm": "media", "avi": "media", "mov": "media",
}
_MAGIC = (
    (b"\x89PNG", "image"), (b"\xff\xd8\xff", "image"), (b"GIF8", "image"), (b"BM", None), (b"II*\x00", "image"),
    (b"MM\x00*", "image"), (b"RIFF", "binary file"), (b"PK\x03\x04", "archive"), (b"\x1f\x8b", "archive"),
    (b"BZh", "archive"), (b"\xfd7zXZ", "archive"), (b"7z\xbc\xaf", "archive"), (b"\x7fELF", "binary file"),
    (b"gimp xcf", "image"), (b"wOFF", "font"), (b"wOF2", "font"),
)
_TEXT_FORMATS = {"md": "markdown", "markdown": "markdown", "mdx": "mdx", "html": "html", "htm": "html", "xhtml": "html"}


@dataclass(frozen=True)
class FileIssue:
    """A file that was skipped (not a document) or could not be read (an error), and why."""

    path: str  # relative to the library root
    reason: str


@dataclass
class LibraryScan:
    """What a walk of the library found: candidate documents (with their format) and skipped files."""

    root: Path
    candidates: dict[str, str] = field(default_factory=dict)  # doc_id -> format
    skipped: list[FileIssue] = field(default_factory=list)
    errors: list[FileIssue] = field(default_factory=list)


@dataclass
class ReadLog:
    """Filled while documents are read: what was skipped and what failed, in library order."""

    skipped: list[FileIssue] = field(default_factory=list)
    errors: list[FileIssue] = field(default_factory=list)
    read: int = 0


class EmptyLibrary(ValueError):
    """Nothing to index: the library is empty or holds no document at <vendor>/<product>/<version>/."""

    def __init__(self, message: str, scan: LibraryScan):
        super().__init__(message)
        self.scan = scan


def doc_info(doc_id: str) -> DocInfo:
    parts = PurePosixPath(doc_id).parts
    if len(parts) < MIN_DEPTH:
        raise ValueError(f"{doc_id} is not below <vendor>/<product>/<version>/")
    return DocInfo(doc_id, parts[0], parts[1], parts[2])


def walk_library(root: Path, scan: LibraryScan | None = None) -> Iterator[str]:
    """Relative POSIX paths of the regular, non-hidden files at depth >= 4, real paths before symlinks.

    Symlinks are resolved: one that stays inside the library is followed once (a target already taken
    is a duplicate), one that leaves it is skipped, a loop or a dangling link is an error. Hidden
    entries, files at the wrong depth and bad names go to `scan.skipped` / `scan.errors` with a reason.
    """
    yield from _Walker(Path(root), scan if scan is not None else LibraryScan(Path(root))).walk()


class _Walker:
    """One walk of the library; see walk_library."""

    def __init__(self, root: Path, scan: LibraryScan):
        self.root, self.scan = root.resolve(), scan
        self.seen: dict[Path, str] = {}  # real path of every folder and file taken -> its path in the library
        self.links: list[tuple[str, Path]] = []  # symlinks met, followed once the real tree is walked

    def walk(self) -> Iterator[str]:
        yield from self._folder("", self.root)
        while self.links:
            yield from self._link(*self.links.pop(0))

    def _folder(self, rel: str, real: Path) -> Iterator[str]:
        self.seen[real] = rel
        try:
            entries = sorted(os.scandir(real), key=lambda e: e.name)
        except OSError as exc:
            self.scan.errors.append(FileIssue(rel + "/", f"cannot list folder: {exc.strerror or exc}"))
            return
        for entry in entries:
            child = f"{rel}/{entry.name}" if rel else entry.name
            if entry.name.startswith("."):
                folder = _is_dir(entry)
                self.scan.skipped.append(FileIssue(child + "/" * folder, f"hidden {'folder' if folder else 'file'}"))
            elif not _utf8(entry.name):
                self.scan.errors.append(FileIssue(ascii(child), "bad file name: not valid UTF-8: rename it"))
            elif _BAD_NAME.search(entry.name):
                self.scan.errors.append(FileIssue(child, f"bad file name: it contains a control character "
                                                         f"({ascii(entry.name)}): rename it"))
            elif entry.is_symlink():
                self.links.append((child, Path(entry.path)))
            elif entry.is_dir(follow_symlinks=False):
                yield from self._folder(child, Path(entry.path))
            elif entry.is_file(follow_symlinks=False):
                yield from self._file(child, Path(entry.path))
            else:
                self.scan.skipped.append(FileIssue(child, "not a regular file (device, socket or pipe)"))

    def _file(self, rel: str, real: Path) -> Iterator[str]:
        if rel.count("/") < MIN_DEPTH - 1:
            self.scan.skipped.append(FileIssue(rel, f"wrong depth: documents go in {LAYOUT}"))
        elif real in self.seen:
            self.scan.skipped.append(FileIssue(rel, f"symlink to {self.seen[real]}, indexed under that path"))
        else:
            self.seen[real] = rel
            yield rel

    def _link(self, rel: str, path: Path) -> Iterator[str]:
        try:
            real = path.resolve(strict=True)
        except (OSError, RuntimeError) as exc:
            looped = isinstance(exc, RuntimeError) or getattr(exc, "errno", None) == errno.ELOOP
            reason = "symlink loop" if looped else f"broken symlink: {_target(path)} does not exist"
            self.scan.errors.append(FileIssue(rel, reason))
            return
        if not real.is_relative_to(self.root):
            self.scan.skipped.append(FileIssue(rel, f"symlink to {_target(path)} leaves the library: not read"))
        elif real.is_dir() and path.parent.resolve().is_relative_to(real):
            self.scan.errors.append(FileIssue(rel, f"symlink loop: points to its own parent folder "
                                                   f"{self.seen.get(real, _target(path))}"))
        elif real.is_dir() and real in self.seen:
            self.scan.skipped.append(FileIssue(rel, f"symlink to folder {self.seen[real] or '.'}, "
                                                    f"indexed under that path"))
        elif real.is_dir():
            yield from self._folder(rel, real)
        elif real.is_file():
            yield from self._file(rel, real)
        else:
            self.scan.skipped.append(FileIssue(rel, "symlink to something that is not a regular file"))


def _utf8(name: str) -> bool:
    """False for a name whose bytes are not UTF-8 (Python keeps them as lone surrogates)."""
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _is_dir(entry: os.DirEntry) -> bool:
    try:
        return entry.is_dir()
    except OSError:
        return False


def _target(link: Path) -> str:
    try:
        return os.readlink(link)
    except OSError:
        return "?"


def detect_format(path: Path, max_bytes: int = DEFAULT_MAX_BYTES) -> str:
    """pdf | html | markdown | mdx | text, by content and name; raises SkipFile or ReadError."""
    size = path.stat().st_size
    if size == 0:
        raise ReadError("empty file (0 bytes)")
    if size > max_bytes:
        raise ReadError(f"file is {size / 2**20:.0f} MB, over the size limit of {max_bytes / 2**20:.0f} MB")
    with path.open("rb") as fh:
        head = fh.read(SNIFF_BYTES)
    ext = path.suffix.lower().lstrip(".") if path.suffix else ""
    if head.lstrip()[:5] == b"%PDF-":
        return "pdf"
    if ext == "pdf":
        raise ReadError("corrupt PDF (no %PDF header)")
    if ext in _IMAGES or (ext in _ARCHIVES and Path(path.stem).suffix.lower().lstrip(".") in _IMAGES):
        raise SkipFile("image")
    if ext in _ASSETS:
        raise SkipFile(f"web asset: {_ASSETS[ext]}")
    for magic, kind in _MAGIC:
        if kind and head.startswith(magic):
            raise SkipFile(kind if ext not in _TEXT_FORMATS else f"{kind} named .{ext}")
    if ext in _ARCHIVES:
        raise SkipFile("archive")
    if _looks_binary(head):
        if ext in _TEXT_FORMATS or ext == "txt":
            raise ReadError(f"binary data in a .{ext} file")
        raise SkipFile("binary file")
    if ext in _TEXT_FORMATS:
        return _TEXT_FORMATS[ext]
    start = head.lstrip()[:512].lower()
    if start.startswith((b"<!doctype html", b"<html", b"<?xml")) and b"<html" in head.lower():
        return "html"
    return "text"


def _looks_binary(head: bytes) -> bool:
    """NUL bytes or many control characters mean binary; UTF-16 text (with a BOM) is not."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return False
    if b"\x00" in head:
        return True
    controls = sum(1 for b in head if b < 32 and b not in (9, 10, 12, 13, 27))
    return controls > max(8, len(head) // 20)


def scan_library(root: Path, max_bytes: int = DEFAULT_MAX_BYTES) -> LibraryScan:
    """Walk the library and sort its files into candidate documents, skipped files and errors."""
    scan = LibraryScan(Path(root))
    for doc_id in walk_library(root, scan):
        try:
            scan.candidates[doc_id] = detect_format(Path(root) / doc_id, max_bytes)
        except SkipFile as exc:
            scan.skipped.append(FileIssue(doc_id, exc.reason))
        except ReadError as exc:
            scan.errors.append(FileIssue(doc_id, exc.reason))
        except OSError as exc:
            scan.errors.append(FileIssue(doc_id, f"cannot read: {exc.strerror or exc}"))
    scan.candidates = dict(sorted(scan.candidates.items()))
    scan.skipped.sort(key=lambda i: i.path)
    scan.errors.sort(key=lambda i: i.path)
    return scan


def check_layout(scan: LibraryScan) -> None:
    """Raise EmptyLibrary when the scan found no document to read: the message names the expected layout."""
    if scan.candidates:
        return
    found = len(scan.skipped) + len(scan.errors)
    what = (f"found {len(scan.skipped)} skipped and {len(scan.errors)} unreadable files, e.g. "
            + "; ".join(f"{i.path}: {i.reason}" for i in (scan.errors + scan.skipped)[:3])) if found else "it is empty"
    raise EmptyLibrary(f"no document in {scan.root} at a valid depth ({what}); "
                       f"a library holds documents as {LAYOUT}, e.g. acme/router/1.0/guide.pdf", scan)


def _reader(fmt: str) -> Callable[[Path, DocInfo], Document]:
    # Imported here so that scanning a library does not load pypdfium2 and selectolax.
    if fmt == "pdf":
        from mcdewey.readers.pdf import read_pdf

        return read_pdf
    if fmt == "html":
        from mcdewey.readers.html import read_html

        return read_html
    if fmt in ("markdown", "mdx"):
        from mcdewey.readers.markdown import read_markdown

        return lambda path, info: read_markdown(path, info, mdx=fmt == "mdx")
    from mcdewey.readers.text import read_text

    return read_text


def read_document(root: Path, path: str | Path, max_bytes: int = DEFAULT_MAX_BYTES, fmt: str | None = None) -> Document:
    """Read one file of the library (path relative to root, or absolute below it); raises SkipFile or ReadError."""
    root, path = Path(root), Path(path)
    # `path` may be relative to root (a doc_id) or already include root (absolute or not).
    full = path if path.is_absolute() or _is_below(path, root) else root / path
    doc_id = full.relative_to(root).as_posix()
    if not full.resolve().is_relative_to(root.resolve()):
        raise ReadError(f"{doc_id} resolves to {full.resolve()}, outside the library: not read")
    try:
        info = doc_info(doc_id)
        fmt = fmt or detect_format(full, max_bytes)
        doc = _reader(fmt)(full, info)
    except (SkipFile, ReadError):
        raise
    except (OSError, ValueError, UnicodeError, RecursionError) as exc:
        raise ReadError(f"{type(exc).__name__}: {exc}") from exc
    if not doc.text.strip():
        raise SkipFile("no text")
    return doc


def _is_below(path: Path, root: Path) -> bool:
    try:
        path.relative_to(root)
    except ValueError:
        return False
    return root != Path(".") and (root / path.relative_to(root)).exists()


def iter_documents(
    root: Path,
    *,
    progress: bool = False,
    max_bytes: int = DEFAULT_MAX_BYTES,
    log: ReadLog | None = None,
    scan: LibraryScan | None = None,
) -> Iterator[Document]:
    """Yield every readable document of the library in path order; skips and errors go to `log`."""
    log = log if log is not None else ReadLog()
    scan = scan or scan_library(root, max_bytes)
    log.skipped.extend(scan.skipped)
    log.errors.extend(scan.errors)
    with _progress(progress, len(scan.candidates)) as advance:
        for doc_id, fmt in scan.candidates.items():
            advance(doc_id)
            try:
                doc = read_document(root, doc_id, max_bytes, fmt)
            except SkipFile as exc:
                log.skipped.append(FileIssue(doc_id, exc.reason))
                continue
            except ReadError as exc:
                log.errors.append(FileIssue(doc_id, exc.reason))
                continue
            except Exception as exc:  # one bad file never stops the library: report it and go on
                log.errors.append(FileIssue(doc_id, f"reader failed: {type(exc).__name__}: {exc}"))
                continue
            log.read += 1
            yield doc


class _progress:
    """A rich progress bar on stderr when wanted; otherwise a no-op."""

    def __init__(self, enabled: bool, total: int) -> None:
        self.enabled, self.total, self.bar = enabled, total, None

    def __enter__(self) -> Callable[[str], None]:
        if not self.enabled:
            return lambda _doc_id: None
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        self.bar = Progress(
            TextColumn("reading"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
            TextColumn("{task.description}", style="dim"), console=Console(stderr=True), transient=True,
        )
        self.bar.start()
        task = self.bar.add_task("", total=self.total)
        return lambda doc_id: self.bar.update(task, advance=1, description=doc_id[-60:])

    def __exit__(self, *exc) -> None:
        if self.bar is not None:
            self.bar.stop()


def file_fingerprint(path: Path) -> str:
    """sha256 of the file's bytes (hex)."""
    digest = hashlib.sha256()
    with Path(path).open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
