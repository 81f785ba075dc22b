"""Trainings and team activities (table ``events``) and their sign-ups (table ``signups``).

Both kinds share this repository. A gathering is numbered per kind ("培训3", "活动3") with the
counter rows ``training`` and ``activity``. Capacity holds under concurrency: the gathering row is
locked (``SELECT .. FOR UPDATE`` on PostgreSQL; SQLite transactions start with ``BEGIN IMMEDIATE``,
so writers are serialised anyway) before the sign-ups are counted inside the same transaction.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage import audit, numbering
from storage.gatherings.models import Gathering, Signup
from storage.people.models import Person

KINDS = ("training", "activity")
KIND_CN = {"training": "培训", "activity": "活动"}
STATUS_CN = {"open": "报名中", "cancelled": "已取消", "done": "已结束"}


class SignupOutcome(str, Enum):
    """What happened to a sign-up; ``message(g)`` gives the Chinese answer."""

    OK = "ok"
    FULL = "full"
    ALREADY = "already"
    PAST = "past"
    CANCELLED = "cancelled"
    NOT_TEAM = "not_team"

    def message(self, gathering: Gathering) -> str:
        label = label_of(gathering)
        return {
            SignupOutcome.OK: f"已为您报名{label}「{gathering.title}」。",
            SignupOutcome.FULL: f"{label}「{gathering.title}」名额已满（共{gathering.capacity}人），没有为您报名。",
            SignupOutcome.ALREADY: f"您已经报名了{label}「{gathering.title}」，不用重复报名。",
            SignupOutcome.PAST: f"{label}「{gathering.title}」已经开始或结束，不能再报名了。",
            SignupOutcome.CANCELLED: f"{label}「{gathering.title}」已取消，不能报名。",
            SignupOutcome.NOT_TEAM: f"{label}「{gathering.title}」只面向{gathering.team}，您不在这个班组，不能报名。",
        }[self]


@dataclass(frozen=True)
class SignupResult:
    outcome: SignupOutcome
    gathering: Gathering
    signup: Signup | None = None

    @property
    def ok(self) -> bool:
        return self.outcome is SignupOutcome.OK

    @property
    def message(self) -> str:
        return self.outcome.message(self.gathering)


def label_of(gathering: Gathering) -> str:
    """``培训3`` / ``活动3``."""
    return f"{KIND_CN.get(gathering.kind, gathering.kind)}{gathering.number}"


def _check_kind(kind: str) -> None:
    if kind not in KINDS:
        raise ValueError(f"unknown gathering kind: {kind}")


# --- numbering -------------------------------------------------------------------


async def next_number(session: AsyncSession, kind: str) -> int:
    """The next number of ``kind`` (counter row named after the kind), safe under concurrency."""
    _check_kind(kind)
    return await numbering.next_number(session, kind, Gathering.number, Gathering.kind == kind)


# --- gatherings ------------------------------------------------------------------


async def create(session: AsyncSession, *, kind: str, title: str, starts_at: datetime, place: str, capacity: int,
                 created_by: str, now: datetime, lecturer: str | None = None, category: str = "",
                 team: str = "") -> Gathering:
    """A new open gathering with the next number of its kind. ``capacity`` 0 means unlimited.

    Raises:
        ValueError: unknown kind, naive or past ``starts_at``, negative capacity, empty title.
    """
    _check_kind(kind)
    if starts_at.tzinfo is None:
        raise ValueError("starts_at must be aware")
    if starts_at <= now:
        raise ValueError("starts_at is in the past")
    if capacity < 0:
        raise ValueError("capacity must be >= 0")
    if not title.strip():
        raise ValueError("title is empty")
    number = await next_number(session, kind)
    g = Gathering(kind=kind, number=number, title=title.strip()[:128], category=category, lecturer=lecturer,
                  starts_at=starts_at, place=place[:128], capacity=capacity, team=team, status="open",
                  created_by=created_by, created_at=now)
    session.add(g)
    await session.flush()
    await audit.record(session, now, created_by, f"{kind}_created", kind, g.id, f"{label_of(g)} cap={capacity}")
    return g


async def get(session: AsyncSession, kind: str, number: int) -> Gathering | None:
    return (await session.execute(
        select(Gathering).where(Gathering.kind == kind, Gathering.number == number))).scalar_one_or_none()


async def by_id(session: AsyncSession, gathering_id: int) -> Gathering | None:
    return await session.get(Gathering, gathering_id)


async def upcoming(session: AsyncSession, kind: str, now: datetime, team: str | None = None) -> list[Gathering]:
    """Open gatherings of ``kind`` not started yet, soonest first. With ``team``: those for that
    team or for everyone."""
    stmt = select(Gathering).where(Gathering.kind == kind, Gathering.status == "open", Gathering.starts_at > now)
    if team is not None:
        stmt = stmt.where(Gathering.team.in_(("", team)))
    return list((await session.execute(stmt.order_by(Gathering.starts_at, Gathering.number))).scalars())


def _where(kind: str | None, since: datetime | None, until: datetime | None,
           status: str | Sequence[str] | None) -> list[Any]:
    """The filters list_gatherings and count_gatherings share."""
    cond: list[Any] = []
    if kind is not None:
        cond.append(Gathering.kind == kind)
    if since is not None:
        cond.append(Gathering.starts_at >= since)
    if until is not None:
        cond.append(Gathering.starts_at < until)
    if status is not None:
        cond.append(Gathering.status.in_([status] if isinstance(status, str) else list(status)))
    return cond


async def list_gatherings(session: AsyncSession, kind: str | None = None, *, since: datetime | None = None,
                          until: datetime | None = None, status: str | Sequence[str] | None = None,
                          limit: int = 100, offset: int = 0) -> list[Gathering]:
    """Gatherings by ``starts_at`` (``since`` inclusive, ``until`` exclusive), earliest first."""
    stmt = (select(Gathering).where(*_where(kind, since, until, status))
            .order_by(Gathering.starts_at, Gathering.id).limit(limit).offset(offset))
    return list((await session.execute(stmt)).scalars())


async def count_gatherings(session: AsyncSession, kind: str | None = None, *, since: datetime | None = None,
                           until: datetime | None = None, status: str | Sequence[str] | None = None) -> int:
    stmt = select(func.count()).select_from(Gathering).where(*_where(kind, since, until, status))
    return int((await session.execute(stmt)).scalar_one())


async def cancel(session: AsyncSession, gathering: Gathering, *, actor: str, now: datetime) -> bool:
    """Cancel an open gathering; False when it was not open."""
    if gathering.status != "open":
        return False
    gathering.status = "cancelled"
    await session.flush()
    await audit.record(session, now, actor, f"{gathering.kind}_cancelled", gathering.kind, gathering.id,
                       label_of(gathering))
    return True


async def mark_done(session: AsyncSession, gathering: Gathering, *, actor: str, now: datetime) -> bool:
    """Close an open gathering as held; False when it was not open."""
    if gathering.status != "open":
        return False
    gathering.status = "done"
    await session.flush()
    await audit.record(session, now, actor, f"{gathering.kind}_done", gathering.kind, gathering.id,
                       label_of(gathering))
    return True


# --- sign-ups --------------------------------------------------------------------


async def _lock(session: AsyncSession, gathering: Gathering) -> Gathering:
    """Re-read the gathering row under a row lock (PostgreSQL); SQLite is already serialised."""
    stmt = select(Gathering).where(Gathering.id == gathering.id).execution_options(populate_existing=True)
    if session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update()
    return (await session.execute(stmt)).scalar_one()


async def _signup_row(session: AsyncSession, gathering_id: int, userid: str) -> Signup | None:
    return (await session.execute(select(Signup).where(Signup.event_id == gathering_id, Signup.userid == userid)
                                  .execution_options(populate_existing=True))).scalar_one_or_none()


async def signed_count(session: AsyncSession, gathering: Gathering) -> int:
    """People currently signed up (not cancelled)."""
    stmt = select(func.count()).select_from(Signup).where(Signup.event_id == gathering.id, Signup.status == "signed")
    return int((await session.execute(stmt)).scalar_one())


def places_left(gathering: Gathering, signed: int) -> int | None:
    """Places left, or None when unlimited."""
    return None if gathering.capacity <= 0 else max(gathering.capacity - signed, 0)


async def sign_up(session: AsyncSession, gathering: Gathering, userid: str, now: datetime) -> SignupResult:
    """Sign ``userid`` up; nothing changes unless the outcome is ``OK``."""
    g = await _lock(session, gathering)
    if g.status == "cancelled":
        return SignupResult(SignupOutcome.CANCELLED, g)
    if g.status == "done" or g.starts_at <= now:
        return SignupResult(SignupOutcome.PAST, g)
    if g.team:
        person = await session.get(Person, userid)
        if person is None or person.team != g.team:
            return SignupResult(SignupOutcome.NOT_TEAM, g)
    row = await _signup_row(session, g.id, userid)
    if row is not None and row.status == "signed":
        return SignupResult(SignupOutcome.ALREADY, g, row)
    if g.capacity > 0 and await signed_count(session, g) >= g.capacity:
        return SignupResult(SignupOutcome.FULL, g)
    if row is None:
        row = Signup(event_id=g.id, userid=userid, signed_at=now, status="signed", attended=False)
        session.add(row)
    else:
        row.status, row.signed_at = "signed", now
    await session.flush()
    await audit.record(session, now, userid, f"{g.kind}_signup", g.kind, g.id, label_of(g))
    return SignupResult(SignupOutcome.OK, g, row)


async def cancel_signup(session: AsyncSession, gathering: Gathering, userid: str, now: datetime) -> bool:
    """Withdraw a sign-up before the start; False when there was none or it already started."""
    g = await _lock(session, gathering)
    row = await _signup_row(session, g.id, userid)
    if row is None or row.status != "signed" or g.starts_at <= now:
        return False
    row.status = "cancelled"
    await session.flush()
    await audit.record(session, now, userid, f"{g.kind}_signup_cancelled", g.kind, g.id, label_of(g))
    return True


async def record_attendance(session: AsyncSession, gathering: Gathering, userids: Iterable[str], now: datetime,
                            actor: str | None = None) -> list[str]:
    """Mark people as present (walk-ins get a sign-up row). Returns those newly marked."""
    marked: list[str] = []
    for uid in dict.fromkeys(userids):
        row = await _signup_row(session, gathering.id, uid)
        if row is None:
            row = Signup(event_id=gathering.id, userid=uid, signed_at=now, status="signed", attended=True)
            session.add(row)
        elif row.attended and row.status == "signed":
            continue
        else:
            row.status, row.attended = "signed", True
        marked.append(uid)
    await session.flush()
    if marked:
        await audit.record(session, now, actor or gathering.created_by, f"{gathering.kind}_attendance",
                           gathering.kind, gathering.id, f"{label_of(gathering)} +{len(marked)}")
    return marked


async def signups(session: AsyncSession, gathering: Gathering) -> list[Signup]:
    """Current sign-ups (not cancelled), in sign-up order."""
    stmt = (select(Signup).where(Signup.event_id == gathering.id, Signup.status == "signed")
            .order_by(Signup.signed_at, Signup.id))
    return list((await session.execute(stmt)).scalars())


async def attendees(session: AsyncSession, gathering: Gathering) -> list[str]:
    """Userids marked present."""
    stmt = (select(Signup.userid).where(Signup.event_id == gathering.id, Signup.status == "signed",
                                        Signup.attended.is_(True)).order_by(Signup.signed_at, Signup.id))
    return list((await session.execute(stmt)).scalars())


async def counts(session: AsyncSession, gathering_ids: Iterable[int]) -> dict[int, tuple[int, int]]:
    """gathering id -> (signed up, attended)."""
    ids = list(gathering_ids)
    out = {i: (0, 0) for i in ids}
    if not ids:
        return out
    stmt = (select(Signup.event_id, Signup.attended, func.count()).where(Signup.event_id.in_(ids),
                                                                          Signup.status == "signed")
            .group_by(Signup.event_id, Signup.attended))
    for eid, attended, n in (await session.execute(stmt)).all():
        signed, present = out[eid]
        out[eid] = (signed + int(n), present + (int(n) if attended else 0))
    return out


async def attended_by(session: AsyncSession, userid: str, kind: str | None = None) -> list[Gathering]:
    """Gatherings (not cancelled) ``userid`` attended, earliest first."""
    stmt = (select(Gathering).join(Signup, Signup.event_id == Gathering.id)
            .where(Signup.userid == userid, Signup.status == "signed", Signup.attended.is_(True),
                   Gathering.status != "cancelled"))
    if kind is not None:
        stmt = stmt.where(Gathering.kind == kind)
    return list((await session.execute(stmt.order_by(Gathering.starts_at))).scalars())


async def signed_up_for(session: AsyncSession, userid: str, kind: str | None = None) -> list[Gathering]:
    """Gatherings ``userid`` is signed up for (any status), earliest first."""
    stmt = (select(Gathering).join(Signup, Signup.event_id == Gathering.id)
            .where(Signup.userid == userid, Signup.status == "signed"))
    if kind is not None:
        stmt = stmt.where(Gathering.kind == kind)
    return list((await session.execute(stmt.order_by(Gathering.starts_at))).scalars())


async def participation(session: AsyncSession, since: datetime, until: datetime,
                        kind: str | None = None) -> dict[str, int]:
    """userid -> number of gatherings (not cancelled) starting in [since, until) they attended."""
    stmt = (select(Signup.userid, func.count()).join(Gathering, Signup.event_id == Gathering.id)
            .where(Signup.status == "signed", Signup.attended.is_(True), Gathering.status != "cancelled",
                   Gathering.starts_at >= since, Gathering.starts_at < until))
    if kind is not None:
        stmt = stmt.where(Gathering.kind == kind)
    rows = (await session.execute(stmt.group_by(Signup.userid))).all()
    return {uid: int(n) for uid, n in rows}
