"""PDF -> Document: text per physical page with page labels, running headers/footers removed, outline headings."""

from __future__ import annotations

import mmap
import re
from collections import Counter, defaultdict
from pathlib import Path

import pypdfium2 as pdfium

from mcdewey.models import Document
from mcdewey.readers import pdf_lines
from mcdewey.readers.base import DocInfo, ReadError, SkipFile, TextBuilder, clean_inline

# A PDF whose pages average fewer letters than this is a scan or a picture deck.
MIN_LETTERS_PER_PAGE = 3
EDGE_LINES = 2  # how many lines at the top and at the bottom of a page may be running headers/footers
# Prefixes that usually stay joined by a real hyphen when a compound breaks at a line end.
_COMPOUND_PREFIXES = {"self", "well", "so", "non", "anti", "cross", "built", "end", "user", "third", "multi"}
# pdfium marks the hyphen it removed at a line end with U+FFFE and joins the two lines itself.
_SOFT_BREAK = re.compile(r"(\S*?)(\w*)\ufffe(\w*)")
_ROMAN = re.compile(r"\b[ivxlcdm]+\b")
_DIGITS = re.compile(r"\d+")
_NOT_KEY = re.compile(r"[\W_]+")


_NO_PAGES = re.compile(rb"/Count\s+0\b")
_A_PAGE = re.compile(rb"/Type\s*/Page(?!s)\b")


def read_pdf(path: Path, info: DocInfo) -> Document:
    """Read a PDF; raises ReadError when it is damaged or encrypted, SkipFile when it has no text layer."""
    _check_complete(path)
    try:
        pdf = pdfium.PdfDocument(str(path))
    except pdfium.PdfiumError as exc:
        raise ReadError(_open_error(exc, path)) from exc
    try:
        n = len(pdf)
        pages = [_page_lines(pdf, i) for i in range(n)]
        labels = [pdf.get_page_label(i) or None for i in range(n)]
        outline = _outline(pdf, n)
        meta_title = (pdf.get_metadata_value("Title") or "").strip()
    except pdfium.PdfiumError as exc:
        raise ReadError(f"damaged PDF: {exc}") from exc
    finally:
        pdf.close()
    if n == 0:
        raise ReadError("PDF has no pages")
    if sum(len(re.findall(r"[^\W\d_]", "".join(lines))) for lines in pages) < MIN_LETTERS_PER_PAGE * n:
        raise SkipFile("no text layer")
    title = pdf_title(meta_title, pages[0], path.stem)
    strip_running_lines(pages)
    vocabulary = _vocabulary(pages)
    pages = [[_same_flags(line, join_soft_hyphens(line, vocabulary)) for line in lines] for lines in pages]
    text, spans, sections = _assemble(pages, labels, outline)
    return info.document(title, text, "pdf", spans, sections)


def _same_flags(line: str, text: str) -> str:
    return line.like(text) if isinstance(line, pdf_lines.Line) else text


def _check_complete(path: Path) -> None:
    """A PDF whose last kilobyte holds no %%EOF was cut short; pdfium would silently read part of it."""
    with path.open("rb") as fh:
        head = fh.read(1024)
        fh.seek(0, 2)
        size = fh.tell()
        fh.seek(max(0, size - 2048))
        tail = fh.read()
    if not head.lstrip().startswith(b"%PDF"):
        raise ReadError("not a PDF (no %PDF header)")
    if b"%%EOF" not in tail:
        raise ReadError("truncated PDF (no %%EOF at the end)")


def _open_error(exc: Exception, path: Path) -> str:
    """Why pdfium refused the file; its message alone mistakes a PDF without pages for an encrypted one."""
    msg = str(exc)
    with path.open("rb") as fh, mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as data:
        encrypted = data.find(b"/Encrypt") >= 0
        no_pages = _NO_PAGES.search(data) is not None and _A_PAGE.search(data) is None
    if encrypted and ("password" in msg.lower() or "security" in msg.lower()):
        return "encrypted PDF (needs a password)"
    if no_pages:
        return "PDF has no pages"
    return f"corrupt PDF: {msg}"


def _page_lines(pdf: pdfium.PdfDocument, index: int) -> list[str]:
    page = pdf[index]
    try:
        textpage = page.get_textpage()
        if pdf_lines.enabled():  # paragraphs from line geometry (off by default: docs/citations.md)
            lines = pdf_lines.page_lines(textpage)
            textpage.close()
            return lines
        raw = textpage.get_text_range()
        textpage.close()
    finally:
        page.close()
    return [line for line in raw.replace("\r\n", "\n").replace("\r", "\n").split("\n") if line.strip()]


def _outline(pdf: pdfium.PdfDocument, n: int) -> list[tuple[int, int, str]]:
    """Bookmarks as (page index, level 1-based, title), in document order."""
    items = []
    for mark in pdf.get_toc(max_depth=16):
        dest = mark.get_dest()
        index = dest.get_index() if dest is not None else None
        title = clean_inline(mark.get_title() or "")
        if index is not None and 0 <= index < n and title:
            items.append((index, mark.level + 1, title))
    return items


