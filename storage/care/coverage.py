"""Responsibility-zone coverage: who is in whose zone, and who was visited lately (counted in SQL)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.care.lifecycle import CareStatus
from storage.care.models import CareEntry, Visit
from storage.paging import Page, page
from storage.people.lifecycle import STAFF, Role
from storage.people.models import Person


@dataclass(frozen=True)
class MemberCoverage:
    member: str
    name: str
    zone_size: int
    visited_30: int
    visited_90: int
    team: str = ""

    @property
    def pct_30(self) -> float:
        return self.visited_30 / self.zone_size if self.zone_size else 0.0

    @property
    def pct_90(self) -> float:
        return self.visited_90 / self.zone_size if self.zone_size else 0.0


@dataclass(frozen=True)
class Coverage:
    members: list[MemberCoverage]
    unassigned: list[tuple[str, str]]  # (userid, name) in nobody's zone

    @property
    def zone_total(self) -> int:
        return sum(m.zone_size for m in self.members)

    @property
    def visited_30(self) -> int:
        return sum(m.visited_30 for m in self.members)

    @property
    def visited_90(self) -> int:
        return sum(m.visited_90 for m in self.members)


def _last_visit() -> Any:
    """The last visit day of the enclosing ``people`` row's person: correlated, one probe of the index on
    ``visits(person, visited_on)`` per person instead of an aggregate over every visit."""
    return select(func.max(Visit.visited_on)).where(Visit.person == Person.userid).scalar_subquery()


async def members(session: AsyncSession, today: date, *, member: str | None = None, limit: int | None = None,
                  offset: int = 0) -> Page[MemberCoverage]:
    """Per party member (the secretary only with a zone), by userid: zone size, people visited in the
    last 30 / 90 days (a last visit on or after today-30 / today-90)."""
    d30, d90 = today - timedelta(days=30), today - timedelta(days=90)
    zoned = select(Person.zone_member.label("member"), _last_visit().label("last")).where(
        Person.zone_member.is_not(None))
    if member:
        zoned = zoned.where(Person.zone_member == member)
    last = zoned.subquery()
    per = (select(last.c.member, func.count().label("size"),
                  func.sum(case((last.c.last >= d30, 1), else_=0)).label("v30"),
                  func.sum(case((last.c.last >= d90, 1), else_=0)).label("v90")).group_by(last.c.member).subquery())
    stmt = (select(Person.userid, Person.name, Person.team, per.c.size, per.c.v30, per.c.v90)
            .join(per, per.c.member == Person.userid, isouter=True)
            .where(Person.role.in_(list(STAFF)), (Person.role == Role.MEMBER) | (per.c.size > 0))
            .order_by(Person.userid))
    if member:
        stmt = stmt.where(Person.userid == member)
    found = await page(session, stmt, limit, offset, scalars=False)
    return Page([MemberCoverage(u, n, int(s or 0), int(a or 0), int(b or 0), t) for u, n, t, s, a, b in found.rows],
                found.total)


async def unassigned(session: AsyncSession) -> list[tuple[str, str]]:
    """(userid, name) of people in nobody's zone (the secretary aside), by userid."""
    rows = await session.execute(select(Person.userid, Person.name).where(
        Person.zone_member.is_(None), Person.role != Role.SECRETARY).order_by(Person.userid))
    return [(u, n) for u, n in rows.all()]


async def coverage(session: AsyncSession, today: date, *, member: str | None = None) -> Coverage:
    """Coverage per member as of ``today`` and who is in nobody's zone (when not asked about one member)."""
    rows = (await members(session, today, member=member)).rows
    return Coverage(rows, await unassigned(session) if member is None else [])


async def zone(session: AsyncSession, member: str, today: date, *, not_visited_days: int | None = None,
               limit: int | None = None, offset: int = 0) -> Page[tuple[Person, date | None, int]]:
    """People in ``member``'s zone with their last visit and active care entries, longest unvisited first;
    ``not_visited_days``: only those not visited within that many days."""
    last = _last_visit().label("last")
    care = (select(func.count(CareEntry.id)).where(CareEntry.person == Person.userid,
                                                   CareEntry.status == CareStatus.ACTIVE).scalar_subquery())
    inner = select(Person.userid.label("userid"), last).where(Person.zone_member == member).subquery()
    stmt: Any = (select(Person, inner.c.last, care).join(inner, inner.c.userid == Person.userid)
                 .order_by(inner.c.last.is_not(None), inner.c.last, Person.userid))
    if not_visited_days is not None:
        stmt = stmt.where(inner.c.last.is_(None) | (inner.c.last < today - timedelta(days=not_visited_days)))
    found = await page(session, stmt, limit, offset, scalars=False)
    return Page([(p, d, int(n)) for p, d, n in found.rows], found.total)
