"""The score's weights: ``DEFAULT_WEIGHTS``, overridden by the ``team_weights`` setting."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from storage.teams.lifecycle import COMPONENTS, ScoreComponent
from storage.scoring import parse_weights

C = ScoreComponent
DEFAULT_WEIGHTS: dict[ScoreComponent, float] = {
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
    return dict(parse_weights(override, DEFAULT_WEIGHTS, COMPONENTS, what="班组评分", setting="team_weights",
                              error=TeamWeightsError))


def weights_from_env() -> dict[str, float]:
    """Weights from ``SIJING_TEAM_WEIGHTS`` (for callers without settings, e.g. digests)."""
    return weights(os.environ.get(ENV_WEIGHTS))
