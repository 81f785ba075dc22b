"""The roster as the sweeps read it for every branch at once: per branch, what ``storage.people.repo``'s reads
give in a session scoped to that branch (``schedules.context.RunReads``: one query, not one per branch)."""

from __future__ import annotations

from datetime import date
from typing import NamedTuple

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.people.models import Person
from storage.sqlsets import plain_rows
from storage.people.repo import _COLUMNS, RosterEntry, _entries


def _grouped(entries: list[RosterEntry]) -> dict[int, list[RosterEntry]]:
    out: dict[int, list[RosterEntry]] = {}
    for e in entries:
        out.setdefault(e.branch_id, []).append(e)
    return out


async def names_by_branch(session: AsyncSession) -> dict[int, dict[str, str]]:
    """branch -> userid -> name of everyone in it (``repo.names``)."""
    out: dict[int, dict[str, str]] = {}
    for b, u, n in await plain_rows(session, select(Person.branch_id, Person.userid, Person.name), Person):
        out.setdefault(b, {})[u] = n
    return out


async def by_role_by_branch(session: AsyncSession, role: str) -> dict[int, list[RosterEntry]]:
    """branch -> its active people with ``role``, by userid (``repo.by_role``)."""
    rows = await plain_rows(session, select(*_COLUMNS).where(Person.role == role, Person.active.is_(True))
                            .order_by(Person.userid), Person)
    return _grouped(_entries(rows))


class Named(NamedTuple):
    """Who someone is, as a list of names needs it (a RosterEntry's ``userid`` and ``name``)."""

    userid: str
    name: str


async def retiring_by_branch(session: AsyncSession, first: date, last: date) -> dict[int, list[RosterEntry]]:
    """branch -> its active people who retire between ``first`` and ``last`` (``repo.retiring``)."""
    rows = await session.execute(select(*_COLUMNS).where(Person.retire_on >= first, Person.retire_on <= last,
                                                         Person.active.is_(True)).order_by(Person.userid))
    return _grouped(_entries(rows.all()))
