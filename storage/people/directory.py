"""What the directory sync (通讯录) reads and writes of the roster, in batches, and its queue of
``change_contact`` events.

The directory owns a person's name, branch, team and department; role, 责任区, 网格长, phone,
retirement date, committee flag and 党小组 come only from the manual roster and are kept. Reads and
writes here see every branch (the sync is the deployment's, not a branch's).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.people.lifecycle import Role
from storage.people.models import DirectoryChange, Person
from storage.people.repo import BATCH
from storage.scope import every_branch


@dataclass(frozen=True)
class Synced:
    """A roster entry as the sync compares it."""

    userid: str
    name: str
    branch_id: int
    team: str
    department: int | None  # None: never seen in the directory (manual roster only)
    active: bool
    role: str = Role.EMPLOYEE
    grid_leader: bool = False


@dataclass(frozen=True)
class Placed:
    """Where the directory puts a member: the directory's fields of their roster entry."""

    userid: str
    name: str
    branch_id: int
    team: str
    department: int


_COLUMNS = (Person.userid, Person.name, Person.branch_id, Person.team, Person.department, Person.active,
            Person.role, Person.grid_leader)


def _synced(row: tuple) -> Synced:  # type: ignore[type-arg]
    return Synced(row[0], row[1], row[2], row[3] or "", row[4], bool(row[5]), row[6], bool(row[7]))


async def known(session: AsyncSession, userids: Collection[str] | None = None) -> dict[str, Synced]:
    """The roster entries of ``userids`` (everyone when None), of every branch."""
    out: dict[str, Synced] = {}
    with every_branch(session):
        if userids is None:
            rows = await session.execute(select(*_COLUMNS))
            return {r[0]: _synced(r) for r in rows.all()}
        wanted = list(userids)
        for start in range(0, len(wanted), BATCH):
            rows = await session.execute(select(*_COLUMNS).where(Person.userid.in_(wanted[start:start + BATCH])))
            out.update({r[0]: _synced(r) for r in rows.all()})
    return out


async def in_departments(session: AsyncSession, departments: Collection[int]) -> dict[str, Synced]:
    """Everyone whose directory department is one of ``departments``."""
    out: dict[str, Synced] = {}
    wanted = list(departments)
    with every_branch(session):
        for start in range(0, len(wanted), BATCH):
            rows = await session.execute(select(*_COLUMNS).where(Person.department.in_(wanted[start:start + BATCH])))
            out.update({r[0]: _synced(r) for r in rows.all()})
    return out


async def create(session: AsyncSession, entries: Iterable[Placed], now: datetime) -> int:
    """New roster entries (as 员工; the manual roster gives roles), in batches."""
    rows = [dict(userid=e.userid, name=e.name, branch_id=e.branch_id, team=e.team, department=e.department,
                 role=Role.EMPLOYEE, active=True, grid_leader=False, committee=False, phone="", party_group="",
                 updated_at=now) for e in entries]
    with every_branch(session):
        for start in range(0, len(rows), BATCH):
            await session.execute(insert(Person), rows[start:start + BATCH])
    return len(rows)


async def update_fields(session: AsyncSession, entries: Iterable[Placed], now: datetime, *,
                        no_longer_leading: Collection[str] = ()) -> int:
    """Name, team and department of people who stay in their branch, back to active, in batches.

    ``no_longer_leading``: people who changed team and were its 网格长 (not of the new team).
    """
    rows = [dict(userid=e.userid, name=e.name, team=e.team, department=e.department, active=True, updated_at=now)
            for e in entries]
    with every_branch(session):
        for start in range(0, len(rows), BATCH):
            await session.execute(update(Person), rows[start:start + BATCH])
        leaders = list(no_longer_leading)
        for start in range(0, len(leaders), BATCH):
            await session.execute(update(Person).where(Person.userid.in_(leaders[start:start + BATCH]))
                                  .values(grid_leader=False).execution_options(synchronize_session=False))
    return len(rows)


async def move(session: AsyncSession, entry: Placed, now: datetime) -> Person:
    """Someone who changes branch: the new branch, team and department; their 联系党员 and 网格长 were
    the old branch's, and a secretary of the old branch is a party member in the new one."""
    with every_branch(session):
        person = await session.get(Person, entry.userid)
        assert person is not None
        person.name, person.branch_id, person.team, person.department = entry.name, entry.branch_id, entry.team, \
            entry.department
        person.zone_member, person.grid_leader, person.active, person.updated_at = None, False, True, now
        if person.role == Role.SECRETARY:
            person.role = Role.MEMBER
        await session.flush()
    return person


async def retire(session: AsyncSession, userid: str, now: datetime) -> None:
    """No longer in the directory: inactive; their records stay."""
    with every_branch(session):
        await session.execute(update(Person).where(Person.userid == userid).values(active=False, updated_at=now)
                              .execution_options(synchronize_session=False))


async def rename(session: AsyncSession, old: str, new: str, now: datetime) -> bool:
    """A renamed WeCom account (NewUserID): the new account takes over the old entry's roster fields
    (role, 责任区, phone…) unless it has an entry already; the old one is retired. False: no old entry."""
    with every_branch(session):
        before = await session.get(Person, old)
        if before is None:
            return False
        if await session.get(Person, new) is None:
            fields = {c.key: getattr(before, c.key) for c in Person.__table__.columns if c.key != "userid"}
            await session.execute(insert(Person), [{**fields, "userid": new, "active": True, "updated_at": now}])
        before.active, before.updated_at = False, now
        await session.flush()
    return True


# -- the queue of change_contact events ---------------------------------------------


async def note_change(session: AsyncSession, change: str, now: datetime, *, userid: str = "", new_userid: str = "",
                      department: int | None = None) -> None:
    session.add(DirectoryChange(change=change[:16], userid=userid[:64], new_userid=new_userid[:64],
                                department=department, received_at=now))
    await session.flush()


async def pending_changes(session: AsyncSession, limit: int = 500) -> list[DirectoryChange]:
    """The oldest changes not applied yet, in arrival order."""
    rows = await session.execute(select(DirectoryChange).order_by(DirectoryChange.id).limit(limit))
    return list(rows.scalars())


async def count_pending(session: AsyncSession) -> int:
    return int((await session.execute(select(func.count()).select_from(DirectoryChange))).scalar_one())


async def forget_changes(session: AsyncSession, ids: Collection[int]) -> None:
    """Applied: gone from the queue."""
    await session.execute(delete(DirectoryChange).where(DirectoryChange.id.in_(list(ids))))
