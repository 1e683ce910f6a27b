"""Identifiers for keyword search: configuration names, functions and error codes split into parts and kept whole.

BM25 sees words as its tokenizer cuts them: `natping_interval` becomes `natping` + `interval`, so the
exact name is lost, and `maxConnections` stays one word a query for "max connections" never matches.
The analysis here adds, next to each identifier, its whole form as one word (`natpinginterval`) and
the parts of a camelCase name (`max`, `connections`). A query is analysed the same way and also gets
its adjacent words joined ("nat ping interval" -> `natping`, `pinginterval`, `natpinginterval`), so
a description in words reaches a name written as one, and the exact identifier still ranks first
(its whole form is a rare word with a high weight).

Ingest writes the analysed search text into the `ident_text` column (an FTS field of its own);
`SearchConfig.identifiers` switches the analysis on at query time.
"""

from __future__ import annotations

import re

FIELD = "ident_text"  # the FTS column ingest fills with identifier_text(search_text)
# A word with separators inside (snake_case, dotted, module:function/arity, kebab-case) or a camelCase word.
_IDENT = re.compile(r"[A-Za-z0-9]+(?:[_.:/-]+[A-Za-z0-9]+)+|[A-Za-z][a-z0-9]*[A-Z][A-Za-z0-9]*")
_SEPARATORS = re.compile(r"[_.:/-]+")
_CAMEL = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|[0-9]+")
# A camelCase boundary: maxConnections, HTTPServer; not a letter-digit one (ipv4) nor a plural acronym (CDRs).
_HUMP = re.compile(r"[a-z][A-Z]|[A-Z]{2}[a-z]{2}")
# What makes a query "name an identifier" (adaptive fusion): snake_case, dotted or module:function names,
# camelCase, or a code of letters and digits (E1234); not acronyms, hyphenated or slashed words.
_STRONG = re.compile(r"\b[A-Za-z][A-Za-z0-9]*(?:[_:.][A-Za-z0-9]+)*_[A-Za-z0-9_:.]+"
                     r"|\b[A-Za-z][A-Za-z0-9]*(?:[:.][A-Za-z][A-Za-z0-9]*){1,}(?:/\d+)?"
                     r"|\b[a-z]+[A-Z][A-Za-z0-9]*|\b[A-Z][a-z]+[A-Z][A-Za-z0-9]*"
                     r"|\b[A-Za-z]{1,4}\d{2,}\b")
_WORD = re.compile(r"\w+", re.UNICODE)
MAX_JOIN = 3  # query words joined: pairs and triples
_MAX_WHOLE = 40  # longer "identifiers" are URLs or paths: their whole form is noise


def parts(identifier: str) -> list[str]:
    """The words of an identifier, lower case: separators and camelCase boundaries cut it."""
    out: list[str] = []
    for piece in _SEPARATORS.split(identifier):
        out.extend(w.lower() for w in _CAMEL.findall(piece))
    return out


def extras(identifier: str) -> list[str]:
    """Words to add next to `identifier`: its whole form and the camelCase parts the tokenizer would miss."""
    words = parts(identifier)
    if len(words) < 2 or not any(c.isalpha() for c in identifier):
        return []  # one word, or a version number such as 1.2.3
    # Without separators the tokenizer already keeps the whole word (maxConnections -> maxconnections).
    whole = ["".join(words)] if _SEPARATORS.search(identifier) and len("".join(words)) <= _MAX_WHOLE else []
    camel = [w.lower() for piece in _SEPARATORS.split(identifier) if _HUMP.search(piece)
             for w in _CAMEL.findall(piece)]
    return whole + camel


def identifiers(text: str) -> list[str]:
    """The identifier-like words of `text`, in order."""
    return [m.group() for m in _IDENT.finditer(text) if any(c.isalpha() for c in m.group())]


def identifier_text(text: str) -> str:
    """`text` with the extra words of each identifier written right after it (the `ident_text` column)."""
    def add(m: re.Match) -> str:
        more = extras(m.group())
        return m.group() + (" " + " ".join(more) if more else "")

    return _IDENT.sub(add, text)


def query_text(query: str) -> str:
    """The keyword query analysed like `identifier_text`, plus adjacent words joined (pairs and triples).

    Plain words only: no FTS syntax reaches the parser (like search.keyword_query)."""
    words = _WORD.findall(query)
    added: list[str] = []
    for ident in identifiers(query):
        added.extend(extras(ident))
    low = [w.lower() for w in words if w.isalpha()]
    for n in range(2, MAX_JOIN + 1):
        added.extend("".join(low[i:i + n]) for i in range(len(low) - n + 1))
    seen = {w.lower() for w in words}
    return " ".join(words + [w for w in dict.fromkeys(added) if w not in seen])


def has_identifier(query: str) -> bool:
    """Whether the query names an identifier (or an error code such as E1234)."""
    return any(len(m.group()) >= 4 for m in _STRONG.finditer(query))


def field_for(index, keyword_field: str) -> str:
    """The FTS column identifier search reads: `ident_text` when the index has it (indexes built before
    it existed fall back to `keyword_field`, with the query analysis only)."""
    manifest = getattr(index, "manifest", None)
    fields = manifest.fts_fields if manifest is not None else ()
    return FIELD if keyword_field == "search_text" and FIELD in fields else keyword_field
