"""Roster repository."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.people.lifecycle import STAFF, Role
from storage.people.models import Person


@dataclass(frozen=True)
class RosterEntry:
    userid: str
    name: str
    role: str  # a Role (equal to its stored string)
    team: str = ""
    zone_member: str | None = None
    grid_leader: bool = False
    phone: str = ""
    retire_on: date | None = None

    @property
    def is_secretary(self) -> bool:
        return self.role == Role.SECRETARY

    @property
    def is_member(self) -> bool:
        """A party member who is not the secretary."""
        return self.role == Role.MEMBER

    @property
    def is_employee(self) -> bool:
        return self.role == Role.EMPLOYEE

    @property
    def is_staff(self) -> bool:
        """A party member or the secretary (someone who visits and follows up)."""
        return self.role in STAFF

    @property
    def role_label(self) -> str:
        """``党员``, ``支部书记``, ``员工``."""
        return Role.label_of(self.role)

    @property
    def label(self) -> str:
        """``姓名（班组）`` — how a person is named to others."""
        return f"{self.name}（{self.team}）" if self.team else self.name


def _entry(p: Person) -> RosterEntry:
    return RosterEntry(p.userid, p.name, Role.parse(p.role) or p.role, p.team, p.zone_member, bool(p.grid_leader),
                       p.phone or "", p.retire_on)


async def get(session: AsyncSession, userid: str) -> RosterEntry | None:
    person = await session.get(Person, userid)
    return _entry(person) if person else None


async def named(session: AsyncSession, name: str) -> list[RosterEntry]:
    """Everyone with exactly this name."""
    rows = await session.execute(select(Person).where(Person.name == name.strip()).order_by(Person.userid))
    return [_entry(p) for p in rows.scalars()]


async def find(session: AsyncSession, account: str) -> RosterEntry | None:
    """A roster entry by userid or, failing that, by a name only one person has."""
    found = await get(session, account.strip())
    if found is not None:
        return found
    matches = await named(session, account)
    return matches[0] if len(matches) == 1 else None


async def name_of(session: AsyncSession, userid: str | None, default: str = "支部") -> str:
    """The person's name; ``default`` for nobody, the userid itself for someone not in the roster."""
    if not userid:
        return default
    person = await session.get(Person, userid)
    return person.name if person else userid


async def all_people(session: AsyncSession) -> list[RosterEntry]:
    rows = await session.execute(select(Person).order_by(Person.userid))
    return [_entry(p) for p in rows.scalars()]


async def by_role(session: AsyncSession, role: str) -> list[RosterEntry]:
    rows = await session.execute(select(Person).where(Person.role == role).order_by(Person.userid))
    return [_entry(p) for p in rows.scalars()]


async def userids(session: AsyncSession) -> set[str]:
    return set((await session.execute(select(Person.userid))).scalars())


async def version(session: AsyncSession) -> tuple[int, datetime | None]:
    """Changes whenever the roster does: used to reload the parser's names."""
    row = (await session.execute(select(func.count(), func.max(Person.updated_at)))).one()
    return int(row[0]), row[1]


async def upsert(session: AsyncSession, entries: Iterable[RosterEntry], now: datetime) -> tuple[int, int]:
    """Insert or update; returns ``(created, updated)``. Unchanged rows are left alone."""
    created = updated = 0
    for e in entries:
        person = await session.get(Person, e.userid)
        fields = dict(name=e.name, role=e.role, team=e.team, zone_member=e.zone_member,
                      grid_leader=e.grid_leader, phone=e.phone, retire_on=e.retire_on)
        if person is None:
            session.add(Person(userid=e.userid, updated_at=now, **fields))
            created += 1
        elif any(getattr(person, k) != v for k, v in fields.items()):
            for k, v in fields.items():
                setattr(person, k, v)
            person.updated_at = now
            updated += 1
    await session.flush()
    return created, updated


async def team_members(session: AsyncSession, team: str) -> list[RosterEntry]:
    rows = await session.execute(select(Person).where(Person.team == team).order_by(Person.userid))
    return [_entry(p) for p in rows.scalars()]


async def grid_leaders(session: AsyncSession, team: str) -> list[RosterEntry]:
    """The team's 网格长; failing that, the party members in the team."""
    people = await team_members(session, team)
    leaders = [p for p in people if p.grid_leader]
    return leaders or [p for p in people if p.is_staff]


async def zone(session: AsyncSession, member: str) -> list[RosterEntry]:
    """The people in a member's responsibility zone."""
    rows = await session.execute(select(Person).where(Person.zone_member == member).order_by(Person.userid))
    return [_entry(p) for p in rows.scalars()]


def _only(stmt, userids: Iterable[str | None] | None):  # type: ignore[no-untyped-def]
    """``stmt`` restricted to ``userids`` (None: everyone); None when that is nobody."""
    if userids is None:
        return stmt
    ids = {u for u in userids if u}
    return stmt.where(Person.userid.in_(ids)) if ids else None


async def by_id(session: AsyncSession, userids: Iterable[str | None] | None = None) -> dict[str, Person]:
    """Everyone in the roster (or only ``userids``: a page shows 50 rows, the roster may hold 10,000), by userid."""
    stmt = _only(select(Person), userids)
    return {} if stmt is None else {p.userid: p for p in (await session.execute(stmt)).scalars()}


async def names(session: AsyncSession, userids: Iterable[str | None] | None = None) -> dict[str, str]:
    """userid -> name of everyone in the roster (or only of ``userids``)."""
    stmt = _only(select(Person.userid, Person.name), userids)
    return {} if stmt is None else {u: n for u, n in (await session.execute(stmt)).all()}


async def staff(session: AsyncSession) -> list[RosterEntry]:
    """Party members and the secretary (who items can be given to, who visits), by name."""
    stmt = select(Person).where(Person.role.in_(list(STAFF))).order_by(Person.name, Person.userid)
    rows = await session.execute(stmt)
    return [_entry(p) for p in rows.scalars()]


async def teams(session: AsyncSession) -> dict[str, str]:
    """userid -> team of everyone in the roster."""
    return {u: t for u, t in (await session.execute(select(Person.userid, Person.team))).all()}
