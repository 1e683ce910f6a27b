"""Plain text -> Document, including extensionless files such as `README.acc`; numbered and underlined headings."""

from __future__ import annotations

import re
from pathlib import Path

from mcdewey.models import Document
from mcdewey.readers.base import DocInfo, TextBuilder, clean_inline
from mcdewey.readers.encoding import decode_bytes

# Text dumps of DocBook manuals (Kamailio's READMEs) print headings unindented and numbered:
# "Chapter 1. Admin Guide", "4.3.2. Configuration"; the body is indented.
_NUMBERED = re.compile(r"^(?:(Chapter|Appendix|Part)\s+[\dA-Z]+\.?|(\d+(?:\.\d+)*)\.)\s+\S.{0,80}$")
_UNDERLINE = re.compile(r"^\s*(={3,}|-{3,}|~{3,}|\*{3,})\s*$")


def decode_text(raw: bytes) -> str:
    """UTF-8 when it decodes, else a detected encoding; ReadError when no encoding fits the bytes."""
    return decode_bytes(raw)


def read_text(path: Path, info: DocInfo) -> Document:
    """Read a plain-text file; its first line is the title."""
    lines = decode_text(path.read_bytes()).splitlines()
    builder = TextBuilder()
    block: list[str] = []
    title = ""
    skip_next = False
    for i, line in enumerate(lines):
        if skip_next:
            skip_next = False
            continue
        following = lines[i + 1] if i + 1 < len(lines) else ""
        level = _heading_level(line, following, lines[i - 1] if i else "", first=not title)
        if level:
            builder.block("\n".join(block), preformatted=True)
            block = []
            builder.heading(level, line)
            skip_next = bool(_UNDERLINE.match(following))
            title = title or clean_inline(line)
        elif line.strip():
            title = title or clean_inline(line)
            block.append(line)
        else:
            builder.block("\n".join(block), preformatted=True)
            block = []
    builder.block("\n".join(block), preformatted=True)
    text, _, sections = builder.build()
    return info.document(title or path.name, text, "text", (), sections)


def _heading_level(line: str, following: str, previous: str, first: bool) -> int:
    """Heading level of `line`, or 0 when it is body text."""
    stripped = line.strip()
    if not stripped or len(stripped) > 90 or previous.strip():
        return 0
    if _UNDERLINE.match(following) and abs(len(following.strip()) - len(stripped)) <= max(3, len(stripped) // 3):
        return 1 if following.strip()[0] == "=" else 2
    if line[0].isspace() or following.strip():
        return 0
    if first:
        return 1
    match = _NUMBERED.match(stripped)
    if not match:
        return 0
    # Below the title: chapters at level 2, "1." at 3, "1.1." at 4 ...
    return 2 if match.group(1) else min(6, 3 + match.group(2).count("."))
