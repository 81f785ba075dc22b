"""精益班组: teams (grids) from the roster and their monthly score.

A team is a non-empty ``Person.team``; its grid leaders come from ``storage.people.grid_leaders``.

Monthly team score (see also ``docs/TEAM_SCORE.md``). For team *T* and month *M* = [start, end)
in local time, evaluated "as of" a moment ``as_of`` (the end of the month for past months, now
for the current one), five ratios in 0..1:

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
  (``schedules.workdays.add_working_time``) / those whose outcome is known (responded, or the
  deadline passed by ``as_of``).
* ``incidents`` — incidents of *T* (``Item.team``) reported in *M*: acknowledged within 30 minutes /
  those whose outcome is known (acknowledged, or 30 minutes passed by ``as_of``).
* ``participation`` — distinct people of *T* who attended an activity or a training (not cancelled)
  starting in *M* / team size.

A component with no data (denominator 0) is *undefined* and **excluded**: the remaining weights
are renormalised. ``score = 100 × Σ wᵢ·rᵢ / Σ wᵢ`` over the defined components with wᵢ > 0;
``None`` ("—") if none is defined. Ranking: score descending (teams without a score last), then
team name; equal scores share a rank. Default weights are ``DEFAULT_WEIGHTS``; the setting
``team_weights`` (JSON object, e.g. ``{"visits": 0.5}``) overrides some or all of them; unknown
keys, negative or non-numeric weights, or all-zero weights raise :class:`TeamWeightsError`.

优秀班组 (excellent teams) of a month: every team scoring ≥ ``EXCELLENT_SCORE``; if none does, the
top-ranked team(s).
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.workdays import add_working_time
from storage import gatherings
from storage.care.models import CareEntry, Visit, VisitTask
from storage.deeds.models import Item, ItemEvent
from storage.gatherings.models import Gathering, Signup
from storage.people.models import Person
from storage.people import RosterEntry, grid_leaders

DEFAULT_WEIGHTS: dict[str, float] = {
    "visits": 0.3,
    "satisfaction": 0.25,
    "response": 0.2,
    "incidents": 0.1,
    "participation": 0.15,
}
COMPONENTS = tuple(DEFAULT_WEIGHTS)
COMPONENT_CN: dict[str, str] = {
    "visits": "按时回访",
    "satisfaction": "满意办结",
    "response": "及时响应",
    "incidents": "事件处置",
    "participation": "活动参与",
}
EXCELLENT_SCORE = 85.0
RESPONSE_WORKING_DAYS = 1
INCIDENT_ACK_WITHIN = timedelta(minutes=30)
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
        result[key] = float(value)
    if sum(result.values()) <= 0:
        raise TeamWeightsError("班组评分权重 team_weights 不能全部为 0")
    return result


def weights_from_env() -> dict[str, float]:
    """Weights from ``SIJING_TEAM_WEIGHTS`` (for callers without settings, e.g. digests)."""
    return weights(os.environ.get(ENV_WEIGHTS))


# --- months ----------------------------------------------------------------------


def month_start(day: date) -> date:
    return day.replace(day=1)


def next_month(first: date) -> date:
    return (first.replace(day=28) + timedelta(days=4)).replace(day=1)


def previous_month(first: date) -> date:
    return (first - timedelta(days=1)).replace(day=1)


def month_bounds(first: date, tz: tzinfo) -> tuple[datetime, datetime]:
    """Aware local bounds [start, end) of the month beginning ``first``."""
    return datetime.combine(first, time(0), tzinfo=tz), datetime.combine(next_month(first), time(0), tzinfo=tz)


def month_label(first: date) -> str:
    return f"{first.year}年{first.month}月"


# --- results ---------------------------------------------------------------------


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
        return COMPONENT_CN[self.key]


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
        """Teams scoring ≥ EXCELLENT_SCORE; if none, the top-ranked team(s)."""
        scored = [t for t in self.teams if t.score is not None]
        best = [t for t in scored if t.score is not None and t.score >= EXCELLENT_SCORE]
        if best:
            return best
        return [t for t in scored if t.rank == 1]

    def of(self, team: str) -> TeamScore | None:
        return next((t for t in self.teams if t.team == team), None)


def combine(components: Mapping[str, Component], w: Mapping[str, float]) -> float | None:
    """100 × the weighted average of the defined components (weights renormalised)."""
    total = weight = 0.0
    for key, comp in components.items():
        r = comp.ratio
        wk = w.get(key, 0.0)
        if r is None or wk <= 0:
            continue
        total += wk * r
        weight += wk
    return round(100 * total / weight, 1) if weight else None


def _rank(teams: list[TeamScore]) -> list[TeamScore]:
    teams.sort(key=lambda t: (t.score is None, -(t.score or 0.0), t.team))
    prev: float | None = None
    rank = 0
    for i, t in enumerate(teams, start=1):
        if t.score is None:
            t.rank = 0
            continue
        if t.score != prev:
            rank, prev = i, t.score
        t.rank = rank
    return teams


# --- the ledger --------------------------------------------------------------------


async def teams(session: AsyncSession) -> dict[str, list[RosterEntry]]:
    """Team name -> its people (roster order), teams by name."""
    from storage.people import all_people

    out: dict[str, list[RosterEntry]] = {}
    for p in await all_people(session):
        if p.team:
            out.setdefault(p.team, []).append(p)
    return dict(sorted(out.items()))


async def team_names(session: AsyncSession) -> list[str]:
    return list(await teams(session))


def _local_day(value: datetime, tz: tzinfo) -> date:
    return value.astimezone(tz).date()


async def _visits_component(session: AsyncSession, team_of: dict[str, str], first: date, last: date,
                            as_of_day: date, tz: tzinfo) -> dict[str, Component]:
    """Follow-ups due in [first, last] (and before ``as_of_day`` unless already done) per team."""
    visits: dict[str, list[date]] = {}
    care_visits: list[Visit] = []
    for v in (await session.execute(select(Visit))).scalars():
        visits.setdefault(v.person, []).append(v.visited_on)
        if v.entry_id is not None:
            care_visits.append(v)

    def done(person: str, since: date, due: date) -> bool:
        return any(since <= d <= due for d in visits.get(person, ()))

    dues: list[tuple[str, bool]] = []  # (person, on time)

    def consider(person: str, since: date, due: date, extra_done: bool = False) -> None:
        if person not in team_of or not (first <= due <= last):
            return
        ok = extra_done or done(person, since, due)
        if ok or due < as_of_day:
            dues.append((person, ok))

    tasks = await session.execute(select(VisitTask).where(VisitTask.status != "cancelled"))
    for t in tasks.scalars():
        marked = t.status == "done" and t.done_at is not None and _local_day(t.done_at, tz) <= t.due_date
        consider(t.person, _local_day(t.created_at, tz), t.due_date, marked)
    for v in care_visits:
        if v.next_date is not None:
            consider(v.person, v.visited_on + timedelta(days=1), v.next_date)
    visited_entries = {v.entry_id for v in care_visits}
    entries = await session.execute(select(CareEntry).where(CareEntry.status == "active",
                                                            CareEntry.next_follow_up.is_not(None)))
    for e in entries.scalars():
        if e.id in visited_entries or e.next_follow_up is None:
            continue
        consider(e.person, _local_day(e.created_at, tz), e.next_follow_up)
    out: dict[str, list[int]] = {}
    for person, ok in dues:
        c = out.setdefault(team_of[person], [0, 0])
        c[0] += int(ok)
        c[1] += 1
    return {t: Component("visits", n, d) for t, (n, d) in out.items()}


async def _deed_components(session: AsyncSession, team_of: dict[str, str], start: datetime, end: datetime,
                           as_of: datetime, tz: tzinfo) -> tuple[dict[str, Component], dict[str, Component]]:
    deeds = {i.id: i for i in (await session.execute(select(Item).where(Item.kind == "deed"))).scalars()}

    def team(item: Item) -> str:
        return team_of.get(item.requester) or item.team or ""

    sat: dict[str, list[int]] = {}
    events = await session.execute(select(ItemEvent).where(
        ItemEvent.at >= start, ItemEvent.at < end, ItemEvent.kind.in_(("confirmed", "closed_by_hand", "reopened"))))
    for e in events.scalars():
        item = deeds.get(e.item_id)
        if item is None or not team(item):
            continue
        c = sat.setdefault(team(item), [0, 0])
        c[0] += int(e.kind == "confirmed")
        c[1] += 1
    resp: dict[str, list[int]] = {}
    for item in deeds.values():
        if not (start <= item.created_at < end) or not team(item):
            continue
        deadline = add_working_time(item.created_at.astimezone(tz), RESPONSE_WORKING_DAYS)
        first = item.first_response_at
        if first is not None and first <= as_of:
            ok = first <= deadline
        elif deadline <= as_of:
            ok = False
        else:
            continue  # still within its response time
        c = resp.setdefault(team(item), [0, 0])
        c[0] += int(ok)
        c[1] += 1
    return ({t: Component("satisfaction", n, d) for t, (n, d) in sat.items()},
            {t: Component("response", n, d) for t, (n, d) in resp.items()})


async def _incident_component(session: AsyncSession, start: datetime, end: datetime,
                              as_of: datetime) -> dict[str, Component]:
    rows = await session.execute(select(Item).where(Item.kind == "incident", Item.created_at >= start,
                                                    Item.created_at < end))
    out: dict[str, list[int]] = {}
    for it in rows.scalars():
        if not it.team:
            continue
        limit = it.created_at + INCIDENT_ACK_WITHIN
        ack = it.first_response_at
        if ack is not None and ack <= as_of:
            ok = ack <= limit
        elif limit <= as_of:
            ok = False
        else:
            continue
        c = out.setdefault(it.team, [0, 0])
        c[0] += int(ok)
        c[1] += 1
    return {t: Component("incidents", n, d) for t, (n, d) in out.items()}


async def attended(session: AsyncSession, start: datetime, end: datetime) -> set[str]:
    """People who attended an activity or a training (not cancelled) starting in [start, end)."""
    rows = await session.execute(
        select(Signup.userid).join(Gathering, Gathering.id == Signup.event_id).where(
            Gathering.starts_at >= start, Gathering.starts_at < end, Gathering.status != "cancelled",
            Signup.attended.is_(True)))
    return set(rows.scalars())


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
    vis = await _visits_component(session, team_of, first, last, as_of_day, tz)
    sat, resp = await _deed_components(session, team_of, start, end, as_of, tz)
    inc = await _incident_component(session, start, end, as_of)
    came = await attended(session, start, end)
    out: list[TeamScore] = []
    for team, members in roster.items():
        comps = {
            "visits": vis.get(team, Component("visits", 0, 0)),
            "satisfaction": sat.get(team, Component("satisfaction", 0, 0)),
            "response": resp.get(team, Component("response", 0, 0)),
            "incidents": inc.get(team, Component("incidents", 0, 0)),
            "participation": Component("participation", sum(p.userid in came for p in members), len(members)),
        }
        ts = TeamScore(team=team, size=len(members), leaders=await grid_leaders(session, team),
                       components=comps, members=[p.userid for p in members])
        ts.score = combine(comps, w)
        out.append(ts)
    return Ranking(first, as_of, w, _rank(out))


async def people_of(session: AsyncSession, team: str) -> list[Person]:
    rows = await session.execute(select(Person).where(Person.team == team).order_by(Person.userid))
    return list(rows.scalars())


# --- a team's record ---------------------------------------------------------------


@dataclass
class TeamRecord:
    team: str
    people: list[RosterEntry]
    open_items: list[Item]
    incidents: list[Item]
    visits: int
    visited_people: int


async def record(session: AsyncSession, team: str, month: date, tz: tzinfo) -> TeamRecord:
    """People, open deeds (requester in the team) and open incidents, this month's incidents and visits."""
    roster = (await teams(session)).get(team, [])
    ids = {p.userid for p in roster}
    start, end = month_bounds(month_start(month), tz)
    active = ("submitted", "accepted", "in_progress", "reopened", "resolved", "open", "acknowledged")
    rows = await session.execute(select(Item).where(Item.status.in_(active)).order_by(Item.number))
    open_items = [i for i in rows.scalars()
                  if (i.requester in ids if i.kind == "deed" else i.team == team)]
    inc = await session.execute(select(Item).where(Item.kind == "incident", Item.team == team,
                                                   Item.created_at >= start, Item.created_at < end)
                                .order_by(Item.number))
    vis = await session.execute(select(Visit).where(Visit.visited_on >= start.date(), Visit.visited_on < end.date()))
    month_visits = [v for v in vis.scalars() if v.person in ids]
    return TeamRecord(team, roster, open_items, list(inc.scalars()), len(month_visits),
                      len({v.person for v in month_visits}))


