"""Practical-deed items (办实事清单): numbering, lifecycle, routing, history, duplicates.

Handlers decide who may do what and what to say; this module does every write
(item row, ``ItemEvent`` history row, audit line) inside the caller's session.

Lifecycle of a deed::

    submitted -> accepted -> in_progress -> resolved -> closed
                     ^            ^            |
                     +--- reopened <-----------+ (requester not satisfied)

Due dates: ``DUE_WORKING_DAYS`` gives the resolution target per category in
*working days* (weekends and official Chinese holidays skipped, via
``storage.workdays``); the item is due at ``DUE_HOUR`` local time that day.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, datetime, time, timedelta, timezone
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from storage.workdays import add_working_days
from storage import audit
from storage.deeds.models import Item, ItemEvent, Routing
from storage.models import Counter

COUNTER = "item"

STATUS_CN: dict[str, str] = {
    "submitted": "已受理待接单",
    "accepted": "已接单",
    "in_progress": "办理中",
    "resolved": "已办好待确认",
    "closed": "已办结",
    "reopened": "重新办理",
    # incidents (kind="incident")
    "open": "待处理",
    "acknowledged": "已响应",
}

# The owner still has work to do.
WORKING = ("submitted", "accepted", "in_progress", "reopened")
# Not closed yet (includes items waiting for the requester's confirmation).
ACTIVE = (*WORKING, "resolved")

CATEGORY_CN: dict[str, str] = {
    "canteen": "食堂",
    "facilities": "设施",
    "commute": "通勤",
    "pay_welfare": "薪酬福利",
    "safety": "安全",
    "housing": "住宿",
    "workload": "工作量",
    "other": "其他",
}
CATEGORY_BY_CN: dict[str, str] = {v: k for k, v in CATEGORY_CN.items()}

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

# Duplicate detection: character-bigram Jaccard, plus a bonus for the same category.
DUPLICATE_THRESHOLD = 0.3
SAME_CATEGORY_BONUS = 0.15

TITLE_LIMIT = 30


def category_of(word: str) -> str | None:
    """``canteen`` or ``食堂`` -> ``canteen``; None when not a category."""
    word = word.strip().lower()
    if word in CATEGORY_CN:
        return word
    return CATEGORY_BY_CN.get(word)


def make_title(text: str, limit: int = TITLE_LIMIT) -> str:
    """The first clause of ``text``, at most ``limit`` characters."""
    cleaned = text.strip()
    first = re.split(r"[，,。.！!？?；;\n]", cleaned, maxsplit=1)[0].strip() or cleaned
    return first if len(first) <= limit else first[: limit - 1] + "…"


def due_at(category: str, now: datetime) -> datetime:
    """When an item of ``category`` created at ``now`` (aware, local) should be resolved."""
    days = DUE_WORKING_DAYS.get(category, DEFAULT_DUE_WORKING_DAYS)
    day: date = add_working_days(now.date(), days)
    tz = now.tzinfo or timezone.utc
    return datetime.combine(day, time(DUE_HOUR), tzinfo=tz)


def is_overdue(item: Item, now: datetime) -> bool:
    """Past its due time while the owner still has work, or not accepted within a day (deeds only)."""
    if item.kind != "deed" or item.status not in WORKING:
        return False
    if item.due_at is not None and item.due_at < now:
        return True
    return item.status == "submitted" and item.created_at + ACCEPT_WITHIN < now


# --- similarity ------------------------------------------------------------------

_NOISE = re.compile(r"[\s\W_]+", re.UNICODE)


def _bigrams(text: str) -> set[str]:
    s = _NOISE.sub("", text.lower())
    if len(s) < 2:
        return {s} if s else set()
    return {s[i:i + 2] for i in range(len(s) - 1)}


def similarity(a: str, b: str) -> float:
    """Character-bigram Jaccard similarity of two texts, 0..1."""
    x, y = _bigrams(a), _bigrams(b)
    if not x or not y:
        return 0.0
    return len(x & y) / len(x | y)


def resemblance(text: str, category: str, item: Item) -> float:
    """How much a new request resembles an existing item (similarity plus same-category bonus)."""
    score = max(similarity(text, item.text), similarity(text, item.title))
    if category == item.category and category != "other":
        score += SAME_CATEGORY_BONUS
    return score


async def find_duplicate(session: AsyncSession, requester: str, text: str, category: str) -> Item | None:
    """The requester's most similar not-yet-closed deed, if similar enough."""
    best: tuple[float, Item] | None = None
    for item in await list_items(session, requester=requester, status=ACTIVE, limit=200):
        score = resemblance(text, category, item)
        if score >= DUPLICATE_THRESHOLD and (best is None or score > best[0]):
            best = (score, item)
    return best[1] if best else None


