"""Read-side queries over items for the admin API, the export, the workbench, the digest and the sweeps."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from typing import Any, NamedTuple

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from storage.deeds.models import Item, ItemEvent
from storage.deeds.lifecycle import ACTIVE, WORKING, DeedStatus, EventKind, ItemKind
from storage.duty.lifecycle import IncidentStatus
from storage.deeds.repo import ACCEPT_WITHIN
from storage.months import day_start, month_start, per_month
from storage.paging import Page, page
from storage.people.models import Person
from storage.sqlsets import plain_rows

# Items are deeds and incidents (same table, same numbers): their statuses (``closed`` once), and those not closed.
ITEM_STATUSES: tuple[DeedStatus | IncidentStatus, ...] = tuple(dict.fromkeys([*DeedStatus, *IncidentStatus]))
ITEM_OPEN: tuple[DeedStatus | IncidentStatus, ...] = (*ACTIVE, IncidentStatus.OPEN, IncidentStatus.ACKNOWLEDGED)


def overdue_clause(now: Any, accept_before: Any = None) -> ColumnElement[bool]:
    """``repo.is_overdue`` in SQL: a deed past due while worked on, or not accepted within a day (created before
    ``accept_before``: ``now - ACCEPT_WITHIN`` unless given, e.g. as a bound parameter along with ``now``)."""
    if accept_before is None:
        accept_before = now - ACCEPT_WITHIN
    return and_(Item.kind == ItemKind.DEED, Item.status.in_(WORKING), or_(
        and_(Item.due_at.is_not(None), Item.due_at < now),
        and_(Item.status == DeedStatus.SUBMITTED, Item.created_at < accept_before)))


def _number_or_words(text: str) -> ColumnElement[bool]:
    """``#12`` / ``12`` (that number, or those characters in a title or text) or words of a title or text."""
    number = text.lstrip("#＃").strip()
    words = or_(Item.title.contains(text, autoescape=True), Item.text.contains(text, autoescape=True))
    return or_(Item.number == int(number), words) if number.isdigit() and len(number) < 9 else words


async def items(session: AsyncSession, *, now: datetime, status: Sequence[str] | None = None,
                owner: str | None = None, category: str | None = None, kind: str | None = None,
                overdue: bool | None = None, created_from: datetime | None = None,
                created_to: datetime | None = None, closed_from: datetime | None = None,
                closed_to: datetime | None = None, satisfaction: str | None = None, text: str | None = None,
                team: str | None = None, scope: ColumnElement[bool] | None = None, newest_first: bool = False,
                limit: int | None = 50, offset: int = 0) -> Page[Item]:
    """Items by number (``newest_first``: the highest first) and how many match.

    ``created_to`` and ``closed_to`` are exclusive; ``overdue`` uses ``repo.is_overdue``'s rule; ``text`` is
    an ``#N`` or words of the title or text; ``team`` the team's as a team record counts them (deeds of its
    people, its incidents); ``scope`` is a visibility condition (the workbench's viewer).
    """
    stmt = select(Item).order_by(Item.number.desc() if newest_first else Item.number)
    if scope is not None:
        stmt = stmt.where(scope)
    if status:
        stmt = stmt.where(Item.status.in_(list(status)))
    for column, value in ((Item.owner, owner), (Item.category, category), (Item.kind, kind),
                          (Item.satisfaction, satisfaction)):
        if value:
            stmt = stmt.where(column == value)
    for column, low, high in ((Item.created_at, created_from, created_to), (Item.closed_at, closed_from, closed_to)):
        if low is not None:
            stmt = stmt.where(column >= low)
        if high is not None:
            stmt = stmt.where(column < high)
    if overdue is not None:
        late = overdue_clause(now)
        stmt = stmt.where(late if overdue else ~late)
    if text:
        stmt = stmt.where(_number_or_words(text))
    if team:
        members = select(Person.userid).where(Person.team == team).scalar_subquery()
        stmt = stmt.where(((Item.kind == ItemKind.DEED) & Item.requester.in_(members))
                          | ((Item.kind == ItemKind.INCIDENT) & (Item.team == team)))
    return await page(session, stmt, limit, offset)



async def item(session: AsyncSession, number: int) -> tuple[Item, list[ItemEvent]] | None:
    """One item by ``#N`` with its history, oldest first."""
    found = (await session.execute(select(Item).where(Item.number == number))).scalar_one_or_none()
    if found is None:
        return None
    events = await session.execute(
        select(ItemEvent).where(ItemEvent.item_id == found.id).order_by(ItemEvent.at, ItemEvent.id))
    return found, list(events.scalars())


class OpenDeed(NamedTuple):
    """What the sweeps need of an open deed: plain columns (no ORM object, no text), by the 100,000."""

    number: int
    title: str
    status: str
    owner: str | None
    requester: str
    urgent: bool
    created_at: datetime
    first_response_at: datetime | None
    due_at: datetime | None
    resolved_at: datetime | None


