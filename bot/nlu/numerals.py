"""Chinese numeral helpers (wrapping cn2an)."""
from __future__ import annotations

import cn2an

CN_DIGITS = "零〇一二两三四五六七八九十百千"
NUM_RE = rf"(?:\d+|[{CN_DIGITS}]+)"


def to_int(token: str) -> int | None:
    """Convert an Arabic or Chinese numeral to int.

    Args:
        token: ``"12"``, ``"十二"``, ``"两"``...

    Returns:
        The value, or None if it cannot be parsed.
    """
    token = token.strip()
    if not token:
        return None
    if token.isdigit():
        return int(token)
    try:
        value = cn2an.cn2an(token.replace("〇", "零"), "smart")
    except (ValueError, KeyError, IndexError, TypeError):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