# --- numbering -------------------------------------------------------------------


async def next_number(session: AsyncSession) -> int:
    """Allocate the next ``#N`` (shared by deeds and incidents), safe under concurrency.

    ``UPDATE .. RETURNING`` takes the counter row's lock until the transaction ends;
    when the row is missing it is created (``ON CONFLICT DO NOTHING``) starting from
    the highest number in use.
    """
    bump = update(Counter).where(Counter.name == COUNTER).values(value=Counter.value + 1).returning(Counter.value)
    value = (await session.execute(bump)).scalar_one_or_none()
    if value is not None:
        return int(value)
    start = select(func.coalesce(func.max(Item.number), 0)).scalar_subquery()
    dialect = session.get_bind().dialect.name
    ins: Any = postgresql.insert(Counter) if dialect == "postgresql" else sqlite.insert(Counter)
    await session.execute(ins.values(name=COUNTER, value=start).on_conflict_do_nothing(index_elements=["name"]))
    return int((await session.execute(bump)).scalar_one())


# --- reads -----------------------------------------------------------------------


async def get_by_number(session: AsyncSession, n: int) -> Item | None:
    """The item numbered ``#n`` (any kind), or None."""
    return (await session.execute(select(Item).where(Item.number == n))).scalar_one_or_none()


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
    kind: str | None = "deed",
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


async def open_for_owner(session: AsyncSession, owner: str) -> list[Item]:
    """Deeds ``owner`` still has to work on (not resolved, not closed), oldest first."""
    items = await list_items(session, owner=owner, status=WORKING, limit=500)
    return sorted(items, key=lambda i: i.number)


async def awaiting_confirmation(session: AsyncSession, requester: str) -> list[Item]:
    """Resolved deeds waiting for ``requester``'s confirmation, oldest first."""
    items = await list_items(session, requester=requester, status="resolved", limit=500)
    return sorted(items, key=lambda i: i.number)


async def overdue(session: AsyncSession, now: datetime) -> list[Item]:
    """Deeds past due, or not accepted within ``ACCEPT_WITHIN``; oldest first."""
    items = await list_items(session, status=WORKING, limit=1000)
    return sorted((i for i in items if is_overdue(i, now)), key=lambda i: i.number)


async def history(session: AsyncSession, item_id: int) -> list[ItemEvent]:
    """The item's events, oldest first."""
    stmt = select(ItemEvent).where(ItemEvent.item_id == item_id).order_by(ItemEvent.at, ItemEvent.id)
    return list((await session.execute(stmt)).scalars())


# --- writes ----------------------------------------------------------------------


async def _event(session: AsyncSession, item: Item, *, now: datetime, actor: str, kind: str, note: str = "",
                 from_status: str | None = None, to_status: str | None = None) -> None:
    session.add(ItemEvent(item_id=item.id, at=now, actor=actor, kind=kind, note=note,
                          from_status=from_status, to_status=to_status))
    detail = f"#{item.number} {from_status}->{to_status}" if to_status else f"#{item.number}"
    await audit.record(session, now, actor, f"item_{kind}", "item", item.id, detail)


async def _move(session: AsyncSession, item: Item, to_status: str, *, now: datetime, actor: str, kind: str,
                note: str = "") -> None:
    before = item.status
    item.status = to_status
    item.updated_at = now
    await session.flush()
    await _event(session, item, now=now, actor=actor, kind=kind, note=note, from_status=before, to_status=to_status)
    await session.flush()


async def create(session: AsyncSession, *, now: datetime, requester: str, owner: str | None, text: str,
                 category: str = "other", urgent: bool = False, team: str = "", title: str | None = None,
                 kind: str = "deed") -> Item:
    """A new item with the next number, status ``submitted``, and its ``created`` event."""
    number = await next_number(session)
    item = Item(number=number, kind=kind, category=category, requester=requester, owner=owner, team=team,
                title=title or make_title(text), text=text, status="submitted", urgent=urgent,
                created_at=now, updated_at=now, due_at=due_at(category, now), reopen_count=0)
    session.add(item)
    await session.flush()
    await _event(session, item, now=now, actor=requester, kind="created", note=f"owner={owner or ''}",
                 to_status="submitted")
    await session.flush()
    return item


