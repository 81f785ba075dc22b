"""The score's weights: ``DEFAULT_WEIGHTS``, overridden by the ``team_weights`` setting."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from typing import Any

from storage.teams.lifecycle import COMPONENTS, ScoreComponent

C = ScoreComponent
DEFAULT_WEIGHTS: dict[str, float] = {
    C.VISITS: 0.3,
    C.SATISFACTION: 0.25,
    C.RESPONSE: 0.2,
    C.INCIDENTS: 0.1,
    C.PARTICIPATION: 0.15,
}
ENV_WEIGHTS = "SIJING_TEAM_WEIGHTS"


class TeamWeightsError(ValueError):
    """The ``team_weights`` setting is not usable; the message says why (in Chinese and English)."""


def weights(override: str | Mapping[str, Any] | None = None) -> dict[str, float]:
    """The effective weights: ``DEFAULT_WEIGHTS`` updated with ``override`` (JSON text or a mapping).

    Raises:
        TeamWeightsError: unknown keys, non-numeric or negative values, or all weights zero.
    """
    result = dict(DEFAULT_WEIGHTS)
    if override is None or (isinstance(override, str) and not override.strip()):
        return result
    if isinstance(override, str):
        try:
            data = json.loads(override)
        except ValueError:
            raise TeamWeightsError(f"班组评分权重 team_weights 不是合法的 JSON：{override!r}") from None
    else:
        data = dict(override)
    if not isinstance(data, dict):
        raise TeamWeightsError("班组评分权重 team_weights 必须是 JSON 对象，例如 {\"visits\": 0.4}")
    unknown = sorted(set(data) - set(COMPONENTS))
    if unknown:
        raise TeamWeightsError(f"班组评分权重 team_weights 有未知的项：{', '.join(unknown)}"
                               f"（可用：{', '.join(COMPONENTS)}） / unknown team_weights keys")
    for key, value in data.items():
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
            raise TeamWeightsError(f"班组评分权重 {key} 必须是不小于 0 的数，收到 {value!r}")
        result[ScoreComponent(key)] = float(value)
    if sum(result.values()) <= 0:
        raise TeamWeightsError("班组评分权重 team_weights 不能全部为 0")
    return result


def weights_from_env() -> dict[str, float]:
    """Weights from ``SIJING_TEAM_WEIGHTS`` (for callers without settings, e.g. digests)."""
    return weights(os.environ.get(ENV_WEIGHTS))
