"""The monthly team score and ranking (see also ``docs/TEAM_SCORE.md``).

For team *T* and month *M* = [start, end) in local time, evaluated "as of" a moment ``as_of`` (the
end of the month for past months, now for the current one), five ratios in 0..1
(``storage.teams.components``):

* ``visits`` — follow-ups due in *M* (already due by ``as_of``) for people of *T*, done on time /
  follow-ups due. A follow-up is a visit task (not cancelled; done on time when a visit to the
  person dated from the task's creation to its due date exists, or the task was marked done by
  the due date), the next follow-up date a care-ledger visit set (``Visit.next_date`` of a visit
  with ``entry_id``; done on time when a later visit, on or before that date, exists), or an active
  care entry's first follow-up not yet visited.
* ``satisfaction`` — deeds whose requester is in *T* (roster team, else ``Item.team``):
  satisfied closes in *M* / (all closes in *M* + reopens in *M*), from the item history
  (``confirmed`` events are satisfied closes, ``closed_by_hand`` plain closes, ``reopened`` reopens).
* ``response`` — deeds of *T* created in *M*: first responded within 1 working day
  (``storage.workdays.add_working_time``) / those whose outcome is known (responded, or the
  deadline passed by ``as_of``).
* ``incidents`` — incidents of *T* (``Item.team``) reported in *M*: acknowledged within 30 minutes /
  those whose outcome is known (acknowledged, or 30 minutes passed by ``as_of``).
* ``participation`` — distinct people of *T* who attended an activity or a training (not cancelled)
  starting in *M* / team size.

A component with no data (denominator 0) is *undefined* and **excluded**: the remaining weights
are renormalised. ``score = 100 × Σ wᵢ·rᵢ / Σ wᵢ`` over the defined components with wᵢ > 0;
``None`` ("—") if none is defined. Ranking: score descending (teams without a score last), then
team name; equal scores share a rank. Default weights are ``DEFAULT_WEIGHTS``
(``storage.teams.weights``).

优秀班组 (excellent teams) of a month: every team scoring ≥ ``EXCELLENT_SCORE`` with at least
``EXCELLENT_MIN_COMPONENTS`` components that have data and ``EXCELLENT_MIN_RECORDS`` records behind them; maybe none.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, tzinfo

from sqlalchemy.ext.asyncio import AsyncSession

from storage.people import RosterEntry, leaders_by_team
from storage.scoring import combine, rank
from storage.teams import components
from storage.teams.components import Component
from storage.teams.lifecycle import ScoreComponent
from storage.teams.months import month_bounds, month_start, next_month
from storage.teams.records import teams
from storage.teams.weights import DEFAULT_WEIGHTS

EXCELLENT_SCORE = 85.0
EXCELLENT_MIN_COMPONENTS = 2  # a score on one kind of record alone is not excellence
EXCELLENT_MIN_RECORDS = 5  # nor is a score on a handful of records
C = ScoreComponent


@dataclass
class TeamScore:
    team: str
    size: int
    leaders: list[RosterEntry]
    components: dict[str, Component]
    score: float | None = None
    rank: int = 0
    members: list[str] = field(default_factory=list)


@dataclass
class Ranking:
    month: date
    as_of: datetime
    weights: dict[str, float]
    teams: list[TeamScore]

    def excellent(self) -> list[TeamScore]:
        """Teams scoring ≥ ``EXCELLENT_SCORE`` on enough of the ledger (``docs/TEAM_SCORE.md``); maybe none."""
        return [t for t in self.teams
                if t.score is not None and t.score >= EXCELLENT_SCORE and _evidence(t, self.weights)]

    def of(self, team: str) -> TeamScore | None:
        return next((t for t in self.teams if t.team == team), None)


def _evidence(team: TeamScore, weights: Mapping[str, float]) -> bool:
    """Enough behind a score to call it excellent: weighted components with data, and records counted."""
    with_data = [c for k, c in team.components.items() if c.den > 0 and weights.get(k, 0) > 0]
    return len(with_data) >= EXCELLENT_MIN_COMPONENTS and sum(c.den for c in with_data) >= EXCELLENT_MIN_RECORDS


def _rank(scores: list[TeamScore]) -> list[TeamScore]:
    return rank(scores, name=lambda t: t.team)


async def ranking(session: AsyncSession, month: date, tz: tzinfo, *, now: datetime,
                  weights_: Mapping[str, float] | None = None) -> Ranking:
    """Every team's score for the month beginning ``month`` (first day), as of ``min(now, month end)``."""
    w = dict(weights_) if weights_ is not None else dict(DEFAULT_WEIGHTS)
    first = month_start(month)
    start, end = month_bounds(first, tz)
    as_of = min(now.astimezone(tz), end)
    roster = await teams(session)
    team_of = {p.userid: t for t, ps in roster.items() for p in ps}
    last = next_month(first) - timedelta(days=1)
    as_of_day = as_of.date() if as_of < end else next_month(first)
    vis = await components.visits(session, team_of, first, last, as_of_day, tz)
    sat, resp = await components.deeds(session, team_of, start, end, as_of, tz)
    inc = await components.incidents(session, start, end, as_of)
    came = await components.attended(session, start, end)
    leaders = await leaders_by_team(session, roster)  # one query for every team, not one per team
    out: list[TeamScore] = []
    for team, members in roster.items():
        parts = {
            C.VISITS: vis.get(team, Component(C.VISITS, 0, 0)),
            C.SATISFACTION: sat.get(team, Component(C.SATISFACTION, 0, 0)),
            C.RESPONSE: resp.get(team, Component(C.RESPONSE, 0, 0)),
            C.INCIDENTS: inc.get(team, Component(C.INCIDENTS, 0, 0)),
            C.PARTICIPATION: Component(C.PARTICIPATION, sum(p.userid in came for p in members), len(members)),
        }
        ts = TeamScore(team=team, size=len(members), leaders=leaders.get(team, []),
                       components=dict(parts), members=[p.userid for p in members])
        ts.score = combine(parts, w)
        out.append(ts)
    return Ranking(first, as_of, w, _rank(out))
