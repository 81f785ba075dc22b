"""People queries for the workbench: names of the rows shown (not the whole roster), zones, coverage."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.web.queries import paged
from storage.models import CareEntry, Person, Visit


async def names_for(session: AsyncSession, userids: Iterable[str | None]) -> dict[str, str]:
    """userid -> name for these userids only (a page shows 50 rows, the roster may hold 10,000)."""
    ids = {u for u in userids if u}
    if not ids:
        return {}
    rows = await session.execute(select(Person.userid, Person.name).where(Person.userid.in_(ids)))
    return {u: n for u, n in rows.all()}


async def people_for(session: AsyncSession, userids: Iterable[str | None]) -> dict[str, Person]:
    ids = {u for u in userids if u}
    if not ids:
        return {}
    rows = await session.execute(select(Person).where(Person.userid.in_(ids)))
    return {p.userid: p for p in rows.scalars()}


async def zone_member_of(session: AsyncSession, userid: str) -> str | None:
    return (await session.execute(select(Person.zone_member).where(Person.userid == userid))).scalar_one_or_none()


async def staff(session: AsyncSession) -> list[Person]:
    """Party members and secretaries (who items can be given to), by name."""
    rows = await session.execute(select(Person).where(Person.role.in_(("member", "secretary"))).order_by(Person.name))
    return list(rows.scalars())


async def team_names(session: AsyncSession) -> list[str]:
    rows = await session.execute(select(Person.team).where(Person.team != "").distinct().order_by(Person.team))
    return list(rows.scalars())


# --- coverage (as storage.coverage, in SQL) ---------------------------------------------


@dataclass(frozen=True)
class MemberRow:
    member: str
    name: str
    team: str
    zone_size: int
    visited_30: int
    visited_90: int

    @property
    def pct_30(self) -> float | None:
        return self.visited_30 / self.zone_size if self.zone_size else None

    @property
    def pct_90(self) -> float | None:
        return self.visited_90 / self.zone_size if self.zone_size else None


def _last_visits():  # type: ignore[no-untyped-def]
    return (select(Visit.person.label("person"), func.max(Visit.visited_on).label("last"))
            .group_by(Visit.person).subquery())


async def coverage(session: AsyncSession, today: date, *, member: str | None = None,
                   limit: int | None = None, offset: int = 0) -> tuple[list[MemberRow], int]:
    """Per member: zone size, people visited in the last 30 / 90 days (visits on or after today-30/-90)."""
    last = _last_visits()
    zoned = select(Person.zone_member.label("member"), Person.userid.label("userid")).where(
        Person.zone_member.is_not(None)).subquery()
    d30, d90 = today - timedelta(days=30), today - timedelta(days=90)
    per = (select(zoned.c.member, func.count().label("size"),
                  func.sum(case((last.c.last >= d30, 1), else_=0)).label("v30"),
                  func.sum(case((last.c.last >= d90, 1), else_=0)).label("v90"))
           .select_from(zoned).outerjoin(last, last.c.person == zoned.c.userid).group_by(zoned.c.member).subquery())
    stmt = (select(Person.userid, Person.name, Person.team, per.c.size, per.c.v30, per.c.v90)
            .join(per, per.c.member == Person.userid, isouter=True)
            .where(Person.role.in_(("member", "secretary")))
            .where((Person.role == "member") | (per.c.size > 0)))
    if member:
        stmt = stmt.where(Person.userid == member)
    found, total = await paged(session, stmt, Person.userid, limit=limit, offset=offset, scalars=False)
    return [MemberRow(u, n, t, int(s or 0), int(a or 0), int(b or 0)) for u, n, t, s, a, b in found], total


async def coverage_totals(session: AsyncSession, today: date) -> tuple[int, int, int]:
    """(people in a zone, visited in 30 days, visited in 90 days)."""
    last = _last_visits()
    d30, d90 = today - timedelta(days=30), today - timedelta(days=90)
    stmt = (select(func.count(), func.sum(case((last.c.last >= d30, 1), else_=0)),
                   func.sum(case((last.c.last >= d90, 1), else_=0)))
            .select_from(Person).outerjoin(last, last.c.person == Person.userid)
            .where(Person.zone_member.is_not(None)))
    size, v30, v90 = (await session.execute(stmt)).one()
    return int(size or 0), int(v30 or 0), int(v90 or 0)


async def zone(session: AsyncSession, member: str, today: date, *, not_visited_days: int | None = None,
               limit: int | None = None, offset: int = 0) -> tuple[list[tuple[Person, date | None, int]], int]:
    """People in ``member``'s zone with their last visit and open care entries, longest unvisited first."""
    last = _last_visits()
    care = (select(CareEntry.person.label("person"), func.count().label("n")).where(CareEntry.status == "active")
            .group_by(CareEntry.person).subquery())
    stmt = (select(Person, last.c.last, func.coalesce(care.c.n, 0))
            .outerjoin(last, last.c.person == Person.userid).outerjoin(care, care.c.person == Person.userid)
            .where(Person.zone_member == member))
    if not_visited_days is not None:
        cutoff = today - timedelta(days=not_visited_days)
        stmt = stmt.where((last.c.last.is_(None)) | (last.c.last < cutoff))
    found, total = await paged(session, stmt, last.c.last.is_not(None), last.c.last, Person.userid, limit=limit,
                               offset=offset, scalars=False)
    return [(p, d, int(n)) for p, d, n in found], total


async def unassigned(session: AsyncSession) -> list[tuple[str, str]]:
    """(userid, name) of people in nobody's zone (the secretary aside)."""
    rows = await session.execute(select(Person.userid, Person.name).where(
        Person.zone_member.is_(None), Person.role != "secretary").order_by(Person.userid))
    return [(u, n) for u, n in rows.all()]


async def find(session: AsyncSession, account: str) -> Person | None:
    """By userid or, failing that, by an exact name that only one person has (as the chat resolves names)."""
    found = await session.get(Person, account)
    if found is not None:
        return found
    rows = list((await session.execute(select(Person).where(Person.name == account).limit(2))).scalars())
    return rows[0] if len(rows) == 1 else None
