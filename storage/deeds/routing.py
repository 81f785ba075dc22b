"""Secretary-editable routing: a deed category goes to a named owner instead of the zone member.

Who handles a branch's new items (its rules, its secretaries, which candidates exist) is cached per branch
in this process and read again only when the roster's version moves: every write to people bumps it, and
so does :func:`set_route` (``storage.people.version``). The version comes along with the sender's row, so
creating an item costs no routing query while nothing changed.
"""

from __future__ import annotations

import weakref
from functools import cache
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, Integer, String, bindparam, cast, literal, null, or_, select, union_all
from sqlalchemy.ext.asyncio import AsyncSession

from storage import audit
from storage.deeds.models import Routing
from storage.people.version import bump as bump_version
from storage.people.version import bumped, current, note_names
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
    if branch is None:  # every branch (no session does this in practice): two reads
        rules = await routes(session)
        rows = (await session.execute(select(Person.userid, Person.role, Person.active).where(
            Person.role.in_(list(STAFF)) | Person.userid.in_(set(rules.values()))).order_by(Person.userid))).all()
    else:  # the branch's rules and its candidates in one read
        read = (await (await session.connection()).execute(_branch_statement(), {"branch": branch})).all()
        rules = {a: b for kind, a, b, _active, _name in read if kind == "r"}
        people = sorted((a, b, active, name) for kind, a, b, active, name in read if kind == "p")
        note_names(session, ((u, name) for u, _, _, name in people))
        rows = [(u, role, active) for u, role, active, _ in people]
    made = BranchRouting(rules, tuple(u for u, role, active in rows if role == Role.SECRETARY and active),
                         frozenset(u for u, _, _ in rows))
    if not bumped(session):  # a change not committed yet is nobody else's routing
        cache[branch] = (version, made)
    return made


@cache
def _branch_statement() -> Any:
    """A branch's rules ("r": category, owner) and the people an item may go to ("p": userid, role, active, name:
    its party staff and its rules' owners), one ``UNION ALL`` with the branch bound (a Core statement: the
    session's scope does not reach it, so it says the branch itself)."""
    rule, person = Routing.__table__, Person.__table__
    branch = bindparam("branch", type_=Integer)
    owners = select(rule.c.owner).where(rule.c.branch_id == branch)
    return union_all(
        select(literal("r").label("kind"), rule.c.category.label("a"), rule.c.owner.label("b"),
               cast(null(), Boolean).label("active"), cast(null(), String).label("name")).where(rule.c.branch_id == branch),
        select(literal("p"), person.c.userid, person.c.role, person.c.active, person.c.name)
        .where(person.c.branch_id == branch, or_(*(person.c.role == r.value for r in sorted(STAFF)),
                                                 person.c.userid.in_(owners))))


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
