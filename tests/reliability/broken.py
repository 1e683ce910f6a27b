"""Broken and hostile inputs, generated: each Case writes one into a library next to good documents.

Every case names the path the ingest must report, the kind ("error" | "skipped") and a piece of the reason;
cases with kind None must be indexed (and their text decoded right: `expect` is searchable).
"""

from __future__ import annotations

import gzip
import io
import os
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from data.build import encrypted_pdf, image_only_pdf, router_pdf, tiny_png

GOOD = {
    "acme/router/1.0/guide/routing.md": "# Routing guide\n\n## BGP\n\nBGP peers exchange prefixes over TCP port 179.\n",
    "acme/router/1.0/guide/ospf.txt": "OSPF AREAS\n\nArea zero is the backbone area of an OSPF network.\n",
    "globex/phone/3.1/admin/provisioning.html": (
        "<html><head><title>Provisioning</title></head><body><h1>Provisioning</h1>"
        "<p>Phones download their configuration over TFTP at boot.</p></body></html>"),
}
# Words only the good documents hold, and the document each finds.
GOOD_QUERIES = {"BGP peers prefixes": "acme/router/1.0/guide/routing.md",
                "backbone area": "acme/router/1.0/guide/ospf.txt",
                "TFTP configuration boot": "globex/phone/3.1/admin/provisioning.html"}
V = "broken/kinds/1.0"  # the version folder most cases write into
SECRET = "outside-secret-7f3a"  # text of the files outside the library that links point to


@dataclass(frozen=True)
class Case:
    name: str
    path: str  # as reported, relative to the library
    kind: str | None  # "error" | "skipped" | None (indexed)
    reason: str  # a piece of the reported reason, or for kind None a word the document must be found by
    make: Callable[[Path, Path], None]  # (library root, a folder outside it)


def _write(root: Path, rel: str, data: bytes | str) -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode() if isinstance(data, str) else data)
    return path


def _link(root: Path, rel: str, target: str | Path) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    os.symlink(target, path)


def _random_high_bytes(n: int, seed: int) -> bytes:
    state, out = seed, bytearray()
    for _ in range(n):
        state = (state * 1103515245 + 12345) & 0x7FFFFFFF
        out.append(0x80 | (state >> 16) & 0x7F)
    return bytes(out)


def _zero_page_pdf() -> bytes:
    from pypdf import PdfWriter

    buf = io.BytesIO()
    PdfWriter().write(buf)
    return buf.getvalue()


def _zip() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("inner.txt", "zipped text")
    return buf.getvalue()


def _outside_text(outside: Path) -> Path:
    return _write(outside, "secret.txt", f"{SECRET} root:x:0:0:root:/root:/bin/bash\n")


