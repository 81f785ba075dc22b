"""Roster repository."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache, lru_cache
from datetime import date, datetime
from typing import Any

from sqlalchemy import String, any_, bindparam, insert, inspect, select, update
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncSession

from storage.people.lifecycle import STAFF, Role
from storage.people import version as roster_version
from storage.people.models import Person
from storage import scope
from storage.scope import every_branch
from storage.sqlsets import among


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
    branch_id: int = 0  # 0: not said (an import gives its branch)
    committee: bool | None = None  # a committee officer: every branch, read-only (None: as before)
    party_group: str | None = None  # 党小组 (None: as before)

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


# a RosterEntry's columns: read as plain rows where many people are read at once (no ORM objects to build)
_COLUMNS = (Person.userid, Person.name, Person.role, Person.team, Person.zone_member, Person.grid_leader, Person.phone,
            Person.retire_on, Person.branch_id, Person.committee, Person.party_group)


@lru_cache(maxsize=64)
def _role(stored: str) -> str:
    """A stored role as a Role (the same string) when it is one: parsed once per distinct value."""
    return Role.parse(stored) or stored


def _entries(rows: Iterable[tuple]) -> list[RosterEntry]:  # type: ignore[type-arg]
    return [RosterEntry(u, n, _role(r), t, z, bool(g), ph or "", ret, b, bool(c), pg or "")
            for u, n, r, t, z, g, ph, ret, b, c, pg in rows]


def entry(p: Person) -> RosterEntry:
    """A roster row (also one read along with something else: ``storage.inbox.claim_next``) as a :class:`RosterEntry`."""
    return RosterEntry(p.userid, p.name, _role(p.role), p.team, p.zone_member, bool(p.grid_leader),
                       p.phone or "", p.retire_on, p.branch_id, bool(p.committee), p.party_group or "")


async def get(session: AsyncSession, userid: str) -> RosterEntry | None:
    """One person by userid (the sender of a message: the roster's version comes along, ``storage.people.version``)."""
    row = (await session.execute(select(Person, roster_version.subquery()).where(Person.userid == userid))).first()
    if row is None:
        return None
    roster_version.remember(session, row[1])
    return entry(row[0])


async def named(session: AsyncSession, name: str) -> list[RosterEntry]:
    """Everyone with exactly this name."""
    rows = await session.execute(select(Person).where(Person.name == name.strip()).order_by(Person.userid))
    return [entry(p) for p in rows.scalars()]


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
    noted = roster_version.name_noted(session, userid)  # no query while the roster's version stays
    if noted is not None:
        return noted
    person = await _person(session, userid)
    if person is not None:  # held for the session: the identity map holds rows weakly, a list names an owner often
        session.info.setdefault(_NAMED, {})[userid] = person
        roster_version.note_names(session, ((userid, person.name),))
    return person.name if person else userid


_NAMED = "people_named"


async def _person(session: AsyncSession, userid: str) -> Person | None:
    """``session.get(Person, userid)``: the one held, else a statement built once (not one with the scope's
    criteria added per call: a list of items names several people)."""
    held = session.identity_map.get(session.sync_session.identity_key(Person, userid))
    if held is not None and not inspect(held).expired_attributes:
        return held  # type: ignore[no-any-return]
    return (await scope.execute(session, _by_userid, userid=userid)).scalar_one_or_none()  # type: ignore[no-any-return]


@cache
def _by_userid(bound: bool) -> Any:
    stmt = select(Person).where(Person.userid == bindparam("userid", type_=String))
    return scope.bound(stmt, Person) if bound else stmt


async def all_people(session: AsyncSession) -> list[RosterEntry]:
    rows = await session.execute(select(Person).order_by(Person.userid))
    return [entry(p) for p in rows.scalars()]


async def by_role(session: AsyncSession, role: str) -> list[RosterEntry]:
    """Active people with this role (someone who left the directory is no longer anyone's secretary)."""
    rows = await session.execute(select(*_COLUMNS).where(Person.role == role, Person.active.is_(True))
                                 .order_by(Person.userid))
    return _entries(rows.all())


async def roles(session: AsyncSession) -> dict[str, str]:
    """userid -> role of everyone (every branch): what a roster file is checked against."""
    with every_branch(session):
        return {u: r for u, r in (await session.execute(select(Person.userid, Person.role))).all()}


async def userids(session: AsyncSession) -> set[str]:
    return set((await session.execute(select(Person.userid))).scalars())


async def version(session: AsyncSession) -> tuple[int, datetime | None]:
    """Changes whenever the roster (of every branch) does: used to reload the parser's names.

    One primary-key read of the roster's counter (``storage.people.version``), bumped by every write to people.
    """
    return await roster_version.current(session), None  # read along with the sender when it was (people.get)


async def upsert(session: AsyncSession, entries: Iterable[RosterEntry], now: datetime, *,
                 branch: int | None = None, homes: Mapping[str, int] | None = None) -> tuple[int, int]:
    """Insert or update in batches; returns ``(created, updated)``. Unchanged rows are not touched.

    Each entry goes to its own ``branch_id``, else to ``homes[userid]``, else to ``branch``. Someone who moves
    branch is moved (their records stay with the branch they were written in). For someone synced
    from the WeCom directory the directory's fields (name, branch, team, active) are kept: the
    roster gives the rest (role, 责任区, phone…).

    Round trips: one read per READ_BATCH people (PostgreSQL: the userids as one array), then every new row in
    one insert and every changed row in one executemany per set of columns (100,000 people: a handful).
    """
    created = 0
    todo = list(entries)
    homes = homes or {}
    columns = [getattr(Person, c) for c in COMPARED]
    fresh: list[dict[str, object]] = []
    changed: dict[frozenset[str], list[dict[str, object]]] = {}  # same columns: one executemany
    step = READ_BATCH if session.bind.dialect.name == "postgresql" else BATCH
    with every_branch(session):
        for start in range(0, len(todo), step):
            chunk = todo[start:start + step]
            have = {r[0]: r for r in (await session.execute(
                select(Person.userid, *columns).where(among(session, Person.userid, [e.userid for e in chunk])))).all()}
            for e in chunk:
                fields = _fields(e, homes.get(e.userid, branch))
                row = have.get(e.userid)
                if row is None:
                    fresh.append({"userid": e.userid, "updated_at": now, **fields})
                    continue
                was = dict(zip(COMPARED, row[1:]))
                if was["department"] is not None:  # the directory's: it owns these (storage.people.directory)
                    fields = {k: v for k, v in fields.items() if k not in DIRECTORY_FIELDS}
                if any(was[k] != v for k, v in fields.items()):
                    changed.setdefault(frozenset(fields), []).append({"userid": e.userid, "updated_at": now, **fields})
        if fresh:
            await session.execute(insert(Person), fresh)
            created = len(fresh)
        for rows in changed.values():  # ORM bulk UPDATE by primary key, only the rows that changed
            await session.execute(update(Person), rows)
    return created, sum(len(rows) for rows in changed.values())


BATCH = 1000  # rows per statement (the directory sync's batches too)
READ_BATCH = 20_000  # people per read of an upsert on PostgreSQL (one array parameter); SQLite: BATCH
DIRECTORY_FIELDS = frozenset({"name", "team", "branch_id", "active"})
COMPARED = ("name", "role", "team", "zone_member", "grid_leader", "phone", "retire_on", "branch_id", "active",
            "committee", "party_group", "department")


def _fields(e: RosterEntry, branch: int | None) -> dict[str, object]:
    home = e.branch_id or branch
    if not home:
        raise ValueError(f"roster entry {e.userid!r} has no branch")
    fields: dict[str, object] = dict(name=e.name, role=e.role, team=e.team, zone_member=e.zone_member,
                                     grid_leader=e.grid_leader, phone=e.phone, retire_on=e.retire_on, branch_id=home,
                                     active=True)
    if e.committee is not None:
        fields["committee"] = e.committee
    if e.party_group is not None:
        fields["party_group"] = e.party_group
    return fields


async def team_members(session: AsyncSession, team: str) -> list[RosterEntry]:
    rows = await session.execute(select(Person).where(Person.team == team, Person.active.is_(True))
                                 .order_by(Person.userid))
    return [entry(p) for p in rows.scalars()]


async def grid_leaders(session: AsyncSession, team: str) -> list[RosterEntry]:
    """The team's 网格长; failing that, the party members in the team."""
    people = await team_members(session, team)
    leaders = [p for p in people if p.grid_leader]
    return leaders or [p for p in people if p.is_staff]


async def leaders_by_team(session: AsyncSession, teams: Iterable[str]) -> dict[str, list[RosterEntry]]:
    """:func:`grid_leaders` of every team in ``teams`` in one query (the 网格长, failing them the party members)."""
    names = {t for t in teams if t}
    if not names:
        return {}
    rows = await session.execute(select(Person).where(
        Person.team.in_(names), Person.active.is_(True), Person.grid_leader.is_(True) | Person.role.in_(list(STAFF)))
        .order_by(Person.userid))
    found: dict[str, list[RosterEntry]] = {}
    for p in rows.scalars():
        found.setdefault(p.team, []).append(entry(p))
    return {t: [p for p in ps if p.grid_leader] or [p for p in ps if p.is_staff] for t, ps in found.items()}


async def zone(session: AsyncSession, member: str) -> list[RosterEntry]:
    """The (active) people in a member's responsibility zone (/我的 and every visit report read it)."""
    return _entries((await scope.execute(session, _zone, member=member)).all())


@cache
def _zone(bound: bool) -> Any:
    stmt = (select(*_COLUMNS).where(Person.zone_member == bindparam("member", type_=String), Person.active.is_(True))
            .order_by(Person.userid))
    return scope.bound(stmt, Person) if bound else stmt


async def zones(session: AsyncSession, members: Iterable[str]) -> dict[str, list[RosterEntry]]:
    """member -> the (active) people in their responsibility zone, by userid; one query for them all."""
    ids = set(members)
    if not ids:
        return {}
    rows = await session.execute(select(*_COLUMNS).where(among(session, Person.zone_member, ids), Person.active.is_(True))
                                 .order_by(Person.userid))
    out: dict[str, list[RosterEntry]] = {}
    for p in _entries(rows.all()):
        out.setdefault(p.zone_member or "", []).append(p)
    return out


async def retiring(session: AsyncSession, first: date, last: date) -> list[RosterEntry]:
    """Active people who retire between ``first`` and ``last`` (both included)."""
    rows = await session.execute(select(*_COLUMNS).where(Person.retire_on >= first, Person.retire_on <= last,
                                                         Person.active.is_(True)).order_by(Person.userid))
    return _entries(rows.all())


async def by_id(session: AsyncSession, userids: Iterable[str | None] | None = None) -> dict[str, Person]:
    """Everyone in the roster (or only ``userids``: a page shows 50 rows, the roster may hold 10,000), by userid."""
    if userids is None:
        return {p.userid: p for p in (await session.execute(select(Person))).scalars()}
    ids = list({u for u in userids if u})
    if not ids:
        return {}
    pg = session.get_bind().dialect.name == "postgresql"
    return {p.userid: p for p in (await scope.execute(session, _among, pg, Person, userids=ids)).scalars()}


@cache
def _among(bound: bool, pg: bool, *what: Any) -> Any:
    """``select(*what)`` of the people whose userids are bound as ``userids`` (a visit report's, a page's), built
    once: PostgreSQL gets them as one array (``storage.sqlsets.among``), SQLite an ``IN`` expanded per call."""
    if pg:
        among_them = Person.userid == any_(bindparam("userids", type_=ARRAY(Person.userid.type)))
    else:
        among_them = Person.userid.in_(bindparam("userids", expanding=True))
    stmt = select(*what).where(among_them)
    return scope.bound(stmt, Person) if bound else stmt


async def names(session: AsyncSession, userids: Iterable[str | None] | None = None) -> dict[str, str]:
    """userid -> name of everyone in the roster (or only of ``userids``: those noted at this roster version,
    as :func:`name_of` notes them, cost no query)."""
    if userids is None:
        return {u: n for u, n in (await session.execute(select(Person.userid, Person.name))).all()}
    found: dict[str, str] = {}
    missing = []
    for userid in {u for u in userids if u}:
        noted = roster_version.name_noted(session, userid)
        if noted is None:
            missing.append(userid)
        else:
            found[userid] = noted
    if missing:
        pg = session.get_bind().dialect.name == "postgresql"
        rows = await scope.execute(session, _among, pg, Person.userid, Person.name, userids=missing)
        read = [(u, n) for u, n in rows.all()]
        roster_version.note_names(session, read)
        found.update(read)
    return found


async def staff(session: AsyncSession) -> list[RosterEntry]:
    """Party members and the secretary (who items can be given to, who visits), by name."""
    stmt = select(Person).where(Person.role.in_(list(STAFF))).order_by(Person.name, Person.userid)
    rows = await session.execute(stmt)
    return [entry(p) for p in rows.scalars()]


async def teams(session: AsyncSession) -> dict[str, str]:
    """userid -> team of everyone in the roster."""
    return {u: t for u, t in (await session.execute(select(Person.userid, Person.team))).all()}
