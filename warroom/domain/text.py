"""Text from outside (alerts, forms, scripts) made fit to store: the same on both databases.

PostgreSQL refuses NUL characters in text, and neither database can store a lone UTF-16
surrogate (what a broken JSON escape such as ``"\\ud800"`` decodes to). Both are replaced,
never the whole input refused.
"""

from __future__ import annotations

import re

_SURROGATES = re.compile("[\ud800-\udfff]")
REPLACEMENT = "\ufffd"


def clean_text(text: str) -> str:
    """``text`` without NUL characters and with lone surrogates replaced by U+FFFD."""
    if "\x00" in text:
        text = text.replace("\x00", "")
    return _SURROGATES.sub(REPLACEMENT, text)