CASES = [
    # --- symlinks -----------------------------------------------------------------------------
    Case("symlink to /etc/passwd", f"{V}/passwd.txt", "skipped", "leaves the library",
         lambda r, o: _link(r, f"{V}/passwd.txt", "/etc/passwd")),
    Case("symlink to a file outside", f"{V}/secret.txt", "skipped", "leaves the library",
         lambda r, o: _link(r, f"{V}/secret.txt", _outside_text(o))),
    Case("symlink to a folder outside", f"{V}/outside-dir", "skipped", "leaves the library",
         lambda r, o: (_outside_text(o), _link(r, f"{V}/outside-dir", o))),
    Case("relative symlink escaping with ..", f"{V}/up.txt", "skipped", "leaves the library",
         lambda r, o: (_outside_text(o), _link(r, f"{V}/up.txt", os.path.relpath(o / "secret.txt", r / V)))),
    Case("symlink to itself", f"{V}/self", "error", "symlink loop", lambda r, o: _link(r, f"{V}/self", "self")),
    Case("two symlinks pointing at each other", f"{V}/ping", "error", "symlink loop",
         lambda r, o: (_link(r, f"{V}/ping", "pong"), _link(r, f"{V}/pong", "ping"))),
    Case("symlink to its own parent folder", f"{V}/sub/loop", "error", "symlink loop",
         lambda r, o: _link(r, f"{V}/sub/loop", "..")),
    Case("dangling symlink", f"{V}/dangling.md", "error", "broken symlink",
         lambda r, o: _link(r, f"{V}/dangling.md", "missing.md")),
    Case("symlink to a document inside (duplicate)", f"{V}/alias.md", "skipped",
         "symlink to acme/router/1.0/guide/routing.md",
         lambda r, o: _link(r, f"{V}/alias.md", os.path.relpath(r / "acme/router/1.0/guide/routing.md", r / V))),
    Case("symlink to a folder inside (duplicate)", "acme/router/2.0", "skipped", "symlink to folder acme/router/1.0",
         lambda r, o: _link(r, "acme/router/2.0", "1.0")),
    # --- layout ------------------------------------------------------------------------------
    Case("file at the library root", "README.md", "skipped", "wrong depth",
         lambda r, o: _write(r, "README.md", "# Library\n\nNotes at the root.\n")),
    Case("file at vendor/product depth", "broken/kinds/notes.txt", "skipped", "wrong depth",
         lambda r, o: _write(r, "broken/kinds/notes.txt", "Notes one level too high.\n")),
    Case("hidden folder", f"{V}/.git/", "skipped", "hidden folder",
         lambda r, o: _write(r, f"{V}/.git/config", "[core]\n")),
    Case("hidden file", f"{V}/.draft.md", "skipped", "hidden file",
         lambda r, o: _write(r, f"{V}/.draft.md", "# Draft\n\nNot published.\n")),
    Case("newline in a file name", f"{V}/new\nline.txt", "error", "bad file name",
         lambda r, o: _write(r, f"{V}/new\nline.txt", "A file whose name holds a newline.\n")),
    Case("file name not valid UTF-8", ascii(f"{V}/bad" + b"\xff".decode("utf-8", "surrogateescape") + ".txt"),
         "error", "not valid UTF-8",
         lambda r, o: (r / V).mkdir(parents=True, exist_ok=True) or
         Path(os.fsdecode(os.fsencode(r / V) + b"/bad\xff.txt")).write_text("Latin-1 name.\n")),
    Case("named pipe", f"{V}/pipe.txt", "skipped", "not a regular file",
         lambda r, o: (r / V).mkdir(parents=True, exist_ok=True) or os.mkfifo(r / V / "pipe.txt")),
    # --- PDFs --------------------------------------------------------------------------------
    Case("PDF without pages", f"{V}/zero-pages.pdf", "error", "PDF has no pages",
         lambda r, o: _write(r, f"{V}/zero-pages.pdf", _zero_page_pdf())),
    Case("PDF without a header", f"{V}/not-a.pdf", "error", "corrupt PDF",
         lambda r, o: _write(r, f"{V}/not-a.pdf", "this is not a PDF at all\n")),
    Case("truncated PDF", f"{V}/truncated.pdf", "error", "truncated PDF",
         lambda r, o: _write(r, f"{V}/truncated.pdf", router_pdf()[:3000])),
    Case("encrypted PDF", f"{V}/encrypted.pdf", "error", "encrypted PDF",
         lambda r, o: _write(r, f"{V}/encrypted.pdf", encrypted_pdf(router_pdf()))),
    Case("PDF with no text layer", f"{V}/scanned.pdf", "skipped", "no text layer",
         lambda r, o: _write(r, f"{V}/scanned.pdf", image_only_pdf())),
    # --- encodings and binary data -----------------------------------------------------------
    Case("random bytes 0x80-0xFF named .html", f"{V}/random.html", "error", "unrecognised text encoding",
         lambda r, o: _write(r, f"{V}/random.html", _random_high_bytes(5000, 1))),
    Case("random bytes 0x80-0xFF named .txt", f"{V}/random.txt", "error", "unrecognised text encoding",
         lambda r, o: _write(r, f"{V}/random.txt", _random_high_bytes(5000, 2))),
    Case("NUL bytes in a Markdown file", f"{V}/nul.md", "error", "binary data in a .md file",
         lambda r, o: _write(r, f"{V}/nul.md", b"# Title\n\x00\x00\x00\x01\x02binary\x00" * 20)),
    Case("PNG named .html", f"{V}/picture.html", "skipped", "image named .html",
         lambda r, o: _write(r, f"{V}/picture.html", tiny_png())),
    Case("gzip named .txt", f"{V}/packed.txt", "skipped", "archive",
         lambda r, o: _write(r, f"{V}/packed.txt", gzip.compress(b"compressed words " * 50))),
    Case("ELF executable without an extension", f"{V}/tool", "skipped", "binary file",
         lambda r, o: _write(r, f"{V}/tool", b"\x7fELF\x02\x01\x01" + bytes(200))),
    Case("zip archive", f"{V}/bundle.zip", "skipped", "archive", lambda r, o: _write(r, f"{V}/bundle.zip", _zip())),
    Case("image", f"{V}/diagram.png", "skipped", "image", lambda r, o: _write(r, f"{V}/diagram.png", tiny_png())),
    Case("stylesheet", f"{V}/_static/site.css", "skipped", "web asset: stylesheet",
         lambda r, o: _write(r, f"{V}/_static/site.css", "body { color: red }\n")),
    Case("CP1252 text", f"{V}/cp1252.txt", None, "naïve",
         lambda r, o: _write(r, f"{V}/cp1252.txt", "Café naïve “smart quotes” €5\n\nLegacy text.\n".encode("cp1252"))),
    Case("CP1251 (Cyrillic) Markdown", f"{V}/cyrillic.md", None, "кодировки",
         lambda r, o: _write(r, f"{V}/cyrillic.md", "# Привет\n\nэто тест кодировки текста\n".encode("cp1251"))),
    Case("UTF-16 text with a BOM", f"{V}/utf16.txt", None, "wideword",
         lambda r, o: _write(r, f"{V}/utf16.txt", "UTF-16 NOTES\n\nThe wideword appears here.\n".encode("utf-16"))),
    # --- empty and contentless ---------------------------------------------------------------
    Case("empty file", f"{V}/empty.md", "error", "empty file (0 bytes)", lambda r, o: _write(r, f"{V}/empty.md", b"")),
    Case("whitespace only", f"{V}/blank.txt", "skipped", "no text",
         lambda r, o: _write(r, f"{V}/blank.txt", " \n\t\n   \n")),
    Case("HTML with scripts only", f"{V}/scripts.html", "skipped", "no text",
         lambda r, o: _write(r, f"{V}/scripts.html", "<html><head><script>var a = 1;</script></head><body></body></html>")),
    Case("over the size limit", f"{V}/huge.log", "error", "over the size limit",
         lambda r, o: _write(r, f"{V}/huge.log", "log line\n" * 150_000)),  # 1.3 MB; the test sets 1 MB
]
