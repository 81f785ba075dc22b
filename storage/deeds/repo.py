"""Practical-deed items (办实事清单): numbering, creation, due dates, reads.

Due dates: ``DUE_WORKING_DAYS`` gives the resolution target per category in *working days*
(weekends and official Chinese holidays skipped, ``storage.workdays``); the item is due at
``DUE_HOUR`` local time that day. State changes are in ``storage.deeds.actions``.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import Any
from datetime import date, datetime, time, timedelta, timezone

from sqlalchemy import Integer, String, bindparam, case, func, insert, inspect, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage import audit, numbering, scope
from storage.deeds.lifecycle import ACTIVE, WORKING, DeedStatus, EventKind, ItemKind
from storage.deeds.models import Item, ItemEvent
from storage.deeds.similarity import make_title, most_similar
from storage.scope import branch_of
from storage.workdays import add_working_days

COUNTER = "item"

# Resolution target per category, in working days.
DUE_WORKING_DAYS: dict[str, int] = {
    "safety": 2,
    "canteen": 5,
    "facilities": 5,
    "housing": 5,
    "commute": 10,
    "pay_welfare": 10,
    "workload": 10,
    "other": 5,
}
DEFAULT_DUE_WORKING_DAYS = 5
DUE_HOUR = 18  # local time on the due day
ACCEPT_WITHIN = timedelta(days=1)  # not accepted within this is overdue too


def due_at(category: str, now: datetime) -> datetime:
    """When an item of ``category`` created at ``now`` (aware, local) should be resolved."""
    days = DUE_WORKING_DAYS.get(category, DEFAULT_DUE_WORKING_DAYS)
    day: date = add_working_days(now.date(), days)
    return datetime.combine(day, time(DUE_HOUR), tzinfo=now.tzinfo or timezone.utc)


def is_overdue(item: Item, now: datetime) -> bool:
    """Past its due time while the owner still has work, or not accepted within a day (deeds only)."""
    if item.kind != ItemKind.DEED or item.status not in WORKING:
        return False
    if item.due_at is not None and item.due_at < now:
        return True
    return item.status == DeedStatus.SUBMITTED and item.created_at + ACCEPT_WITHIN < now


async def next_number(session: AsyncSession) -> int:
    """Allocate the next ``#N`` (shared by deeds and incidents), safe under concurrency."""
    return await numbering.next_number(session, COUNTER, Item.number)


# --- reads -----------------------------------------------------------------------


_BY_NUMBER = "items_by_number"  # session.info: (transaction, {(branch, number): item}) found in this transaction


async def get_by_number(session: AsyncSession, n: int) -> Item | None:
    """The item numbered ``#n`` (any kind), or None. Found once per transaction and number (the duty router
    and 办实事 both look at "#N …"): the ORM would hand back the same object from its identity map anyway."""
    if not numbering.in_range(n):
        return None
    sync = session.sync_session
    memo = sync.info.get(_BY_NUMBER)
    if memo is None or memo[0] is not sync.get_transaction():
        memo = sync.info[_BY_NUMBER] = (sync.get_transaction(), {})
    key = (branch_of(session), n)
    item = memo[1].get(key)
    if item is not None and item in sync and not inspect(item).expired_attributes:
        return item
    item = (await scope.execute(session, _by_number, number=n)).scalar_one_or_none()
    if item is not None:
        memo[1][key] = item
    return item


@cache
def _by_number(bound: bool) -> Any:
    stmt = select(Item).where(Item.number == bindparam("number", type_=Integer))
    return scope.bound(stmt, Item) if bound else stmt


async def get_deed(session: AsyncSession, n: int) -> Item | None:
    """The deed numbered ``#n`` (None for an incident or a number not in use)."""
    item = await get_by_number(session, n)
    return item if item is not None and item.kind == ItemKind.DEED else None


