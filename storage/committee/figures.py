"""Each figure of the committee view for every branch at once: one aggregate query, grouped by branch.

No function here loads records into Python or loops over branches: the answer is one row per branch
(branches without rows are missing; read them as zero). The sessions of committee views are unscoped
(``storage.scope.every_branch``); in a scoped session the same queries count that branch only.
What each figure counts is in ``docs/BRANCH_SCORE.md``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from typing import Any

from sqlalchemy import and_, case, distinct, exists, func, or_, select, union_all
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased
from sqlalchemy.sql import ColumnElement

from storage.care.lifecycle import CareStatus, TaskStatus
from storage.care.models import CareEntry, Visit, VisitTask
from storage.committee.sqltime import deadline_days, epoch, local_date
from storage.deeds import ACTIVE, EventKind, Item, ItemEvent, ItemKind
from storage.deeds.queries import overdue_clause
from storage.gatherings.lifecycle import GatheringStatus, SignupStatus
from storage.gatherings.models import Gathering, Signup
from storage.people.models import Person
from storage.teams import INCIDENT_ACK_WITHIN, RESPONSE_WORKING_DAYS

COVERAGE_DAYS = 30  # a person in a zone is covered when visited in the last 30 days


@dataclass(frozen=True)
class Part:
    """One ratio of a branch: ``num`` of ``den`` (no data when ``den`` is 0)."""

    num: int = 0
    den: int = 0

    @property
    def ratio(self) -> float | None:
        return self.num / self.den if self.den else None

    def __add__(self, other: Part) -> Part:
        return Part(self.num + other.num, self.den + other.den)


def _dialect(session: AsyncSession) -> str:
    return session.get_bind().dialect.name


def _yes(condition: ColumnElement[bool]) -> ColumnElement[int]:
    return func.sum(case((condition, 1), else_=0))


async def _parts(session: AsyncSession, stmt: Any) -> dict[int, Part]:
    """``stmt`` selects (branch, num, den) grouped by branch."""
    return {int(b): Part(int(n or 0), int(d or 0)) for b, n, d in (await session.execute(stmt)).all()}


async def people(session: AsyncSession) -> dict[int, int]:
    """Active people per branch (committee officers included: they belong to a branch too)."""
    stmt = select(Person.branch_id, func.count()).where(Person.active.is_(True)).group_by(Person.branch_id)
    return {int(b): int(n) for b, n in (await session.execute(stmt)).all()}


def _visited(person: Any, branch: Any, since: Any, until: Any, *, after: bool = False) -> ColumnElement[bool]:
    """A visit to ``person`` in ``branch`` dated from ``since`` (after it, with ``after``) to ``until``."""
    v = aliased(Visit)
    start = v.visited_on > since if after else v.visited_on >= since
    return exists().where(v.branch_id == branch, v.person == person, start, v.visited_on <= until)


async def coverage(session: AsyncSession, day: date) -> dict[int, Part]:
    """Active people in someone's 责任区 visited in the ``COVERAGE_DAYS`` up to ``day`` / those people.

    The visited are one set (a join), not a lookup per person: a month's visits are few next to everyone.
    """
    seen = (select(Visit.branch_id, Visit.person).distinct()
            .where(Visit.visited_on >= day - timedelta(days=COVERAGE_DAYS), Visit.visited_on <= day).subquery())
    stmt = (select(Person.branch_id, func.count(seen.c.person), func.count())
            .outerjoin(seen, and_(seen.c.person == Person.userid, seen.c.branch_id == Person.branch_id))
            .where(Person.active.is_(True), Person.zone_member.is_not(None)).group_by(Person.branch_id))
    return await _parts(session, stmt)


async def open_deeds(session: AsyncSession, now: datetime) -> dict[int, Part]:
    """Deeds overdue now (``num``; ``storage.deeds.is_overdue``) of those not closed (``den``)."""
    stmt = (select(Item.branch_id, _yes(overdue_clause(now)), func.count())
            .where(Item.kind == ItemKind.DEED, Item.status.in_(ACTIVE)).group_by(Item.branch_id))
    return await _parts(session, stmt)


async def satisfaction(session: AsyncSession, start: datetime, end: datetime) -> dict[int, Part]:
    """Satisfied closes (``confirmed``) / all closes (incl. 书记销号) and reopens in ``[start, end)``."""
    kinds = (EventKind.CONFIRMED, EventKind.CLOSED_BY_HAND, EventKind.REOPENED)
    stmt = (select(ItemEvent.branch_id, _yes(ItemEvent.kind == EventKind.CONFIRMED), func.count())
            .where(ItemEvent.kind.in_(kinds), ItemEvent.at >= start, ItemEvent.at < end)
            .group_by(ItemEvent.branch_id))
    return await _parts(session, stmt)


async def follow_ups(session: AsyncSession, first: date, last: date, as_of_day: date, tz: tzinfo,
                     at: datetime) -> dict[int, Part]:
    """Follow-ups due in ``[first, last]`` done by their due date / those due (already due by ``as_of_day``,
    or done). The three kinds of the team score, in one ``UNION ALL``."""
    dialect = _dialect(session)

    def day_of(column: Any) -> ColumnElement[date]:
        return local_date(column, tz, dialect, at)

    t = VisitTask
    task_ok = or_(and_(t.status == TaskStatus.DONE, t.done_at.is_not(None), day_of(t.done_at) <= t.due_date),
                  _visited(t.person, t.branch_id, day_of(t.created_at), t.due_date))
    tasks = select(t.branch_id.label("branch"), _flag(task_ok), t.due_date.label("due")).where(
        t.status != TaskStatus.CANCELLED, t.due_date >= first, t.due_date <= last)
    v = aliased(Visit)
    visits = select(v.branch_id, _flag(_visited(v.person, v.branch_id, v.visited_on, v.next_date, after=True)),
                    v.next_date).where(v.entry_id.is_not(None), v.next_date >= first, v.next_date <= last)
    e = CareEntry
    later = aliased(Visit)
    entries = select(e.branch_id, _flag(_visited(e.person, e.branch_id, day_of(e.created_at), e.next_follow_up)),
                     e.next_follow_up).where(e.status == CareStatus.ACTIVE, e.next_follow_up >= first,
                                             e.next_follow_up <= last, ~exists().where(later.entry_id == e.id))
    due = union_all(tasks, visits, entries).subquery()
    counted = or_(due.c.ok == 1, due.c.due < as_of_day)  # done, or due already
    stmt = select(due.c.branch, func.sum(due.c.ok), func.count()).where(counted).group_by(due.c.branch)
    return await _parts(session, stmt)


def _flag(condition: ColumnElement[bool]) -> Any:
    return case((condition, 1), else_=0).label("ok")


def _on_time(done: Any, deadline_s: ColumnElement[float], created_plus: Any, as_of: datetime,
             dialect: str) -> tuple[ColumnElement[bool], ColumnElement[bool]]:
    """(done by the deadline, outcome known): known once done (by ``as_of``) or the deadline passed."""
    done_by_then = and_(done.is_not(None), done <= as_of)
    return and_(done_by_then, epoch(done, dialect) <= deadline_s), or_(done_by_then, created_plus)


async def response(session: AsyncSession, start: datetime, end: datetime, as_of: datetime) -> dict[int, Part]:
    """Deeds created in ``[start, end)``: first response within 1 working day / those whose outcome is known."""
    dialect = _dialect(session)
    deadline = epoch(Item.created_at, dialect) + deadline_days(Item.created_at, start, end,
                                                               RESPONSE_WORKING_DAYS) * 86400
    ok, known = _on_time(Item.first_response_at, deadline, deadline <= as_of.timestamp(), as_of, dialect)
    stmt = (select(Item.branch_id, _yes(ok), _yes(known))
            .where(Item.kind == ItemKind.DEED, Item.created_at >= start, Item.created_at < end)
            .group_by(Item.branch_id))
    return await _parts(session, stmt)


async def incidents(session: AsyncSession, start: datetime, end: datetime, as_of: datetime) -> dict[int, Part]:
    """Incidents reported in ``[start, end)``: acknowledged within 30 minutes / those whose outcome is known."""
    dialect = _dialect(session)
    deadline = epoch(Item.created_at, dialect) + INCIDENT_ACK_WITHIN.total_seconds()
    ok, known = _on_time(Item.first_response_at, deadline, Item.created_at <= as_of - INCIDENT_ACK_WITHIN,
                         as_of, dialect)
    stmt = (select(Item.branch_id, _yes(ok), _yes(known))
            .where(Item.kind == ItemKind.INCIDENT, Item.created_at >= start, Item.created_at < end)
            .group_by(Item.branch_id))
    return await _parts(session, stmt)


async def participation(session: AsyncSession, start: datetime, end: datetime) -> dict[int, int]:
    """Distinct active people of the branch who attended a training or an activity (not cancelled)
    starting in ``[start, end)``."""
    stmt = (select(Signup.branch_id, func.count(distinct(Signup.userid)))
            .join(Gathering, Gathering.id == Signup.event_id)
            .join(Person, and_(Person.userid == Signup.userid, Person.branch_id == Signup.branch_id))
            .where(Signup.status == SignupStatus.SIGNED, Signup.attended.is_(True), Person.active.is_(True),
                   Gathering.status != GatheringStatus.CANCELLED, Gathering.starts_at >= start,
                   Gathering.starts_at < end)
            .group_by(Signup.branch_id))
    return {int(b): int(n) for b, n in (await session.execute(stmt)).all()}


async def attention(session: AsyncSession) -> dict[int, int]:
    """People with an active entry in the key-attention ledger, per branch: a count, never who or why."""
    stmt = (select(CareEntry.branch_id, func.count(distinct(CareEntry.person)))
            .where(CareEntry.status == CareStatus.ACTIVE).group_by(CareEntry.branch_id))
    return {int(b): int(n) for b, n in (await session.execute(stmt)).all()}