def _edge_key(line: str) -> str:
    """Compare header candidates with page numbers (arabic or roman) and spacing ignored."""
    key = _DIGITS.sub("#", line.casefold())
    key = _ROMAN.sub("#", key)
    return re.sub(r"\s+", " ", key).strip()


def strip_running_lines(pages: list[list[str]]) -> None:
    """Remove running headers/footers in place: edge lines whose shape repeats across pages.

    Each of the first/last EDGE_LINES lines of a page gets a key (digits and roman numerals
    masked) tagged with its position. A line is running when its tagged key occurs on at least
    40% of the pages (and 3). The top line also when its key, or its first 24 characters
    (headers naming the current section), recurs on 3 or more pages in a row, each at most
    2 pages from the next: manuals print the current chapter there; or when it starts like
    3 or more such headers (`Chapter #:`), which catches the headers of short chapters. Slide titles repeated on
    two slides and body lines that happen to end two pages alike stay. An inner line goes only
    together with the outer one, and page-number-only lines at an edge always go.
    """
    n = len(pages)
    if n < 3:
        return
    seen: dict[tuple[str, str], set[int]] = defaultdict(set)
    for i, lines in enumerate(pages):
        for _, keys in _edge_positions(lines):
            for key in keys:
                seen[key].add(i)
    running = {key for key, where in seen.items() if _is_running(key, sorted(where), n)}
    running |= _same_family(seen, running)
    for i, lines in enumerate(pages):
        drop = {j for j, keys in _edge_positions(lines) if running.intersection(keys)}
        # An inner edge line goes only with the outer one: a header is never below body text.
        drop = {j for j in drop if all(k in drop for k in (range(j) if j < EDGE_LINES else range(j + 1, len(lines))))}
        if drop:
            pages[i] = [line for j, line in enumerate(lines) if j not in drop]


def _is_running(tagged: tuple[str, str], where: list[int], n: int) -> bool:
    position, key = tagged
    if key in _PAGE_NUMBER_KEYS:
        return True
    if sum(ch.isalpha() for ch in key) < 3:
        return False
    if len(where) >= max(3, 0.4 * n):
        return True
    return position in ("top0", "top0-prefix") and _longest_run(where, gap=2) >= 3


def _family(key: str) -> str | None:
    """`chapter #. the debian archives ...` -> `chapter #.`: the fixed start of a header pattern."""
    words = key.split()
    if len(key) < 16 or len(words) < 3 or not any(ch.isalpha() for ch in words[0]) or "#" not in words[1]:
        return None
    return " ".join(words[:2])


def _same_family(seen: dict, running: set) -> set:
    """Top lines that start like 3+ running headers (`Chapter 9: R Bugs 46` on a chapter's 2 pages)."""
    families = Counter(_family(key) for position, key in running if position.startswith("top0"))
    common = {f for f, count in families.items() if f and count >= 3}
    return {(pos, key) for pos, key in seen if pos == "top0" and _family(key) in common}


def _longest_run(where: list[int], gap: int) -> int:
    """Length of the longest sequence of sorted page indexes each at most `gap` after the previous."""
    best = run = 1 if where else 0
    for a, b in zip(where, where[1:]):
        run = run + 1 if b - a <= gap else 1
        best = max(best, run)
    return best


_PAGE_NUMBER_KEYS = {"#", "- # -", "page #", "# / #", "page # of #"}