# --- activities (minimal, until storage/gatherings.py exists) ------------------------
#
# Activities are ``Gathering`` rows with kind ``activity``; sign-ups are ``Signup`` rows.
# Numbers come from the ``counters`` row ``activity`` (started from the highest number in use).

ACTIVITY = "activity"
CATEGORY_CN: dict[str, str] = {"study_trip": "参观学习", "contest": "竞赛", "sports": "运动会", "other": "其他"}
CATEGORY_BY_CN: dict[str, str] = {v: k for k, v in CATEGORY_CN.items()}
STATUS_CN: dict[str, str] = {"open": "报名中", "cancelled": "已取消", "done": "已结束"}


async def create_activity(session: AsyncSession, *, now: datetime, actor: str, title: str, starts_at: datetime,
                          place: str, capacity: int, category: str, team: str) -> Gathering:
    """A new open activity (``team`` empty: the whole branch); numbering and audit as every gathering."""
    return await gatherings.create(session, kind=ACTIVITY, title=title, starts_at=starts_at, place=place,
                                   capacity=capacity, created_by=actor, now=now, category=category, team=team)


async def get_activity(session: AsyncSession, number: int) -> Gathering | None:
    row = await session.execute(select(Gathering).where(Gathering.kind == ACTIVITY, Gathering.number == number))
    return row.scalar_one_or_none()


