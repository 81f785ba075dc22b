"""支部争先: the branch score's weights, the minimum of activity to be ranked, and the ranking itself.

The formula is the team score's (``storage.scoring.combine``: a weighted average of the components that
have data, weights renormalised); the components are ``storage.committee.figures``'. See
``docs/BRANCH_SCORE.md``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Protocol, TypeVar

from storage.committee.figures import Part
from storage.committee.lifecycle import COMPONENTS, BranchComponent
from storage import scoring
from storage.scoring import combine, parse_weights

C = BranchComponent
DEFAULT_WEIGHTS: dict[BranchComponent, float] = {
    C.COVERAGE: 0.2,
    C.VISITS: 0.2,
    C.SATISFACTION: 0.2,
    C.RESPONSE: 0.15,
    C.INCIDENTS: 0.1,
    C.PARTICIPATION: 0.15,
}
MIN_ACTIVITY = 5  # follow-ups due + closes and reopens + deeds and incidents with a known outcome, per quarter


class BranchWeightsError(ValueError):
    """The ``branch_weights`` setting is not usable; the message says why (in Chinese and English)."""


def weights(override: str | Mapping[str, Any] | None = None) -> dict[BranchComponent, float]:
    """``DEFAULT_WEIGHTS`` updated with ``override`` (JSON text or a mapping), e.g. ``{"incidents": 0.2}``.

    Raises:
        BranchWeightsError: unknown keys, non-numeric or negative values, or all weights zero.
    """
    return parse_weights(override, DEFAULT_WEIGHTS, COMPONENTS, what="支部争先", setting="branch_weights",
                         error=BranchWeightsError)


def score(parts: Mapping[BranchComponent, Part], w: Mapping[BranchComponent, float]) -> float | None:
    """100 × the weighted average of the components with data (weights renormalised); None without any."""
    return combine(parts, w)


class Scored(Protocol):
    code: str
    score: float | None
    rank: int

    @property
    def ranked(self) -> bool: ...


S = TypeVar("S", bound=Scored)


def rank(rows: Iterable[S]) -> list[S]:
    """Ranked rows by score (descending), then code; equal scores share a rank (1, 1, 3);
    the rows not ranked (no score, too little activity) last, by code, with rank 0."""
    return scoring.rank(rows, name=lambda r: r.code, eligible=lambda r: r.ranked)
