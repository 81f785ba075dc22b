"""Keep names and message text out of application logs."""

from __future__ import annotations

import hashlib


def pseudo(userid: str | None) -> str:
    """A stable pseudonym for a userid, so logs can be correlated without naming anyone."""
    if not userid:
        return "-"
    return "u" + hashlib.sha256(userid.encode()).hexdigest()[:10]