async def list_items(
    session: AsyncSession,
    *,
    status: str | Sequence[str] | None = None,
    owner: str | None = None,
    category: str | None = None,
    requester: str | None = None,
    overdue_at: datetime | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    kind: str | None = ItemKind.DEED,
    limit: int = 50,
    offset: int = 0,
) -> list[Item]:
    """Items, newest first.

    Args:
        status: one status or several.
        overdue_at: only items still being worked on whose ``due_at`` is before this time.
        since, until: bounds on ``created_at`` (``until`` exclusive).
        kind: ``deed``, ``incident`` or None for both.
    """
    stmt = select(Item)
    if kind is not None:
        stmt = stmt.where(Item.kind == kind)
    if status is not None:
        stmt = stmt.where(Item.status == status) if isinstance(status, str) else stmt.where(Item.status.in_(status))
    if owner is not None:
        stmt = stmt.where(Item.owner == owner)
    if category is not None:
        stmt = stmt.where(Item.category == category)
    if requester is not None:
        stmt = stmt.where(Item.requester == requester)
    if overdue_at is not None:
        stmt = stmt.where(Item.status.in_(WORKING), Item.due_at.is_not(None), Item.due_at < overdue_at)
    if since is not None:
        stmt = stmt.where(Item.created_at >= since)
    if until is not None:
        stmt = stmt.where(Item.created_at < until)
    stmt = stmt.order_by(Item.number.desc()).limit(limit).offset(offset)
    return list((await session.execute(stmt)).scalars())


async def open_count(session: AsyncSession, userid: str) -> int:
    """How many deeds ``userid`` still works on plus those they asked for still being worked on (at most 20
    of those): ``len(open_for_owner) + len(list_items(requester=…, status=WORKING, limit=20))``, one statement.
    It runs for most messages (with the parse): read along with the sender's row when they wrote
    (``storage.inbox.claim_next``, :func:`remember_open_count`: taken once), else a Core statement built
    once, its branch bound like the session's scope would add it."""
    sync = session.sync_session
    read = sync.info.pop(_OPEN_READ, None)
    if read is not None and read[0] is sync.get_transaction() and read[1] == (branch_of(session), userid):
        return int(read[2])
    branch = branch_of(session)
    params: dict[str, Any] = {"userid": userid} if branch is None else {"userid": userid, "branch": branch}
    conn = await session.connection()
    return int((await conn.execute(_open_count(branch is not None), params)).scalar_one())


_OPEN_READ = "open_count_read"  # session.info: (transaction, (branch, userid), count) read with the sender's row


def remember_open_count(session: AsyncSession, branch: int | None, userid: str, value: int) -> None:
    """:func:`open_count` of ``userid`` in ``branch``, read in this transaction along with something else: the
    next :func:`open_count` of theirs in this transaction (and only the next: it may have changed by then)
    needs no statement."""
    sync = session.sync_session
    sync.info[_OPEN_READ] = (sync.get_transaction(), (branch, userid), int(value))


def open_count_column(userid: Any, branch: Any) -> Any:
    """:func:`open_count` as a column expression of a bound ``userid`` and a ``branch`` column of the enclosing
    query (correlated: no derived table, so the caps are applied to the counts)."""
    table = Item.__table__

    def working(column: Any, cap: int) -> Any:
        n = func.count()
        return (select(case((n > cap, cap), else_=n))
                .where(table.c.kind == ItemKind.DEED.value, column == userid, table.c.branch_id == branch,
                       or_(*(table.c.status == s.value for s in WORKING)))
                .scalar_subquery())
    return working(table.c.owner, 500) + working(table.c.requester, 20)


def _open_expression(userid: Any, branch: Any | None) -> Any:
    table = Item.__table__

    def working(column: Any, limit: int) -> Any:
        query = select(table.c.id).where(table.c.kind == ItemKind.DEED.value, column == userid,
                                         or_(*(table.c.status == s.value for s in WORKING)))  # no IN to expand per call
        if branch is not None:
            query = query.where(table.c.branch_id == branch)
        return select(func.count()).select_from(query.limit(limit).subquery()).scalar_subquery()
    return working(table.c.owner, 500) + working(table.c.requester, 20)


