"""Score weights from a setting: defaults, overridden by a JSON object (team score, branch ranking)."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from enum import StrEnum
from typing import Any, TypeVar

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
