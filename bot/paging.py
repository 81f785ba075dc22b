"""Paged replies in chat ("/台账 2", "/待办 第3页"): which page was asked for, and how many there are."""

from __future__ import annotations

import math

_WIDE_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")


def page_number(args: str) -> int | None:
    """The page a command's argument asks for (``2``, ``第2页``, ``２``); 1 for none; None when it is not a
    page number (the caller answers with its usage)."""
    arg = args.strip().lstrip("第").rstrip("页").strip().translate(_WIDE_DIGITS)
    if not arg:
        return 1
    return int(arg) if arg.isdigit() and int(arg) >= 1 else None


def page_count(total: int, per: int) -> int:
    """Pages of ``per`` rows for ``total`` rows (at least one: an empty view is one page)."""
    return max(1, math.ceil(total / per))
