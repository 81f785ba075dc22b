"""Every state change of a gathering and its sign-ups: the gathering row is locked, the lifecycle
checked and the change written, with its audit line, in the caller's transaction.

Capacity holds under concurrency: the gathering row is re-read ``FOR UPDATE`` (PostgreSQL; SQLite
transactions start with ``BEGIN IMMEDIATE``, so writers are serialised anyway) before the sign-ups
are counted inside the same transaction.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.locking import lock_row
from storage import audit
from storage.errors import Refused
from storage.gatherings.lifecycle import (
    Action,
    GatheringKind,
    GatheringStatus,
    SignupOutcome,
    SignupStatus,
    can,
    check,
    label_of,
)
from storage.gatherings.models import Gathering, Signup
from storage.gatherings.queries import signed_count
from storage.people.models import Person


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




async def _signup_row(session: AsyncSession, gathering_id: int, userid: str) -> Signup | None:
    return (await session.execute(select(Signup).where(Signup.event_id == gathering_id, Signup.userid == userid)
                                  .execution_options(populate_existing=True))).scalar_one_or_none()


def _local(dt: datetime, like: datetime) -> str:
    """``12月3日 14:00`` in ``like``'s time zone."""
    t = dt.astimezone(like.tzinfo)
    return f"{t.month}月{t.day}日 {t:%H:%M}"


async def _move(session: AsyncSession, gathering: Gathering, action: Action, *, actor: str, now: datetime,
                event: str) -> bool:
    g = await lock_row(session, gathering)
    g.status = check(action, g)
    await session.flush()
    await audit.record(session, now, actor, f"{g.kind}_{event}", g.kind, g.id, label_of(g))
    return True


async def cancel(session: AsyncSession, gathering: Gathering, *, actor: str, now: datetime) -> bool:
    """Cancel an open gathering (True; :class:`Refused` otherwise)."""
    return await _move(session, gathering, Action.CANCEL, actor=actor, now=now, event="cancelled")


async def mark_done(session: AsyncSession, gathering: Gathering, *, actor: str, now: datetime) -> bool:
    """Close an open gathering as held (True; :class:`Refused` otherwise)."""
    return await _move(session, gathering, Action.FINISH, actor=actor, now=now, event="done")


async def sign_up(session: AsyncSession, gathering: Gathering, userid: str, now: datetime) -> SignupResult:
    """Sign ``userid`` up; nothing changes unless the outcome is ``OK``."""
    g = await lock_row(session, gathering)
    if not can(Action.SIGN_UP, g.status):
        cancelled = g.status == GatheringStatus.CANCELLED
        return SignupResult(SignupOutcome.CANCELLED if cancelled else SignupOutcome.PAST, g)
    if g.starts_at <= now:
        return SignupResult(SignupOutcome.PAST, g)
    if g.lecturer and g.lecturer == userid:
        return SignupResult(SignupOutcome.LECTURER, g)
    if g.team:
        person = await session.get(Person, userid)
        if person is None or person.team != g.team:
            return SignupResult(SignupOutcome.NOT_TEAM, g)
    row = await _signup_row(session, g.id, userid)
    if row is not None and row.status == SignupStatus.SIGNED:
        return SignupResult(SignupOutcome.ALREADY, g, row)
    if g.capacity > 0 and await signed_count(session, g) >= g.capacity:
        return SignupResult(SignupOutcome.FULL, g)
    if row is None:
        row = Signup(event_id=g.id, userid=userid, signed_at=now, status=SignupStatus.SIGNED, attended=False)
        session.add(row)
    else:
        row.status, row.signed_at = SignupStatus.SIGNED, now
    await session.flush()
    await audit.record(session, now, userid, f"{g.kind}_signup", g.kind, g.id, label_of(g))
    return SignupResult(SignupOutcome.OK, g, row)


async def cancel_signup(session: AsyncSession, gathering: Gathering, userid: str, now: datetime) -> bool:
    """Withdraw a sign-up before the start (True); :class:`Refused` when it started or there is none."""
    g = await lock_row(session, gathering)
    check(Action.WITHDRAW, g)
    if g.starts_at <= now:
        raise Refused(f"{label_of(g)}已经开始或结束了，不能取消报名。")
    row = await _signup_row(session, g.id, userid)
    if row is None or row.status != SignupStatus.SIGNED:
        raise Refused(f"您没有报名{label_of(g)}。")
    row.status = SignupStatus.CANCELLED
    await session.flush()
    await audit.record(session, now, userid, f"{g.kind}_signup_cancelled", g.kind, g.id, label_of(g))
    return True


async def record_attendance(session: AsyncSession, gathering: Gathering, userids: Iterable[str], now: datetime,
                            actor: str | None = None) -> list[str]:
    """Mark people as present (walk-ins get a sign-up row). Returns those newly marked.

    Refused: a cancelled gathering, before its day (in ``now``'s time zone), or people outside its team.
    """
    g = await lock_row(session, gathering)
    check(Action.ATTEND, g)
    if now.date() < g.starts_at.astimezone(now.tzinfo).date():
        raise Refused(f"{label_of(g)}在 {_local(g.starts_at, now)} 举行，还没到，不能登记到场。")
    wanted = list(dict.fromkeys(userids))
    if g.team:
        rows = (await session.execute(select(Person).where(Person.userid.in_(wanted)))).scalars()
        team_of = {p.userid: (p.team, p.name) for p in rows}
        outsiders = [team_of.get(u, ("", u))[1] for u in wanted if team_of.get(u, ("", u))[0] != g.team]
        if outsiders:
            raise Refused(f"{label_of(g)}是{g.team}的班组{GatheringKind.label_of(g.kind)}，"
                          f"{'、'.join(outsiders)}不在该班组。这次没有登记任何人。")
    marked: list[str] = []
    for uid in wanted:
        row = await _signup_row(session, g.id, uid)
        if row is None:
            row = Signup(event_id=g.id, userid=uid, signed_at=now, status=SignupStatus.SIGNED, attended=True)
            session.add(row)
        elif row.attended and row.status == SignupStatus.SIGNED:
            continue
        else:
            row.status, row.attended = SignupStatus.SIGNED, True
        marked.append(uid)
    await session.flush()
    if marked:
        await audit.record(session, now, actor or g.created_by, f"{g.kind}_attendance",
                           g.kind, g.id, f"{label_of(g)} +{len(marked)}")
    return marked
