"""Typed template-card button keys, in the spirit of aiogram's ``CallbackData``.

    class DeedCard(CardKey, prefix="deed"):
        action: str
        number: int

    DeedCard(action="accept", number=12).pack()  # "deed:accept:12"
    DeedCard.unpack("deed:accept:12")           # DeedCard(action='accept', number=12)

A key is the prefix and the fields joined by ":"; WeCom allows 1024 bytes of it. ``unpack``
returns None for a key that does not fit (a stale button from an older version).
"""

from __future__ import annotations

import dataclasses
import typing
from typing import Any, ClassVar, TypeVar

K = TypeVar("K", bound="CardKey")
SEP = ":"
_PREFIXES: dict[str, type[CardKey]] = {}
_TYPES: dict[type, list[tuple[str, type]]] = {}


class CardKey:
    """Subclass with ``prefix=...`` and annotated ``str``/``int`` fields (in key order)."""

    prefix: ClassVar[str]

    def __init_subclass__(cls, *, prefix: str, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if SEP in prefix or not prefix:
            raise ValueError(f"bad card key prefix {prefix!r}")
        if prefix in _PREFIXES:
            raise ValueError(f"card key prefix {prefix!r} is taken by {_PREFIXES[prefix].__name__}")
        cls.prefix = prefix
        _PREFIXES[prefix] = cls
        dataclasses.dataclass(frozen=True)(cls)

    @classmethod
    def _types(cls) -> list[tuple[str, type]]:
        """(name, type) of the fields, in key order: worked out once per class (``typing.get_type_hints`` on
        every pack and unpack was 3 % of a report's CPU)."""
        types = _TYPES.get(cls)
        if types is None:
            hints = typing.get_type_hints(cls)
            types = _TYPES[cls] = [(f.name, hints[f.name]) for f in dataclasses.fields(cls)]  # type: ignore[arg-type]
        return types

    def pack(self) -> str:
        parts = [self.prefix]
        for name, _ in self._types():
            value = str(getattr(self, name))
            if SEP in value:
                raise ValueError(f"{type(self).__name__}.{name} may not contain {SEP!r}: {value!r}")
            parts.append(value)
        return SEP.join(parts)

    @classmethod
    def unpack(cls: type[K], key: str) -> K | None:
        head, *values = key.split(SEP)
        types = cls._types()
        if head != cls.prefix or len(values) != len(types):
            return None
        out: dict[str, Any] = {}
        for (name, kind), raw in zip(types, values):
            if kind is int:
                if not (raw.isascii() and raw.isdigit()) or len(raw) > 12:  # not "²" or "١"
                    return None
                out[name] = int(raw)
            else:
                out[name] = raw
        return cls(**out)

    @classmethod
    def matches_prefix(cls, key: str) -> bool:
        return key.split(SEP, 1)[0] == cls.prefix


# What a pressed button did, shown in place of the card's buttons ("已确认满意 · 12-03 09:14"), by key
# prefix and action; a button that changes nothing (查看) leaves the card pressable; any other is stale.
RESULTS: dict[tuple[str, str], str] = {
    ("deed", "accept"): "已接单", ("deed", "ok"): "已确认满意", ("deed", "no"): "已反馈未解决",
    ("care", "accept"): "已登记并安排走访", ("care", "decline"): "已选择不登记",
    ("incident", "ack"): "已确认收到", ("talent", "signup"): "已报名", ("teams", "signup"): "已报名",
    ("surveys", "start"): "已开始作答",
}
UNCHANGED = frozenset({("deed", "view")})
STALE = "已失效"  # a button whose item changed or was already handled
STALE_EXPLAINED = "这个按钮已失效（事项已处理或已变化），无需再按。发“/待办”可查看您现在要办的事。"


def result_of(key: str) -> str | None:
    """What pressing ``key`` did, in words for the card; None: a button that changes nothing."""
    head, _, rest = key.partition(SEP)
    action = (head, rest.split(SEP, 1)[0])
    return None if action in UNCHANGED else RESULTS.get(action, STALE)
