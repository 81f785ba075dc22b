"""The five parts of a team's monthly score, each a ratio ``num / den`` per team.

See ``docs/TEAM_SCORE.md`` (and ``storage.teams.ranking``) for what each counts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage import gatherings
from storage.care.models import CareEntry, Visit, VisitTask
from storage.care.lifecycle import CareStatus, TaskStatus
from storage.deeds import EventKind, Item, ItemEvent, ItemKind
from storage.teams.lifecycle import ScoreComponent
from storage.workdays import add_working_time

RESPONSE_WORKING_DAYS = 1
INCIDENT_ACK_WITHIN = timedelta(minutes=30)
C = ScoreComponent


@dataclass(frozen=True)
class Component:
    key: str
    num: int
    den: int

    @property
    def ratio(self) -> float | None:
        return self.num / self.den if self.den else None

    @property
    def cn(self) -> str:
        return ScoreComponent.label_of(self.key)


def _local_day(value: datetime, tz: tzinfo) -> date:
    return value.astimezone(tz).date()


def _on_time(done: datetime | None, deadline: datetime, as_of: datetime) -> bool | None:
    """Done by the deadline; None while that is not known yet (not done, deadline not passed by ``as_of``)."""
    if done is not None and done <= as_of:
        return done <= deadline
    return False if deadline <= as_of else None


def _per_team(key: ScoreComponent, outcomes: list[tuple[str, bool]]) -> dict[str, Component]:
    """(team, on time) pairs -> team -> Component(on time, all)."""
    out: dict[str, list[int]] = {}
    for team, ok in outcomes:
        c = out.setdefault(team, [0, 0])
        c[0] += int(ok)
        c[1] += 1
    return {t: Component(key, n, d) for t, (n, d) in out.items()}


async def visits(session: AsyncSession, team_of: dict[str, str], first: date, last: date,
                 as_of_day: date, tz: tzinfo) -> dict[str, Component]:
    """Follow-ups due in [first, last] (and before ``as_of_day`` unless already done) per team."""
    seen: dict[str, list[date]] = {}
    care_visits: list[Visit] = []
    for v in (await session.execute(select(Visit))).scalars():
        seen.setdefault(v.person, []).append(v.visited_on)
        if v.entry_id is not None:
            care_visits.append(v)

    def done(person: str, since: date, due: date) -> bool:
        return any(since <= d <= due for d in seen.get(person, ()))

    dues: list[tuple[str, bool]] = []  # (team, on time)

    def consider(person: str, since: date, due: date, extra_done: bool = False) -> None:
        if person not in team_of or not (first <= due <= last):
            return
        ok = extra_done or done(person, since, due)
        if ok or due < as_of_day:
            dues.append((team_of[person], ok))

    tasks = await session.execute(select(VisitTask).where(VisitTask.status != TaskStatus.CANCELLED))
    for t in tasks.scalars():
        marked = t.status == TaskStatus.DONE and t.done_at is not None and _local_day(t.done_at, tz) <= t.due_date
        consider(t.person, _local_day(t.created_at, tz), t.due_date, marked)
    for v in care_visits:
        if v.next_date is not None:
            consider(v.person, v.visited_on + timedelta(days=1), v.next_date)
    visited_entries = {v.entry_id for v in care_visits}
    entries = await session.execute(select(CareEntry).where(CareEntry.status == CareStatus.ACTIVE,
                                                            CareEntry.next_follow_up.is_not(None)))
    for e in entries.scalars():
        if e.id in visited_entries or e.next_follow_up is None:
            continue
        consider(e.person, _local_day(e.created_at, tz), e.next_follow_up)
    return _per_team(C.VISITS, dues)


async def deeds(session: AsyncSession, team_of: dict[str, str], start: datetime, end: datetime,
                as_of: datetime, tz: tzinfo) -> tuple[dict[str, Component], dict[str, Component]]:
    """(satisfaction, response) per team, from the deeds whose requester is in the team."""
    items = {i.id: i for i in (await session.execute(select(Item).where(Item.kind == ItemKind.DEED))).scalars()}

    def team(item: Item) -> str:
        return team_of.get(item.requester) or item.team or ""

    closes: list[tuple[str, bool]] = []
    kinds = (EventKind.CONFIRMED, EventKind.CLOSED_BY_HAND, EventKind.REOPENED)
    events = await session.execute(select(ItemEvent).where(ItemEvent.at >= start, ItemEvent.at < end,
                                                           ItemEvent.kind.in_(kinds)))
    for e in events.scalars():
        item = items.get(e.item_id)
        if item is not None and team(item):
            closes.append((team(item), e.kind == EventKind.CONFIRMED))
    responses: list[tuple[str, bool]] = []
    for item in items.values():
        if not (start <= item.created_at < end) or not team(item):
            continue
        deadline = add_working_time(item.created_at.astimezone(tz), RESPONSE_WORKING_DAYS)
        ok = _on_time(item.first_response_at, deadline, as_of)
        if ok is not None:  # else still within its response time
            responses.append((team(item), ok))
    return _per_team(C.SATISFACTION, closes), _per_team(C.RESPONSE, responses)


async def incidents(session: AsyncSession, start: datetime, end: datetime, as_of: datetime) -> dict[str, Component]:
    """Incidents reported in [start, end) acknowledged within 30 minutes, per team (``Item.team``)."""
    rows = await session.execute(select(Item).where(Item.kind == ItemKind.INCIDENT, Item.created_at >= start,
                                                    Item.created_at < end))
    acks: list[tuple[str, bool]] = []
    for it in rows.scalars():
        ok = _on_time(it.first_response_at, it.created_at + INCIDENT_ACK_WITHIN, as_of)
        if it.team and ok is not None:
            acks.append((it.team, ok))
    return _per_team(C.INCIDENTS, acks)


async def attended(session: AsyncSession, start: datetime, end: datetime) -> set[str]:
    """People who attended an activity or a training (not cancelled) starting in [start, end)."""
    return set(await gatherings.participation(session, start, end))
