"""The ledger and the coverage as chat shows them: counts in SQL and one page of rows (the full view is the
workbench's). Every query here is an aggregate or a page: the reply costs the same for 50 or 50,000 entries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.care.coverage import _last_visit
from storage.care.lifecycle import CareStatus
from storage.care.models import CareEntry
from storage.people.lifecycle import Role
from storage.people.models import Person

SHOWN_MEMBERS = 5  # responsible members named in the ledger's summary (most entries first)


@dataclass(frozen=True)
class LedgerSummary:
    total: int
    overdue: int  # next follow-up before today
    by_category: list[tuple[str, int]]  # most first
    by_member: list[tuple[str, int]]  # responsible member -> entries, most first (the first SHOWN_MEMBERS)
    members: int  # how many members are responsible for any


def _active(responsible: str | None):  # type: ignore[no-untyped-def]
    cond = [CareEntry.status == CareStatus.ACTIVE]
    if responsible is not None:
        cond.append(CareEntry.responsible == responsible)
    return cond


async def ledger_summary(session: AsyncSession, today: date, *, responsible: str | None = None) -> LedgerSummary:
    """Active entries (all, or one member's): how many, how many overdue, per category, per responsible member."""
    cond = _active(responsible)
    total, overdue = (await session.execute(select(
        func.count(), func.coalesce(func.sum(case((CareEntry.next_follow_up < today, 1), else_=0)), 0)).where(*cond))).one()
    cats = (await session.execute(select(CareEntry.category, func.count()).where(*cond)
                                  .group_by(CareEntry.category).order_by(func.count().desc(), CareEntry.category))).all()
    per = (select(CareEntry.responsible, func.count().label("n")).where(*cond).group_by(CareEntry.responsible)
           .order_by(func.count().desc(), CareEntry.responsible))
    members = (await session.execute(select(func.count()).select_from(per.order_by(None).subquery()))).scalar_one()
    top = (await session.execute(per.limit(SHOWN_MEMBERS))).all()
    return LedgerSummary(int(total), int(overdue), [(c, int(n)) for c, n in cats], [(m, int(n)) for m, n in top],
                         int(members))


async def ledger_page(session: AsyncSession, *, responsible: str | None = None, limit: int,
                      offset: int = 0) -> list[CareEntry]:
    """One page of active entries, soonest follow-up first (as ``storage.care.ledger`` orders them)."""
    stmt = (select(CareEntry).where(*_active(responsible))
            .order_by(CareEntry.next_follow_up, CareEntry.id).limit(limit).offset(offset))
    return list((await session.execute(stmt)).scalars())


@dataclass(frozen=True)
class CoverageTotals:
    zone_total: int  # people in someone's zone
    visited_30: int
    visited_90: int
    unassigned: int  # in nobody's zone (the secretary aside)


async def coverage_totals(session: AsyncSession, today: date) -> CoverageTotals:
    """The branch's zone coverage in one aggregate (what ``coverage().zone_total`` … add up to): each zoned
    person's last visit by one probe of ``visits(person, visited_on)`` (``storage.care.coverage._last_visit``)."""
    d30, d90 = today - timedelta(days=30), today - timedelta(days=90)
    zoned = (select(_last_visit().label("last")).where(Person.zone_member.is_not(None))).subquery()
    zone_total, v30, v90 = (await session.execute(select(
        func.count(), func.coalesce(func.sum(case((zoned.c.last >= d30, 1), else_=0)), 0),
        func.coalesce(func.sum(case((zoned.c.last >= d90, 1), else_=0)), 0)).select_from(zoned))).one()
    unassigned = (await session.execute(select(func.count()).select_from(Person).where(
        Person.zone_member.is_(None), Person.role != Role.SECRETARY))).scalar_one()
    return CoverageTotals(int(zone_total), int(v30), int(v90), int(unassigned))


async def unassigned_names(session: AsyncSession, limit: int) -> list[str]:
    """The first ``limit`` names (by userid) of people in nobody's zone, the secretary aside."""
    rows = await session.execute(select(Person.name).where(Person.zone_member.is_(None), Person.role != Role.SECRETARY)
                                 .order_by(Person.userid).limit(limit))
    return list(rows.scalars())
