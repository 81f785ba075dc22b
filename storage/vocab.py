"""One Chinese label per status, category and event: enums that carry their label.

Each domain's ``lifecycle`` module defines its enums with :class:`Labeled`; chat, digest,
API and Excel all read ``member.label`` (or :meth:`Labeled.label_of` for a stored string).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from enum import StrEnum
from typing import Any, Generic, TypeVar

from storage.errors import Refused

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


S = TypeVar("S", bound=Labeled)


class Transitions(Generic[S]):
    """A lifecycle's table: each action, the statuses it may start from, and the status it leads to.

    ``refusals`` says why an action is refused: keyed by ``(action, status)``, by ``action``, or
    ``None`` (the default); the text may use ``{status}`` (the current status's label) and whatever
    the caller passes to :meth:`check`.
    """

    def __init__(self, status: type[S], table: Mapping[Any, tuple[Iterable[S], S | None]],
                 refusals: Mapping[Any, str]) -> None:
        self.status = status
        self.table = {action: (frozenset(starts), to) for action, (starts, to) in table.items()}
        self.refusals = dict(refusals)

    def can(self, action: Any, current: str) -> bool:
        return self.status(current) in self.table[action][0]

    def target(self, action: Any, current: str) -> S:
        """Where ``action`` leads from ``current`` (``None`` in the table: it stays)."""
        to = self.table[action][1]
        return to if to is not None else self.status(current)

    def reason(self, action: Any, current: str) -> str:
        now = self.status(current)
        for key in ((action, now), action, None):
            if key in self.refusals:
                return self.refusals[key]
        raise KeyError(f"no refusal text for {action!r} from {now!r}")

    def check(self, action: Any, current: str, /, **say: Any) -> S:
        """The status ``action`` leads to, or :class:`Refused` with the Chinese reason."""
        if self.can(action, current):
            return self.target(action, current)
        raise Refused(self.reason(action, current).format(status=self.status(current).label, **say))