async def upcoming_activities(session: AsyncSession, now: datetime) -> list[Gathering]:
    rows = await session.execute(select(Gathering).where(
        Gathering.kind == ACTIVITY, Gathering.status == "open", Gathering.starts_at > now)
        .order_by(Gathering.starts_at, Gathering.number))
    return list(rows.scalars())


async def list_activities(session: AsyncSession, *, start: datetime | None = None, stop: datetime | None = None,
                          status: list[str] | None = None, limit: int | None = 50,
                          offset: int = 0) -> tuple[list[Gathering], int]:
    """Activities by start time (newest first) and the total matching."""
    from sqlalchemy import func

    cond = [Gathering.kind == ACTIVITY]
    if start is not None:
        cond.append(Gathering.starts_at >= start)
    if stop is not None:
        cond.append(Gathering.starts_at < stop)
    if status:
        cond.append(Gathering.status.in_(status))
    total = (await session.execute(select(func.count()).select_from(Gathering).where(*cond))).scalar_one()
    stmt = select(Gathering).where(*cond).order_by(Gathering.starts_at.desc(), Gathering.number.desc()).offset(offset)
    if limit is not None:
        stmt = stmt.limit(limit)
    return list((await session.execute(stmt)).scalars()), int(total)


async def signups(session: AsyncSession, event_id: int, *, include_cancelled: bool = False) -> list[Signup]:
    stmt = select(Signup).where(Signup.event_id == event_id)
    if not include_cancelled:
        stmt = stmt.where(Signup.status == "signed")
    return list((await session.execute(stmt.order_by(Signup.signed_at, Signup.id))).scalars())


