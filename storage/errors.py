"""Errors a user can cause, raised where the rule lives (storage), answered in Chinese by the dispatcher."""

from __future__ import annotations


class Refused(Exception):
    """A change the rules do not allow (a transition, a permission, a limit).

    Raised before anything is written (at most the audit line of a lost race); ``message`` is the
    Chinese answer for the person who asked.
    """

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message
