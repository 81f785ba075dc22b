"""Secretary-editable routing: a deed category goes to a named owner instead of the zone member.

Who handles a branch's new items (its rules, its secretaries, which candidates exist) is cached per branch
in this process and read again only when the roster's version moves: every write to people bumps it, and
so does :func:`set_route` (``storage.people.version``). The version comes along with the sender's row, so
creating an item costs no routing query while nothing changed.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage import audit
from storage.deeds.models import Routing
from storage.people.version import bump as bump_version
from storage.people.version import bumped, current
from storage.people.lifecycle import STAFF, Role
from storage.people.models import Person
from storage.scope import branch_of


@dataclass(frozen=True)
class BranchRouting:
    """A branch's routing as of one roster version."""

    routes: dict[str, str]  # category -> owner userid
    secretaries: tuple[str, ...]  # the active secretaries, by userid
    known: frozenset[str]  # route owners and party staff on the roster (the candidates an item may go to)


# database (engine) -> branch -> (version, its routing)
_TABLES: weakref.WeakKeyDictionary[Any, dict[int | None, tuple[int, BranchRouting]]] = weakref.WeakKeyDictionary()


async def table(session: AsyncSession) -> BranchRouting:
    """The routing of the session's branch, from the cache unless the roster's version moved."""
    branch = branch_of(session)
    version = await current(session)
    cache = _TABLES.setdefault(session.get_bind(), {})
    found = cache.get(branch)
    if found is not None and found[0] == version:
        return found[1]
    rules = await routes(session)
    rows = (await session.execute(select(Person.userid, Person.role, Person.active).where(
        Person.role.in_(list(STAFF)) | Person.userid.in_(set(rules.values()))).order_by(Person.userid))).all()
    made = BranchRouting(rules, tuple(u for u, role, active in rows if role == Role.SECRETARY and active),
                         frozenset(u for u, _, _ in rows))
    if not bumped(session):  # a change not committed yet is nobody else's routing
        cache[branch] = (version, made)
    return made


async def routes(session: AsyncSession) -> dict[str, str]:
    """category -> owner userid."""
    rows = (await session.execute(select(Routing).order_by(Routing.category))).scalars()
    return {r.category: r.owner for r in rows}


async def _rule(session: AsyncSession, category: str) -> Routing | None:
    """The branch's rule for ``category`` (the session is scoped to the branch)."""
    return (await session.execute(select(Routing).where(Routing.category == category))).scalar_one_or_none()


async def route_for(session: AsyncSession, category: str) -> str | None:
    row = await _rule(session, category)
    return row.owner if row else None


async def set_route(session: AsyncSession, category: str, owner: str | None, *, now: datetime, actor: str) -> None:
    """Send ``category`` to ``owner``; ``owner=None`` removes the rule (back to the zone member)."""
    row = await _rule(session, category)
    if owner is None:
        if row is not None:
            await session.delete(row)
    elif row is None:
        session.add(Routing(category=category, owner=owner, updated_by=actor, updated_at=now))
    else:
        row.owner, row.updated_by, row.updated_at = owner, actor, now
    await audit.record(session, now, actor, "routing_set", "routing", category, owner or "(default)")
    await session.flush()
    await bump_version(session)  # every process reads the branch's routing again