async def counts(session: AsyncSession, event_ids: list[int]) -> dict[int, tuple[int, int]]:
    """event id -> (signed up, attended)."""
    out: dict[int, tuple[int, int]] = {i: (0, 0) for i in event_ids}
    if not event_ids:
        return out
    rows = await session.execute(select(Signup).where(Signup.event_id.in_(event_ids)))
    for s in rows.scalars():
        signed, came = out[s.event_id]
        out[s.event_id] = (signed + int(s.status == "signed"), came + int(bool(s.attended)))
    return out


_OUTCOME = {
    gatherings.SignupOutcome.OK: "ok",
    gatherings.SignupOutcome.CANCELLED: "closed",
    gatherings.SignupOutcome.PAST: "past",
    gatherings.SignupOutcome.ALREADY: "dup",
    gatherings.SignupOutcome.FULL: "full",
    gatherings.SignupOutcome.NOT_TEAM: "team",
}


async def sign_up(session: AsyncSession, g: Gathering, userid: str, *, now: datetime) -> str:
    """``ok``, or why not: ``closed``, ``past``, ``dup``, ``full``, ``team`` (capacity held under a row lock)."""
    return _OUTCOME[(await gatherings.sign_up(session, g, userid, now)).outcome]


async def cancel_signup(session: AsyncSession, g: Gathering, userid: str, *, now: datetime) -> bool:
    return await gatherings.cancel_signup(session, g, userid, now)


async def record_attendance(session: AsyncSession, g: Gathering, userids: list[str], *, actor: str,
                            now: datetime) -> tuple[list[str], list[str]]:
    """Mark people as attended (walk-ins get a sign-up row); returns (newly marked, already marked)."""
    new = await gatherings.record_attendance(session, g, userids, now, actor=actor)
    return new, [u for u in dict.fromkeys(userids) if u not in new]