def _responded(item: Item, now: datetime) -> None:
    if item.first_response_at is None:
        item.first_response_at = now


async def accept(session: AsyncSession, item: Item, *, now: datetime, actor: str) -> bool:
    """The owner takes the item on. False (nothing changed) unless it was waiting for that."""
    if item.status not in ("submitted", "reopened"):
        return False
    _responded(item, now)
    await _move(session, item, "accepted", now=now, actor=actor, kind="accepted")
    return True


async def progress(session: AsyncSession, item: Item, *, now: datetime, actor: str, note: str) -> None:
    """A progress note; moves the item to ``in_progress`` (records it even when already there)."""
    _responded(item, now)
    if item.status == "in_progress":
        item.updated_at = now
        await _event(session, item, now=now, actor=actor, kind="progress", note=note)
        await session.flush()
    else:
        await _move(session, item, "in_progress", now=now, actor=actor, kind="progress", note=note)


async def resolve(session: AsyncSession, item: Item, *, now: datetime, actor: str, note: str) -> None:
    """The owner says it is done; the requester still has to confirm."""
    _responded(item, now)
    item.resolved_at = now
    await _move(session, item, "resolved", now=now, actor=actor, kind="resolved", note=note)


async def confirm(session: AsyncSession, item: Item, *, now: datetime, actor: str, note: str = "") -> None:
    """The requester is satisfied: closed."""
    item.satisfaction = "satisfied"
    item.closed_at = now
    item.closed_by = actor
    await _move(session, item, "closed", now=now, actor=actor, kind="confirmed", note=note)


async def reopen(session: AsyncSession, item: Item, *, now: datetime, actor: str, note: str = "") -> None:
    """The requester is not satisfied: back to the owner."""
    item.satisfaction = "unsatisfied"
    item.reopen_count = (item.reopen_count or 0) + 1
    item.resolved_at = None
    item.closed_at = None
    item.closed_by = None
    await _move(session, item, "reopened", now=now, actor=actor, kind="reopened", note=note)


async def close_by_hand(session: AsyncSession, item: Item, *, now: datetime, actor: str, reason: str) -> None:
    """A secretary closes the item with a written reason."""
    if not reason.strip():
        raise ValueError("a manual close needs a reason")
    item.close_reason = reason.strip()
    item.closed_by = actor
    item.closed_at = now
    await _move(session, item, "closed", now=now, actor=actor, kind="closed_by_hand", note=reason.strip())


async def reassign(session: AsyncSession, item: Item, *, now: datetime, actor: str, owner: str) -> str | None:
    """Give the item to ``owner``; returns the previous owner."""
    before = item.owner
    item.owner = owner
    item.updated_at = now
    await _event(session, item, now=now, actor=actor, kind="assigned", note=f"{before or ''}->{owner}")
    await session.flush()
    return before


async def add_note(session: AsyncSession, item: Item, *, now: datetime, actor: str, note: str,
                   kind: str = "note") -> None:
    """A note in the history without a status change (e.g. a merged duplicate, a reminder)."""
    item.updated_at = now
    await _event(session, item, now=now, actor=actor, kind=kind, note=note)
    await session.flush()


# --- routing ---------------------------------------------------------------------


async def routes(session: AsyncSession) -> dict[str, str]:
    """category -> owner userid."""
    rows = (await session.execute(select(Routing).order_by(Routing.category))).scalars()
    return {r.category: r.owner for r in rows}


async def route_for(session: AsyncSession, category: str) -> str | None:
    row = await session.get(Routing, category)
    return row.owner if row else None


async def set_route(session: AsyncSession, category: str, owner: str | None, *, now: datetime, actor: str) -> None:
    """Send ``category`` to ``owner``; ``owner=None`` removes the rule (back to the zone member)."""
    row = await session.get(Routing, category)
    if owner is None:
        if row is not None:
            await session.delete(row)
    elif row is None:
        session.add(Routing(category=category, owner=owner, updated_by=actor, updated_at=now))
    else:
        row.owner, row.updated_by, row.updated_at = owner, actor, now
    await audit.record(session, now, actor, "routing_set", "routing", category, owner or "(default)")
    await session.flush()