@cache
def _open_count(scoped: bool) -> Any:
    return select(_open_expression(bindparam("userid", type_=String),
                                   bindparam("branch", type_=Integer) if scoped else None))


async def open_for_owner(session: AsyncSession, owner: str) -> list[Item]:
    """Deeds ``owner`` still has to work on (not resolved, not closed), oldest first."""
    items = await list_items(session, owner=owner, status=WORKING, limit=500)
    return sorted(items, key=lambda i: i.number)


async def awaiting_confirmation(session: AsyncSession, requester: str) -> list[Item]:
    """Resolved deeds waiting for ``requester``'s confirmation, oldest first."""
    items = await list_items(session, requester=requester, status=DeedStatus.RESOLVED, limit=500)
    return sorted(items, key=lambda i: i.number)


async def find_duplicate(session: AsyncSession, requester: str, text: str, category: str) -> Item | None:
    """The requester's most similar not-yet-closed deed (of their latest 200), if similar enough."""
    items = (await scope.execute(session, _not_closed_of, requester=requester)).scalars()
    return most_similar(text, category, list(items))


@cache
def _not_closed_of(bound: bool) -> Any:
    """``list_items(requester=…, status=ACTIVE, limit=200)``, built once: every new request reads it."""
    stmt = (select(Item).where(Item.kind == ItemKind.DEED.value, Item.requester == bindparam("requester", type_=String),
                               or_(*(Item.status == s.value for s in ACTIVE)))  # no IN to expand per call
            .order_by(Item.number.desc()).limit(200))
    return scope.bound(stmt, Item) if bound else stmt


async def history(session: AsyncSession, item_id: int) -> list[ItemEvent]:
    """The item's events, oldest first."""
    stmt = select(ItemEvent).where(ItemEvent.item_id == item_id).order_by(ItemEvent.at, ItemEvent.id)
    return list((await session.execute(stmt)).scalars())


# --- creation --------------------------------------------------------------------


async def add_event(session: AsyncSession, item: Item, *, now: datetime, actor: str, kind: EventKind,
                    note: str = "", from_status: str | None = None, to_status: str | None = None) -> None:
    """One history row and its audit line."""
    values, detail = _event(item, now, actor, kind, note, from_status, to_status)
    session.add(ItemEvent(**values))
    await audit.record(session, now, actor, f"item_{kind}", "item", item.id, detail)


def _event(item: Item, now: datetime, actor: str, kind: EventKind, note: str, from_status: str | None,
           to_status: str | None) -> tuple[dict[str, Any], str]:
    """An event row's values and its audit line's detail."""
    values = dict(item_id=item.id, at=now, actor=actor, kind=kind, note=note, from_status=from_status,
                  to_status=to_status)
    return values, f"#{item.number} {from_status}->{to_status}" if to_status else f"#{item.number}"


async def create(session: AsyncSession, *, now: datetime, requester: str, owner: str | None, text: str,
                 category: str = "other", urgent: bool = False, team: str = "", title: str | None = None) -> Item:
    """A new deed with the next number, status ``submitted``, and its ``created`` event."""
    number = await next_number(session)
    item = Item(number=number, kind=ItemKind.DEED, category=category, requester=requester, owner=owner, team=team,
                title=title or make_title(text), text=text, status=DeedStatus.SUBMITTED, urgent=urgent,
                created_at=now, updated_at=now, due_at=due_at(category, now), reopen_count=0)
    session.add(item)
    await session.flush()
    # its first history row and its audit line (add_event's) as two plain INSERTs, not a second flush: every new
    # request comes here
    kind = EventKind.CREATED
    values, detail = _event(item, now, requester, kind, f"owner={owner or ''}", None, DeedStatus.SUBMITTED)
    await (await session.connection()).execute(_event_insert(), {**values, "branch_id": item.branch_id})
    await audit.write(session, now, requester, f"item_{kind}", "item", item.id, detail)
    return item


@cache
def _event_insert() -> Any:
    return insert(ItemEvent.__table__)
