"""The roster's version: one counter row (``counters.name = 'roster'``) bumped in the same transaction as any
write to ``people`` — an ORM flush of a ``Person``, or an ORM ``insert``/``update``/``delete`` statement on it.

Reading it is one primary-key lookup, so the per-message check "did the roster change?" (the parser's names,
``bot.services``) costs the same for 100 or 100,000 people; it changes only when the roster does. Once per
transaction is enough: the counter's row stays locked until that transaction ends.
"""

from __future__ import annotations

import weakref
from collections.abc import Iterable
from typing import Any

from sqlalchemy import event, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import ORMExecuteState, Session

from storage.models import Counter
from storage.people.models import Person
from storage.scope import ScopedSession, branch_of, every_branch

NAME = "roster"
_BUMPED = "roster_bumped"  # session.info: already bumped in this transaction


_READ = "roster_version"  # session.info: (the transaction it was read in, the value)


def subquery():  # type: ignore[no-untyped-def]
    """The version as a scalar subquery, to read along with another row (the sender: one statement, not two)."""
    return select(Counter.value).where(Counter.name == NAME).scalar_subquery()


def remember(session: AsyncSession, value: int | None) -> None:
    """The version read in this transaction (by :func:`subquery`): :func:`current` needs no query of its own."""
    sync = session.sync_session
    sync.info[_READ] = (sync.get_transaction(), int(value or 0))


async def current(session: AsyncSession) -> int:
    """The roster's version (0 before its first change)."""
    sync = session.sync_session
    read = sync.info.get(_READ)
    if read is not None and read[0] is not None and read[0] is sync.get_transaction():
        return int(read[1])
    value = (await session.execute(select(Counter.value).where(Counter.name == NAME))).scalar_one_or_none()
    return int(value or 0)


def remembered(session: AsyncSession) -> int | None:
    """The version read in this transaction (by :func:`subquery`), or None: no query to find it out."""
    sync = session.sync_session
    read = sync.info.get(_READ)
    if read is None or read[0] is None or read[0] is not sync.get_transaction():
        return None
    return int(read[1])


# Names as of one roster version, per database (engine): a name changes only with a write to people, which
# moves the version; so "who is X" needs no query while the version read with the sender is the one they were
# noted at. Noted by whoever reads names anyway (the branch's routing, ``people.name_of``).
_NAMES: weakref.WeakKeyDictionary[Any, tuple[int, dict[tuple[int | None, str], str]]] = weakref.WeakKeyDictionary()
NAMES_KEPT = 50_000  # at most this many names kept (then forgotten at once, and noted again)


def _names(session: AsyncSession) -> dict[tuple[int | None, str], str] | None:
    """This version's names for this transaction, by (branch scope, userid): a session scoped to a branch sees
    only its people (None: the version is not known without a query, or this transaction changed people)."""
    version = remembered(session)
    if version is None or bumped(session):
        return None
    bind = session.get_bind()
    kept = _NAMES.get(bind)
    if kept is None or kept[0] != version or len(kept[1]) > NAMES_KEPT:
        if kept is not None and kept[0] > version:
            return None  # a transaction older than the names kept: leave them to the newer ones
        kept = _NAMES[bind] = (version, {})
    return kept[1]


def name_noted(session: AsyncSession, userid: str) -> str | None:
    names = _names(session)
    return None if names is None else names.get((branch_of(session), userid))


def note_names(session: AsyncSession, names: Iterable[tuple[str, str]]) -> None:
    """Names read in this transaction (as of its version or later: either is right for it)."""
    kept = _names(session)
    if kept is not None:
        branch = branch_of(session)
        kept.update(((branch, userid), name) for userid, name in names)


def bumped(session: AsyncSession) -> bool:
    """Whether this transaction changed the version (what it reads is not committed yet)."""
    return bool(session.sync_session.info.get(_BUMPED))


async def bump(session: AsyncSession) -> None:
    """Move the version without a write to people (the routing table changed: ``storage.deeds.routing``)."""
    await session.run_sync(_bump)


def _bump(session: Session) -> None:
    if session.info.get(_BUMPED):
        return
    conn = session.connection()
    maker = pg_insert if conn.dialect.name == "postgresql" else sqlite_insert
    stmt = maker(Counter.__table__).values(name=NAME, value=1)
    conn.execute(stmt.on_conflict_do_update(index_elements=["name"],
                                            set_={"value": Counter.__table__.c.value + 1}))
    session.info[_BUMPED] = True
    session.info.pop(_READ, None)


@event.listens_for(ScopedSession, "do_orm_execute")
def _statement(state: ORMExecuteState) -> None:
    if (state.is_insert or state.is_update or state.is_delete) and any(
            m.class_ is Person for m in state.all_mappers):
        _bump(state.session)


@event.listens_for(ScopedSession, "before_flush")
def _flushing(session: Session, _context: Any, _instances: Any) -> None:
    if any(isinstance(o, Person) for o in (*session.new, *session.deleted)) or any(
            isinstance(o, Person) and session.is_modified(o) for o in session.dirty):
        _bump(session)


@event.listens_for(ScopedSession, "after_transaction_end")
def _ended(session: Session, transaction: Any) -> None:
    if transaction.parent is not None and not transaction.nested:
        return  # a flush's own subtransaction: the transaction goes on, what it read and bumped stays
    session.info.pop(_BUMPED, None)
    session.info.pop(_READ, None)  # a savepoint's end too: at worst one more bump, never a change unseen


async def changed_since(session: AsyncSession, since: int | None, *, after: str = "", limit: int = 5000) -> list[Any]:
    """People (every branch) written after roster version ``since`` (None: everyone), by userid after ``after``,
    at most ``limit``: (userid, name, role, team, zone_member, branch_id, grid_leader, roster_version) rows.

    What a process holding the parser's names at version ``since`` must apply (indexed on the version), page by
    page (keyset on the userid), instead of reading the whole roster after every change.
    """
    stmt = select(Person.userid, Person.name, Person.role, Person.team, Person.zone_member, Person.branch_id,
                  Person.grid_leader, Person.roster_version).where(Person.userid > after)
    if since is not None:
        stmt = stmt.where(Person.roster_version > since)
    with every_branch(session):
        return list((await session.execute(stmt.order_by(Person.userid).limit(limit))).all())
