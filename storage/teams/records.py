"""Teams from the roster, and a team's record (/班组): people, open items, incidents, visits."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, tzinfo

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.care.models import Visit
from storage.deeds import Item, ItemKind
from storage.deeds.queries import ITEM_OPEN
from storage.people import RosterEntry, all_people
from storage.people.models import Person
from storage.teams.months import month_bounds, month_start



async def teams(session: AsyncSession) -> dict[str, list[RosterEntry]]:
    """Team name -> its people (roster order), teams by name."""
    out: dict[str, list[RosterEntry]] = {}
    for p in await all_people(session):
        if p.team:
            out.setdefault(p.team, []).append(p)
    return dict(sorted(out.items()))


async def team_names(session: AsyncSession) -> list[str]:
    """Every team of the roster, by name (one query, not the roster: a filter's options)."""
    rows = await session.execute(select(Person.team).where(Person.team != "").distinct().order_by(Person.team))
    return [str(t) for t in rows.scalars()]


async def people_of(session: AsyncSession, team: str) -> list[Person]:
    rows = await session.execute(select(Person).where(Person.team == team).order_by(Person.userid))
    return list(rows.scalars())


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
    rows = await session.execute(select(Item).where(Item.status.in_(ITEM_OPEN)).order_by(Item.number))
    open_items = [i for i in rows.scalars() if (i.requester in ids if i.kind == ItemKind.DEED else i.team == team)]
    inc = await session.execute(select(Item).where(Item.kind == ItemKind.INCIDENT, Item.team == team,
                                                   Item.created_at >= start, Item.created_at < end)
                                .order_by(Item.number))
    vis = await session.execute(select(Visit).where(Visit.visited_on >= start.date(), Visit.visited_on < end.date()))
    month_visits = [v for v in vis.scalars() if v.person in ids]
    return TeamRecord(team, roster, open_items, list(inc.scalars()), len(month_visits),
                      len({v.person for v in month_visits}))


@dataclass(frozen=True)
class TeamFigures:
    """:func:`record`'s numbers, counted in SQL (the workbench; a team may have hundreds of people)."""

    people: int
    open_items: int
    incidents: int
    visits: int
    visited_people: int


async def figures(session: AsyncSession, team: str, month: date, tz: tzinfo) -> TeamFigures:
    """As :func:`record`: people, open items (deeds of the team's people, the team's incidents), the
    month's incidents and visits to the team's people."""
    start, end = month_bounds(month_start(month), tz)
    members = select(Person.userid).where(Person.team == team).scalar_subquery()
    people = (await session.execute(select(func.count()).where(Person.team == team))).scalar_one()
    open_items = (await session.execute(select(func.count()).select_from(Item).where(
        Item.status.in_(ITEM_OPEN), ((Item.kind == ItemKind.DEED) & Item.requester.in_(members))
        | ((Item.kind == ItemKind.INCIDENT) & (Item.team == team))))).scalar_one()
    incidents = (await session.execute(select(func.count()).select_from(Item).where(
        Item.kind == ItemKind.INCIDENT, Item.team == team, Item.created_at >= start,
        Item.created_at < end))).scalar_one()
    visits, visited = (await session.execute(select(func.count(), func.count(Visit.person.distinct())).where(
        Visit.person.in_(members), Visit.visited_on >= start.date(), Visit.visited_on < end.date()))).one()
    return TeamFigures(int(people), int(open_items), int(incidents), int(visits or 0), int(visited or 0))
