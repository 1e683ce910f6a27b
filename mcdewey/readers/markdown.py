"""Markdown and MDX -> Document: front matter as metadata, MDX imports and JSX-only lines dropped, headings as spans."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from mcdewey.models import Document
from mcdewey.readers.base import DocInfo, SkipFile, TextBuilder, clean_inline
from mcdewey.readers.text import decode_text

_FENCE = re.compile(r"^\s{0,3}(`{3,}|~{3,})")
_ATX = re.compile(r"^\s{0,3}(#{1,6})\s+(.*?)(?:\s+#+)?\s*$")
_SETEXT = re.compile(r"^\s{0,3}(=+|-+)\s*$")
# MDX module lines; a multi-line import ends at the line naming where it comes from.
_MDX_MODULE = re.compile(r"^(import|export)\s")
_MDX_MODULE_END = re.compile(r"""(\bfrom\s+["'][^"']+["']|^import\s+["'][^"']+["'])\s*;?\s*$""")
# A line that is only a JSX component tag (capitalised, as MDX requires) or a JSX comment.
_JSX_LINE = re.compile(r"^\s*(</?[A-Z][\w.]*(\s[^<>]*)?/?>\s*)+$|^\s*\{/\*.*\*/\}\s*$")
_HTML_COMMENT_LINE = re.compile(r"^\s*<!--.*-->\s*$")
# Inline markup that only matters to a renderer: anchors, line breaks, formatting tags, link targets
# and backslash escapes. The visible words stay; URLs of links and images go.
_INLINE_TAG = re.compile(r"<br\s*/?>|</?(?:a|span|sup|sub|kbd|b|i|em|strong|u|font|center|small|big)\b[^<>]*>", re.I)
_IMAGE_OR_LINK = re.compile(r"(!?)\[((?:[^\[\]]|\\\[|\\\])*)\]\((?:[^()\s]|\([^()\s]*\))*(?:\s+\"[^\"]*\")?\)")
_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!<>|~])")
_CODE_SPAN = re.compile(r"(`+)(.+?)\1")


def clean_markdown_line(line: str) -> str:
    """Drop renderer-only markup from one prose line; inline code spans are left as they are."""
    parts = _CODE_SPAN.split(line)
    out = []
    # split() with one group pair yields [text, ticks, code, text, ticks, code, ...]
    for i in range(0, len(parts), 3):
        text = _INLINE_TAG.sub("", parts[i])
        for _ in range(2):  # twice: an image inside a link
            text = _IMAGE_OR_LINK.sub(lambda m: m.group(2), text)
        out.append(_ESCAPE.sub(r"\1", text))
        if i + 2 < len(parts):
            out.append(parts[i + 1] + parts[i + 2] + parts[i + 1])
    return "".join(out)


def split_front_matter(text: str) -> tuple[dict, str, int]:
    """(metadata, body, offset of body in text) for a document that may open with `---` YAML front matter."""
    match = re.match(r"\A(?:\ufeff)?---[ \t]*\r?\n(.*?\r?\n)?(?:---|\.\.\.)[ \t]*(?:\r?\n|\Z)", text, re.S)
    if not match:
        return {}, text, 0
    try:
        meta = yaml.safe_load(match.group(1) or "") or {}
    except yaml.YAMLError:
        meta = {}
    return (meta if isinstance(meta, dict) else {}), text[match.end():], match.end()


def read_markdown(path: Path, info: DocInfo, mdx: bool | None = None) -> Document:
    """Read Markdown (or MDX, by default when the name ends in .mdx)."""
    mdx = path.suffix.lower() == ".mdx" if mdx is None else mdx
    meta, body, _ = split_front_matter(decode_text(path.read_bytes()))
    builder = TextBuilder()
    first_h1 = _build(body.splitlines(), builder, mdx)
    text, _, sections = builder.build()
    if not text.strip():
        raise SkipFile("no text (front matter only)" if meta else "no text")
    title = clean_inline(str(meta.get("title") or meta.get("sidebar_label") or "")) or first_h1 or path.stem
    return info.document(title, text, "mdx" if mdx else "markdown", (), sections)


def _build(lines: list[str], builder: TextBuilder, mdx: bool) -> str:
    """Feed lines to the builder as paragraphs and headings; returns the first level-1 heading."""
    block: list[str] = []
    fence: str | None = None
    in_module = False
    first_h1 = ""

    def flush() -> None:
        builder.block("\n".join(block), preformatted=True)
        block.clear()

    for i, line in enumerate(lines):
        if fence:
            block.append(line)
            if line.strip().startswith(fence):
                fence = None
            continue
        if match := _FENCE.match(line):
            fence = match.group(1)[0] * 3
            block.append(line)
            continue
        if mdx and (in_module or (not block and _MDX_MODULE.match(line))):
            opened = in_module or line.startswith("import")
            in_module = opened and not (_MDX_MODULE_END.search(line) or line.rstrip().endswith(";"))
            continue
        if (mdx and _JSX_LINE.match(line)) or _HTML_COMMENT_LINE.match(line):
            continue
        heading = _heading(line, lines[i + 1] if i + 1 < len(lines) else "", block)
        if heading:
            level, title = heading[0], clean_markdown_line(heading[1]).strip()
            if level == 1 and not first_h1:
                first_h1 = clean_inline(title)
            if _SETEXT.match(lines[i + 1] if i + 1 < len(lines) else "") and level <= 2 and not _ATX.match(line):
                lines[i + 1] = ""  # the underline is consumed with its heading
            flush()
            builder.heading(level, title)
            continue
        if not line.strip():
            flush()
        else:
            block.append(clean_markdown_line(line))
    flush()
    return first_h1


def _heading(line: str, following: str, block: list[str]):
    """(level, title) when `line` is an ATX heading or a setext heading underlined by `following`."""
    if match := _ATX.match(line):
        return len(match.group(1)), match.group(2)
    if line.strip() and not block and _SETEXT.match(following) and not line.lstrip().startswith(("-", "*", "|", ">")):
        return (1 if following.strip()[0] == "=" else 2), line.strip()
    return None
