"""One Chinese label per status, category and event: enums that carry their label.

Each domain's ``lifecycle`` module defines its enums with :class:`Labeled`; chat, digest,
API and Excel all read ``member.label`` (or :meth:`Labeled.label_of` for a stored string).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any, TypeVar

L = TypeVar("L", bound="Labeled")


class Labeled(StrEnum):
    """A string enum whose members carry a Chinese label: ``SUBMITTED = "submitted", "已受理待接单"``.

    Members compare equal to their stored strings, so columns stay plain strings.
    """

    label: str

    def __new__(cls, value: str, label: str = "") -> Labeled:
        obj = str.__new__(cls, value)
        obj._value_ = value
        obj.label = label or value
        return obj

    @classmethod
    def label_of(cls, value: Any, default: str | None = None) -> str:
        """The label of a stored value; ``default`` (or the value itself) when it is not a member."""
        if value is None:
            return "" if default is None else default
        try:
            return cls(value).label
        except ValueError:
            return str(value) if default is None else default

    @classmethod
    def parse(cls: type[L], word: str) -> L | None:
        """A member from its value or its label (``"canteen"`` or ``"食堂"``), else None."""
        w = word.strip()
        for member in cls:
            if w.lower() == member.value or w == member.label:
                return member
        return None

    @classmethod
    def labels(cls) -> dict[str, str]:
        """value -> label, in declaration order."""
        return {m.value: m.label for m in cls}


def cn(table: dict[str, str], key: str | None) -> str:
    """The Chinese label of ``key`` in a plain table, or ``key`` itself when there is none."""
    if key is None:
        return ""
    return table.get(key, key)
