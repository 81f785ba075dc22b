"""The key-attention ledger (重点关注人群台账): entries, tips, and every change of their status.

Every change is written to the audit log here, so no caller can forget it. Audit details never carry
the summary or the category (health and family details), only what changed.

Pending tips (a colleague told us about someone else) are stored as a ``CareEntry`` with status
``proposed`` and source ``tip``: the entry already holds what an accepted tip needs (person,
category, summary, responsible member, tipster in ``created_by``). ``T{n}`` is the entry id.

A status change re-reads the row ``FOR UPDATE`` (PostgreSQL; SQLite serialises writers) and asks
:func:`storage.care.lifecycle.check` before writing: of two people deciding one tip at the same
moment, the second gets a clear refusal.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from functools import cache
from typing import Any

from sqlalchemy import Date, String, bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.locking import lock_row
from storage import audit, scope
from storage.care.lifecycle import Action, CareCategory, CareSource, CareStatus, TaskAction, check, interval_for
from storage.care.models import CareEntry
from storage.care.tasks import finish_task, open_tasks
from storage.people.models import Person
from storage.workdays import kept_on

MAX_ID = 2**31 - 1  # an INTEGER column


async def responsible_for(session: AsyncSession, userid: str) -> str | None:
    """The person's zone member; failing that, the (first) secretary."""
    person = await session.get(Person, userid)
    if person is not None and person.zone_member:
        return person.zone_member
    return (await session.execute(
        select(Person.userid).where(Person.role == "secretary").order_by(Person.userid).limit(1)
    )).scalar_one_or_none()


async def create_entry(session: AsyncSession, now: datetime, *, person: str, category: str, responsible: str,
                       summary: str, source: CareSource, created_by: str, due: date | None = None,
                       status: CareStatus = CareStatus.ACTIVE, sensitive: bool = True) -> CareEntry:
    """Add a ledger entry (or a proposed one, for a tip). ``due`` wins when it is sooner."""
    kind = CareCategory.of(category)
    interval = interval_for(kind)
    next_follow_up = None
    if status == CareStatus.ACTIVE:
        next_follow_up = now.date() + timedelta(days=interval)
        if due is not None and now.date() <= due < next_follow_up:
            next_follow_up = due
        next_follow_up = kept_on(next_follow_up, now.date())  # a promised date is a working day
    entry = CareEntry(person=person, category=kind, responsible=responsible, status=status,
                      sensitive=sensitive, interval_days=interval, next_follow_up=next_follow_up,
                      summary=summary, source=source, created_by=created_by, created_at=now)
    session.add(entry)
    await session.flush()
    action = "proposed" if status == CareStatus.PROPOSED else "created"
    await audit.record(session, now, created_by, action, "care_entry", entry.id,
                       f"status={status} source={source} responsible={responsible}")
    return entry


async def get_entry(session: AsyncSession, entry_id: int) -> CareEntry | None:
    """The entry ``entry_id`` (``T{n}``); None for a number no entry can have."""
    if not 0 < entry_id <= MAX_ID:
        return None
    return await session.get(CareEntry, entry_id)




async def _apply(session: AsyncSession, now: datetime, entry: CareEntry, action: Action, actor: str) -> CareStatus:
    """Lock, check, move, record. Returns the status before."""
    await lock_row(session, entry)
    before = CareStatus(entry.status)
    entry.status = check(action, entry.id, before)
    await audit.record(session, now, actor, _AUDIT[action], "care_entry", entry.id,
                       f"status={before}->{entry.status}")
    return before


_AUDIT = {Action.ACCEPT: "accepted", Action.DECLINE: "declined", Action.RESOLVE: "resolved"}


async def accept_tip(session: AsyncSession, now: datetime, entry: CareEntry, actor: str) -> CareEntry:
    """A proposed entry joins the ledger."""
    await _apply(session, now, entry, Action.ACCEPT, actor)
    entry.next_follow_up = kept_on(now.date() + timedelta(days=entry.interval_days), now.date())
    await session.flush()
    return entry


async def decline_tip(session: AsyncSession, now: datetime, entry: CareEntry, actor: str) -> None:
    await _apply(session, now, entry, Action.DECLINE, actor)
    entry.resolved_at = now
    await session.flush()


async def resolve_entry(session: AsyncSession, now: datetime, entry: CareEntry, actor: str) -> None:
    """The entry leaves the ledger; its open visit tasks are cancelled."""
    await _apply(session, now, entry, Action.RESOLVE, actor)
    entry.resolved_at = now
    await session.flush()
    for task in await open_tasks(session, person=entry.person, lock=True):
        if task.entry_id == entry.id:
            await finish_task(session, now, task, actor, TaskAction.CANCEL)


async def open_tips(session: AsyncSession, responsible: str) -> list[CareEntry]:
    """Tips waiting for ``responsible``'s decision, oldest first."""
    rows = await session.execute(select(CareEntry).where(
        CareEntry.status == CareStatus.PROPOSED, CareEntry.responsible == responsible).order_by(CareEntry.id))
    return list(rows.scalars())


async def active_entries_of(session: AsyncSession, person: str) -> list[CareEntry]:
    """The person's entries in the ledger, oldest first."""
    rows = await session.execute(select(CareEntry).where(
        CareEntry.person == person, CareEntry.status == CareStatus.ACTIVE).order_by(CareEntry.id))
    return list(rows.scalars())


async def ledger(session: AsyncSession, *, responsible: str | None = None,
                 due_by: date | None = None) -> list[CareEntry]:
    """Active entries (all, or those one member is responsible for), soonest follow-up first."""
    given = {"responsible": responsible, "due_by": due_by}
    params = {k: v for k, v in given.items() if v is not None}
    return list((await scope.execute(session, _ledger, frozenset(params), **params)).scalars())


@cache
def _ledger(bound: bool, given: frozenset[str]) -> Any:
    """:func:`ledger`'s statement for the filters ``given``, built once (/我的 and visit reports read it)."""
    stmt = select(CareEntry).where(CareEntry.status == CareStatus.ACTIVE.value)
    if "responsible" in given:
        stmt = stmt.where(CareEntry.responsible == bindparam("responsible", type_=String))
    if "due_by" in given:
        stmt = stmt.where(CareEntry.next_follow_up.is_not(None),
                          CareEntry.next_follow_up <= bindparam("due_by", type_=Date))
    stmt = stmt.order_by(CareEntry.next_follow_up, CareEntry.id)
    return scope.bound(stmt, CareEntry) if bound else stmt


async def set_follow_up(session: AsyncSession, now: datetime, entry: CareEntry, actor: str, day: date) -> None:
    """The entry's next follow-up: ``day``, or the working day it is kept on when it is a day off."""
    day = kept_on(day, now.date())
    entry.next_follow_up = day
    await session.flush()
    await audit.record(session, now, actor, "follow_up_set", "care_entry", entry.id, f"next={day}")