def _edge_positions(lines: list[str]) -> list[tuple[int, list[tuple[str, str]]]]:
    """(line index, tagged keys) for the edge lines of one page."""
    k = min(EDGE_LINES, max(1, len(lines) // 2))
    out = []
    for j in range(min(k, len(lines))):
        key = _edge_key(lines[j])
        keys = [(f"top{j}", key)]
        if j == 0 and len(key) > 24 and sum(ch.isalpha() for ch in key[:24]) >= 12:
            keys.append(("top0-prefix", key[:24]))
        out.append((j, keys))
    for j in range(max(len(lines) - k, k), len(lines)):
        out.append((j, [(f"bottom{len(lines) - 1 - j}", _edge_key(lines[j]))]))
    return out


def _vocabulary(pages: list[list[str]]) -> Counter:
    """Word counts of the document, to check how it spells a word elsewhere (empty if nothing to check)."""
    text = "\n".join("\n".join(lines) for lines in pages)
    if "\ufffe" not in text:
        return Counter()
    return Counter(re.findall(r"[\w-]+", text.replace("\ufffe", " ").casefold()))


def join_soft_hyphens(line: str, vocabulary: Counter) -> str:
    """Resolve pdfium's line-end hyphen marks: drop the hyphen inside a broken word, keep it in a compound.

    Evidence from the document decides first (the joined or the hyphenated spelling occurring
    elsewhere); otherwise the hyphen stays when either side starts or ends in a capital or digit,
    when the left part is itself a compound or a common compound prefix, and goes otherwise,
    since line-end hyphens in typeset prose mostly break words.
    """
    if "\ufffe" not in line:
        return line
    return _SOFT_BREAK.sub(lambda m: m.group(1) + _join(m.group(2), m.group(3), m.group(1), vocabulary), line)


def _join(left: str, right: str, before: str, vocabulary: Counter) -> str:
    joined, hyphened = f"{left}{right}", f"{left}-{right}"
    if vocabulary[hyphened.casefold()] > vocabulary[joined.casefold()]:
        return hyphened
    if vocabulary[joined.casefold()]:
        return joined
    if not left or not right or not (left[-1].islower() and right[0].islower()):
        return hyphened
    if before.endswith("-") or left.casefold() in _COMPOUND_PREFIXES:
        return hyphened
    return joined


def _assemble(pages: list[list[str]], labels: list[str | None], outline) -> tuple:
    placed, at_start = _locate_headings(pages, outline)
    builder = TextBuilder()
    for i, lines in enumerate(pages):
        builder.start_page(i + 1, labels[i])
        for level, title in at_start.get(i, []):
            builder.heading(level, title, emit=False)
        body: list[str] = []
        skip = 0
        for j, line in enumerate(lines):
            if skip:
                skip -= 1
            elif (i, j) in placed:
                level, count = placed[(i, j)]
                builder.block(_body(body))
                body = []
                builder.heading(level, " ".join(lines[j : j + count]))
                skip = count - 1
            else:
                body.append(line)
        builder.block(_body(body))
    return builder.build()


def _body(lines: list[str]) -> str:
    """Body lines as one block: layout lines as they are, or paragraphs when their geometry is known."""
    if lines and isinstance(lines[0], pdf_lines.Line):
        return pdf_lines.join_paragraphs(lines)
    return "\n".join(lines)


def _locate_headings(pages: list[list[str]], outline) -> tuple[dict, dict]:
    """Place outline entries on the line(s) of their page that print them.

    Returns {(page, line): (level, line count)} and, for entries not printed on their page
    before any placed entry of that page, {page: [(level, title)]}: those open at the page start.
    Others are dropped rather than given a wrong span. Slide-tool titles ("Slide 3") are ignored.
    """
    placed: dict[tuple[int, int], tuple[int, int]] = {}
    at_start: dict[int, list] = {}
    cursor: dict[int, int] = {}
    for index, level, title in outline:
        if _JUNK_TITLE.search(title) or title.casefold() == "title":
            continue
        found = _find_heading(pages[index], cursor.get(index, 0), title)
        if found:
            line_no, count = found
            placed[(index, line_no)] = (level, count)
            cursor[index] = line_no + count
        elif index not in cursor:
            at_start.setdefault(index, []).append((level, title))
    return placed, at_start


def _find_heading(lines: list[str], start: int, title: str) -> tuple[int, int] | None:
    """(line, line count) of the first line(s) from `start` that print `title`, maybe numbered, maybe wrapped.

    `name/2` outline entries (Erlang reference manuals) match the line that starts `name(`.
    """
    key = _NOT_KEY.sub("", title.casefold())
    function = re.fullmatch(r"([\w.:]+)/\d+", title)
    if not key:
        return None
    for j in range(start, len(lines)):
        if function and lines[j].lstrip().startswith(function.group(1) + "("):
            return j, 1
        joined = ""
        for count in range(1, 4):
            if j + count > len(lines):
                break
            joined += _NOT_KEY.sub("", lines[j + count - 1].casefold())
            if len(joined) > len(key) + 12:
                break
            if joined.endswith(key):
                return j, count
    return None


_CONNECTORS = {"the", "and", "of", "for", "to", "in", "a", "an", "on", "with"}
_JUNK_TITLE = re.compile(r"(?i)^(slide \d+|untitled|microsoft (word|powerpoint)\b|copyright\b|presentation\d*$)|\.(key|pptx?|docx?|pdf|odp|odt|tex|dvi)$")


def pdf_title(meta_title: str, first_page: list[str], stem: str) -> str:
    """The metadata title when the first page prints it too, else the printed title, else metadata or file name.

    Metadata titles are often stale ("BIRD User's Guide" on the programmer's guide) or
    tool junk ("Slide 1", "talk.key"), so the first page has the last word.
    """
    meta = clean_inline(meta_title)
    plausible = sum(ch.isalpha() for ch in meta) >= 3 and not _JUNK_TITLE.search(meta)
    printed = _printed_title(first_page)
    page_key = _NOT_KEY.sub("", " ".join(first_page[:12]).casefold())
    if plausible and (not printed or _NOT_KEY.sub("", meta.casefold()) in page_key):
        return meta
    return printed or (meta if plausible else "") or stem


def _printed_title(lines: list[str]) -> str:
    """The first line of the page with words in it, continued when it visibly runs on."""
    lines = [clean_inline(line).lstrip("•●▪■-–* ") for line in lines[:8]]
    lines = [line for line in lines if sum(ch.isalpha() for ch in line) >= 3 and not line.endswith(":")]
    if not lines:
        return ""
    title = lines[0]
    if len(lines) > 1 and (title.split()[-1].casefold() in _CONNECTORS or lines[1].startswith("(")):
        title = f"{title} {lines[1]}"
    return title[:200]
