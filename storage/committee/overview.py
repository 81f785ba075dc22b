"""Every branch's figures for a period, scored and ranked: what /支部, /争先, the API and the digest read.

One query per figure for all branches (``storage.committee.figures``), whatever the number of
branches; the rest is arithmetic over one row per branch.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, tzinfo

from sqlalchemy.ext.asyncio import AsyncSession

from storage.committee import figures
from storage.committee.figures import Part
from storage.committee.lifecycle import ACTIVITY, COMPONENTS, BranchComponent, Order
from storage.committee.quarters import quarter_bounds, quarter_label
from storage.committee.score import DEFAULT_WEIGHTS, MIN_ACTIVITY, rank, score
from storage.people import branches as branch_table

C = BranchComponent
TOTAL_CODE = "合计"


@dataclass
class BranchFigures:
    """One branch: who is in it, the state of its ledger now, its components for the period and its score."""

    id: int
    code: str
    name: str
    people: int = 0
    parts: dict[BranchComponent, Part] = field(default_factory=dict)
    open_deeds: int = 0  # deeds not closed, now
    overdue: int = 0  # of those, overdue now
    attention: int = 0  # people on the key-attention ledger: a count only
    min_activity: int = MIN_ACTIVITY
    score: float | None = None
    rank: int = 0

    def part(self, key: BranchComponent) -> Part:
        return self.parts.get(key, Part())

    @property
    def activity(self) -> int:
        """What happened in the period: follow-ups due, closes and reopens, deeds and incidents judged."""
        return sum(self.part(k).den for k in ACTIVITY)

    @property
    def ranked(self) -> bool:
        return self.score is not None and self.activity >= self.min_activity

    def need(self, order: Order) -> tuple[float, ...]:
        """Sort key, most in need first: overdue (more first) and coverage (lower first; none last)."""
        cov = self.part(C.COVERAGE).ratio
        coverage = (0, cov) if cov is not None else (1, 0.0)
        if order == Order.COVERAGE:
            return (*coverage, -self.overdue)
        return (-self.overdue, *coverage)


@dataclass
class Overview:
    start: datetime
    end: datetime
    as_of: datetime
    label: str  # ``2026年第4季度`` or the digest's period
    weights: dict[BranchComponent, float]
    branches: list[BranchFigures]  # ranked order (``storage.committee.score.rank``)

    def by_need(self, order: Order = Order.OVERDUE) -> list[BranchFigures]:
        return sorted(self.branches, key=lambda b: (*b.need(order), b.code))

    def find(self, branch_id: int) -> BranchFigures | None:
        return next((b for b in self.branches if b.id == branch_id), None)

    @property
    def ranked(self) -> list[BranchFigures]:
        return [b for b in self.branches if b.ranked]

    def totals(self) -> BranchFigures:
        """Every branch added up (ratios of the sums, not averages of ratios); no score."""
        total = BranchFigures(0, TOTAL_CODE, TOTAL_CODE)
        for b in self.branches:
            total.people += b.people
            total.open_deeds += b.open_deeds
            total.overdue += b.overdue
            total.attention += b.attention
            total.parts = {k: total.part(k) + b.part(k) for k in COMPONENTS}
        return total


def as_of_days(start: datetime, end: datetime, as_of: datetime) -> tuple[date, date, date]:
    """(the period's last day, the day coverage is counted up to, the day before which follow-ups count
    as due): the end of the period once it is over, else today."""
    last = (end - timedelta(microseconds=1)).date()
    if as_of < end:
        return last, as_of.date(), as_of.date()
    return last, last, last + timedelta(days=1)


async def overview(session: AsyncSession, start: datetime, end: datetime, now: datetime, tz: tzinfo, *,
                   label: str = "", weights: Mapping[BranchComponent, float] | None = None,
                   min_activity: int = MIN_ACTIVITY) -> Overview:
    """Every branch's figures for ``[start, end)`` (aware, local) as of ``min(now, end)``; open and overdue
    deeds as of ``now``. The session should see every branch (``storage.scope.every_branch``)."""
    w = dict(weights) if weights is not None else dict(DEFAULT_WEIGHTS)
    now = now.astimezone(tz)
    as_of = min(now, end.astimezone(tz))
    last, cover_day, due_before = as_of_days(start, end, as_of)
    people = await figures.people(session)
    parts: dict[BranchComponent, dict[int, Part]] = {
        C.COVERAGE: await figures.coverage(session, cover_day),
        C.VISITS: await figures.follow_ups(session, start.date(), last, due_before, tz, as_of),
        C.SATISFACTION: await figures.satisfaction(session, start, end),
        C.RESPONSE: await figures.response(session, start, end, as_of),
        C.INCIDENTS: await figures.incidents(session, start, end, as_of),
    }
    came = await figures.participation(session, start, end)
    deeds = await figures.open_deeds(session, now)
    attention = await figures.attention(session)
    rows = []
    for b in await branch_table.all_branches(session):
        heads = people.get(b.id, 0)
        row = BranchFigures(b.id, b.code, b.name, heads, {k: parts[k].get(b.id, Part()) for k in parts},
                            deeds.get(b.id, Part()).den, deeds.get(b.id, Part()).num, attention.get(b.id, 0),
                            min_activity)
        row.parts[C.PARTICIPATION] = Part(min(came.get(b.id, 0), heads), heads)
        row.score = score(row.parts, w)
        rows.append(row)
    return Overview(start, end, as_of, label, w, rank(rows))


async def quarter(session: AsyncSession, first: date, now: datetime, tz: tzinfo, *,
                  weights: Mapping[BranchComponent, float] | None = None,
                  min_activity: int = MIN_ACTIVITY) -> Overview:
    """The quarter beginning ``first``, as of ``min(now, its end)``: 支部争先 and /支部's figures."""
    start, end = quarter_bounds(first, tz)
    return await overview(session, start, end, now, tz, label=quarter_label(first), weights=weights,
                          min_activity=min_activity)
