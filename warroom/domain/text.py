"""Text from outside (alerts, forms, scripts) made fit to store: the same on both databases.

Both are replaced, never the whole input refused: one odd character must not cost a page or
a scribe's words.
"""

from __future__ import annotations


def clean_text(value: str, limit: int | None = None) -> str:
    """``value`` without NUL bytes and lone surrogates, cut to ``limit`` characters.

    PostgreSQL text cannot hold NUL and neither database driver can encode a lone surrogate
    (JSON allows both: ``"\\u0000"``, ``"\\ud800"``); a surrogate pair split over two code
    points is joined, a lone one becomes U+FFFD.
    """
    if "\x00" in value:
        value = value.replace("\x00", "")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        value = value.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    return value if limit is None else value[:limit]
