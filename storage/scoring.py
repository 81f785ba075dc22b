"""What the team score (精益班组) and the branch ranking (支部争先) share: weights from a setting, the
formula (a weighted average of the components that have data), and ranks (ties share one).

See ``docs/TEAM_SCORE.md`` and ``docs/BRANCH_SCORE.md``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from enum import StrEnum
from typing import Any, Protocol, TypeVar

K = TypeVar("K", bound=StrEnum)


def parse_weights(override: str | Mapping[str, Any] | None, defaults: Mapping[K, float], keys: Sequence[K], *,
                  what: str, setting: str, error: type[ValueError]) -> dict[K, float]:
    """``defaults`` updated with ``override`` (JSON text or a mapping).

    ``what`` names the score in Chinese (``班组评分``), ``setting`` the setting (``team_weights``).

    Raises:
        error: unknown keys, non-numeric or negative values, or all weights zero.
    """
    result = dict(defaults)
    if override is None or (isinstance(override, str) and not override.strip()):
        return result
    if isinstance(override, str):
        try:
            data = json.loads(override)
        except ValueError:
            raise error(f"{what}权重 {setting} 不是合法的 JSON：{override!r}") from None
    else:
        data = dict(override)
    if not isinstance(data, dict):
        raise error(f"{what}权重 {setting} 必须是 JSON 对象，例如 {{\"{keys[0]}\": 0.4}}")
    unknown = sorted(set(data) - {str(k) for k in keys})
    if unknown:
        raise error(f"{what}权重 {setting} 有未知的项：{', '.join(unknown)}"
                    f"（可用：{', '.join(keys)}） / unknown {setting} keys")
    by_value = {str(k): k for k in keys}
    for key, value in data.items():
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
            raise error(f"{what}权重 {key} 必须是不小于 0 的数，收到 {value!r}")
        result[by_value[key]] = float(value)
    if sum(result.values()) <= 0:
        raise error(f"{what}权重 {setting} 不能全部为 0")
    return result


class HasRatio(Protocol):
    @property
    def ratio(self) -> float | None: ...


def combine(parts: Mapping[str, HasRatio], w: Mapping[str, float]) -> float | None:
    """100 × the weighted average of the defined components (weights renormalised), to 0.1; None without any."""
    total = weight = 0.0
    for key, comp in parts.items():
        r = comp.ratio
        wk = w.get(key, 0.0)
        if r is None or wk <= 0:
            continue
        total += wk * r
        weight += wk
    return round(100 * total / weight, 1) if weight else None


class Ranked(Protocol):
    score: float | None
    rank: int


R = TypeVar("R", bound=Ranked)


def rank(rows: Iterable[R], name: Callable[[R], str],
         eligible: Callable[[R], bool] = lambda r: r.score is not None) -> list[R]:
    """``rows`` by score (descending), then ``name``; equal scores share a rank (1, 1, 3). Rows not
    ``eligible`` (by default: without a score) come last, by name, with rank 0."""
    order = sorted(rows, key=lambda r: (not eligible(r), -(r.score or 0.0) if eligible(r) else 0.0, name(r)))
    place, prev = 0, None
    for i, r in enumerate(order, start=1):
        if not eligible(r):
            r.rank = 0
            continue
        if r.score != prev:
            place, prev = i, r.score
        r.rank = place
    return order
