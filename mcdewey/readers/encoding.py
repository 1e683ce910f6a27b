"""Bytes -> text for files that declare no encoding: UTF-8, else a detected encoding with a confidence.

A file whose bytes fit no encoding well (random bytes, a binary blob with a text name) raises ReadError
instead of being indexed as mojibake.
"""

from __future__ import annotations

import charset_normalizer

from mcdewey.readers.base import ReadError

# charset-normalizer's "chaos" (mess ratio, 0 = clean) above which a guess is not trusted.
MAX_CHAOS = 0.2
# Western legacy text is nearly always windows-1252; it wins over a guess that is hardly cleaner.
CP1252_MARGIN = 0.1
SAMPLE_BYTES = 1 << 20  # detection looks at the first MB; the whole file is then decoded


def decode_bytes(raw: bytes) -> str:
    """UTF-8 (BOM stripped) when it decodes, else the detected encoding; ReadError when none fits."""
    try:
        return raw.decode("utf-8").lstrip("\ufeff")
    except UnicodeDecodeError:
        pass
    encoding, confidence = detect_encoding(raw[:SAMPLE_BYTES])
    if encoding is None or confidence < 1 - MAX_CHAOS:
        guess = f"best guess {encoding}, confidence {confidence:.2f}" if encoding else "no candidate"
        raise ReadError(f"unrecognised text encoding ({guess}): the bytes do not read as text in any encoding; "
                        f"save the file as UTF-8")
    return raw.decode(encoding, "replace").lstrip("\ufeff")


def detect_encoding(raw: bytes) -> tuple[str | None, float]:
    """(encoding, confidence 0..1) of non-UTF-8 bytes; windows-1252 preferred when nearly as clean as the best."""
    matches = charset_normalizer.from_bytes(raw)
    best = matches.best()
    if best is None:
        return None, 0.0
    cp1252 = next((m for m in matches if m.encoding == "cp1252"), None)
    if cp1252 is not None and cp1252.chaos <= best.chaos + CP1252_MARGIN:
        best = cp1252
    return best.encoding, round(1 - best.chaos, 3)
