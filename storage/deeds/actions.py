"""Every state change of a deed: the row is locked, the lifecycle checked and the change written,
with its history row and audit line, in the caller's transaction.

The row is re-read ``FOR UPDATE`` (PostgreSQL; SQLite serialises writers), so of two people acting on
one item at the same moment the second sees the first's result and gets a clear refusal
(:class:`storage.errors.Refused`) instead of both succeeding.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from storage import audit, people
from storage.errors import Refused
from storage.locking import lock_row
from storage.deeds.lifecycle import WORKING, Action, DeedStatus, EventKind, Satisfaction, check_item
from storage.deeds.models import Item
from storage.deeds.repo import add_event

# Actions only the item's owner takes (checked under the lock: the secretary may have just reassigned it).
OWNER_ACTIONS = (Action.ACCEPT, Action.PROGRESS, Action.RESOLVE)
# Actions only the requester takes.
REQUESTER_ACTIONS = (Action.CONFIRM, Action.REOPEN)


async def _check_actor(session: AsyncSession, item: Item, action: Action, actor: str) -> None:
    """Refuse an owner's or requester's action by someone who no longer is (read under the lock)."""
    if action in OWNER_ACTIONS and item.owner != actor:
        owner = await people.name_of(session, item.owner, default="他人")
        raise Refused(f"#{item.number} 已改由{owner}负责，您不用再跟进了。")
    if action in REQUESTER_ACTIONS and item.requester != actor:
        raise Refused(f"#{item.number} 的办理结果只能由反映人本人确认，这次没有改变事项状态。")


async def race_lost(session: AsyncSession, item: Item, seen: tuple[str, str | None], action: Action, *,
                    now: datetime, actor: str) -> None:
    """An audit line when ``action`` is refused because someone changed the item between the moment
    the caller read it (``seen``: status, owner) and the lock: the loser of a race, for the record."""
    status, owner = seen
    if (status, owner) == (item.status, item.owner):
        return  # refused on what the caller saw: no race
    detail = f"#{item.number} {action.value}: {status}->{item.status}"
    if owner != item.owner:
        detail += f" owner {owner or '-'}->{item.owner or '-'}"
    await audit.record(session, now, actor, "item_race_lost", "item", item.id, detail)


async def _apply(session: AsyncSession, item: Item, action: Action, *, now: datetime, actor: str,
                 kind: EventKind, note: str = "", as_role: bool = True,
                 seen: tuple[str, str | None] | None = None) -> DeedStatus:
    """Lock, check (the transition, and that ``actor`` still is the owner / requester unless
    ``as_role`` is False), move, record. Returns the status before. ``seen``: status and owner as the
    caller read them, when it locked the row itself already."""
    seen = seen or (item.status, item.owner)
    await lock_row(session, item)
    before = DeedStatus(item.status)
    try:
        to = check_item(action, item, actor)
        if as_role:
            await _check_actor(session, item, action, actor)
    except Refused:
        await race_lost(session, item, seen, action, now=now, actor=actor)
        raise
    if action in (Action.ACCEPT, Action.PROGRESS, Action.RESOLVE) and item.first_response_at is None:
        item.first_response_at = now
    item.status = to
    item.updated_at = now
    await session.flush()
    changed = to != before
    await add_event(session, item, now=now, actor=actor, kind=kind, note=note,
                    from_status=before if changed else None, to_status=to if changed else None)
    await session.flush()
    return before


async def accept(session: AsyncSession, item: Item, *, now: datetime, actor: str) -> None:
    """The owner takes the item on."""
    await _apply(session, item, Action.ACCEPT, now=now, actor=actor, kind=EventKind.ACCEPTED)


async def progress(session: AsyncSession, item: Item, *, now: datetime, actor: str, note: str) -> None:
    """A progress note; the item is ``in_progress`` afterwards."""
    await _apply(session, item, Action.PROGRESS, now=now, actor=actor, kind=EventKind.PROGRESS, note=note)


async def resolve(session: AsyncSession, item: Item, *, now: datetime, actor: str, note: str) -> None:
    """The owner says it is done; the requester still has to confirm."""
    await _apply(session, item, Action.RESOLVE, now=now, actor=actor, kind=EventKind.RESOLVED, note=note)
    item.resolved_at = now


async def confirm(session: AsyncSession, item: Item, *, now: datetime, actor: str, note: str = "",
                  resolving: bool = False) -> None:
    """The requester is satisfied: closed (销号). ``resolving``: the requester says it is solved before
    the owner reported it (then the resolve is recorded first, as theirs, under the same lock)."""
    seen = (item.status, item.owner)
    await lock_row(session, item)
    if resolving and DeedStatus(item.status) in WORKING:
        try:
            await _check_actor(session, item, Action.CONFIRM, actor)
        except Refused:
            await race_lost(session, item, seen, Action.CONFIRM, now=now, actor=actor)
            raise
        await _apply(session, item, Action.RESOLVE, now=now, actor=actor, kind=EventKind.RESOLVED, note=note,
                     as_role=False, seen=seen)
        item.resolved_at = now
        seen = (item.status, item.owner)
    await _apply(session, item, Action.CONFIRM, now=now, actor=actor, kind=EventKind.CONFIRMED, note=note, seen=seen)
    item.satisfaction = Satisfaction.SATISFIED
    item.closed_at = now
    item.closed_by = actor


async def reopen(session: AsyncSession, item: Item, *, now: datetime, actor: str, note: str = "") -> None:
    """The requester is not satisfied: back to the owner."""
    await _apply(session, item, Action.REOPEN, now=now, actor=actor, kind=EventKind.REOPENED, note=note)
    item.satisfaction = Satisfaction.UNSATISFIED
    item.reopen_count = (item.reopen_count or 0) + 1
    item.resolved_at = None
    item.closed_at = None
    item.closed_by = None
    item.close_reason = None  # a manual close the requester disputes: the reason stays in the history


async def close_by_hand(session: AsyncSession, item: Item, *, now: datetime, actor: str, reason: str) -> None:
    """A secretary closes the item with a written reason."""
    if not reason.strip():
        raise ValueError("a manual close needs a reason")
    await _apply(session, item, Action.CLOSE, now=now, actor=actor, kind=EventKind.CLOSED_BY_HAND,
                 note=reason.strip())
    item.close_reason = reason.strip()
    item.closed_by = actor
    item.closed_at = now


async def reassign(session: AsyncSession, item: Item, *, now: datetime, actor: str, owner: str) -> str | None:
    """Give the item to ``owner``; an accepted item waits for the new owner to accept. Returns the previous owner."""
    seen = (item.status, item.owner)
    await lock_row(session, item)
    before = item.owner
    status = DeedStatus(item.status)
    try:
        to = check_item(Action.REASSIGN, item, actor)
        if owner == before:
            raise Refused(f"#{item.number} 本来就由{await people.name_of(session, owner)}负责。")
    except Refused:
        await race_lost(session, item, seen, Action.REASSIGN, now=now, actor=actor)
        raise
    item.owner = owner
    item.status = to
    item.updated_at = now
    await add_event(session, item, now=now, actor=actor, kind=EventKind.ASSIGNED, note=f"{before or ''}->{owner}",
                    from_status=status if to != status else None, to_status=to if to != status else None)
    await session.flush()
    return before


async def add_note(session: AsyncSession, item: Item, *, now: datetime, actor: str, note: str,
                   kind: EventKind = EventKind.NOTE) -> None:
    """A note in the history without a status change (e.g. a merged duplicate, a reminder)."""
    item.updated_at = now
    await add_event(session, item, now=now, actor=actor, kind=kind, note=note)
    await session.flush()