async def open_deeds(session: AsyncSession) -> list[OpenDeed]:
    """Deeds not closed yet (the owner still works on them, or the requester has to confirm), by number."""
    rows = await session.execute(
        select(*(getattr(Item, f) for f in OpenDeed._fields))
        .where(Item.kind == ItemKind.DEED, Item.status.in_((*WORKING, DeedStatus.RESOLVED))).order_by(Item.number)
    )
    return [OpenDeed._make(r) for r in rows.all()]


OPEN_DEEDS = "open_deeds"  # the sweeps' name for what they share of :func:`open_deeds` (schedules.context)


async def open_deeds_by_branch(session: AsyncSession) -> dict[int, list[OpenDeed]]:
    """branch -> :func:`open_deeds` of that branch, for every branch the session sees, in one query."""
    rows = await plain_rows(session, select(Item.branch_id, *(getattr(Item, f) for f in OpenDeed._fields))
                            .where(Item.kind == ItemKind.DEED, Item.status.in_((*WORKING, DeedStatus.RESOLVED)))
                            .order_by(Item.number), Item)
    out: dict[int, list[OpenDeed]] = {}
    new = tuple.__new__
    for b, *r in rows:
        out.setdefault(b, []).append(new(OpenDeed, r))
    return out


@dataclass(frozen=True)
class DeedFigures:
    new: int
    resolved: int
    closed: int
    reopened: int
    overdue: int
    satisfied: int
    unsatisfied: int

    @property
    def satisfaction(self) -> float | None:
        total = self.satisfied + self.unsatisfied
        return self.satisfied / total if total else None


async def deed_figures(session: AsyncSession, start: datetime, end: datetime, now: datetime) -> DeedFigures:
    """Deed figures for ``[start, end)``; overdue counts as of ``now``."""
    rows = list((await session.execute(select(Item).where(Item.kind == ItemKind.DEED))).scalars())
    reopen_events = (await session.execute(
        select(func.count()).select_from(ItemEvent).where(
            ItemEvent.to_status == DeedStatus.REOPENED, ItemEvent.at >= start, ItemEvent.at < end)
    )).scalar_one()

    def within(t: datetime | None) -> bool:
        return t is not None and start <= t < end

    return DeedFigures(
        new=sum(within(i.created_at) for i in rows),
        resolved=sum(within(i.resolved_at) for i in rows),
        closed=sum(within(i.closed_at) for i in rows),
        reopened=int(reopen_events),
        overdue=sum(1 for i in rows if i.status in WORKING and i.due_at is not None and i.due_at < now),
        satisfied=sum(1 for i in rows if within(i.closed_at) and i.satisfaction == "satisfied"),
        unsatisfied=int(reopen_events),
    )


# --- the workbench's overview: aggregates ------------------------------------------------------


@dataclass(frozen=True)
class ItemCounts:
    active: int  # deeds not closed
    overdue: int
    closed_month: int  # deeds closed this month
    incidents_month: int
    incidents_open: int


async def item_counts(session: AsyncSession, now: datetime, tz: tzinfo) -> ItemCounts:
    """Deeds open, overdue and closed this month; incidents reported this month and still open."""
    month = day_start(month_start(now.astimezone(tz).date()), tz)
    deed, incident = Item.kind == ItemKind.DEED, Item.kind == ItemKind.INCIDENT
    stmt = select(
        func.sum(case((and_(deed, Item.status != DeedStatus.CLOSED), 1), else_=0)),
        func.sum(case((overdue_clause(now), 1), else_=0)),
        func.sum(case((and_(deed, Item.closed_at >= month), 1), else_=0)),
        func.sum(case((and_(incident, Item.created_at >= month), 1), else_=0)),
        func.sum(case((and_(incident, Item.status != IncidentStatus.CLOSED), 1), else_=0)))
    return ItemCounts(*(int(v or 0) for v in (await session.execute(stmt)).one()))


SATISFIED, UNSATISFIED = (EventKind.CONFIRMED,), (EventKind.CLOSED_BY_HAND, EventKind.REOPENED)


async def satisfaction_by_month(session: AsyncSession, months: Sequence[date], tz: tzinfo) -> list[float | None]:
    """Satisfied closes / (closes + closes by hand + reopens) per month, in %, from the items' history."""
    good, bad = await per_month(session, months, ItemEvent.at, [ItemEvent.kind.in_(SATISFIED),
                                                                ItemEvent.kind.in_(UNSATISFIED)],
                                [ItemEvent.kind.in_((*SATISFIED, *UNSATISFIED))], ItemEvent, tz)
    return [round(100 * g / (g + b), 1) if g + b else None for g, b in zip(good, bad)]


async def incidents_by_month(session: AsyncSession, months: Sequence[date], tz: tzinfo) -> list[int]:
    (counts,) = await per_month(session, months, Item.created_at, [Item.id.is_not(None)],
                                [Item.kind == ItemKind.INCIDENT], Item, tz)
    return counts
