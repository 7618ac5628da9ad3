"""Shortening untrusted text for one line of a message, a label or a log field.

Pure Python and tiny on purpose: the ui imports it too, and must neither import
httpx (start-up cost, and the rule that ui/ never talks HTTP) nor keep a copy.
"""

from __future__ import annotations

__all__ = ["DETAIL_LIMIT", "shorten"]

#: The longest server-supplied detail an error message carries.
DETAIL_LIMIT = 200


def shorten(text: str, limit: int = DETAIL_LIMIT) -> str:
    """``text`` on one line (every run of whitespace, newlines included, becomes
    one space) and at most ``limit`` characters, the last one "…" when cut: a
    server's error page or a clip's error must not stretch a message or a window."""
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    return flat[: max(limit - 1, 0)] + "…"
