"""Read-side queries of sign-ups and attendance: rosters, counts, who attended what."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.gatherings.lifecycle import GatheringStatus, SignupStatus
from storage.gatherings.models import Gathering, Signup
from storage.gatherings.repo import count_gatherings, list_gatherings

SIGNED = SignupStatus.SIGNED


async def signed_count(session: AsyncSession, gathering: Gathering) -> int:
    """People currently signed up (not cancelled)."""
    stmt = select(func.count()).select_from(Signup).where(Signup.event_id == gathering.id, Signup.status == SIGNED)
    return int((await session.execute(stmt)).scalar_one())


def places_left(gathering: Gathering, signed: int) -> int | None:
    """Places left, or None when unlimited."""
    return None if gathering.capacity <= 0 else max(gathering.capacity - signed, 0)


def quota(g: Gathering, signed: int) -> str:
    """``已报名 1/2，剩余 1 个名额`` / ``已报名 3 人（名额不限）``."""
    left = places_left(g, signed)
    return f"已报名 {signed}/{g.capacity}，剩余 {left} 个名额" if left is not None else f"已报名 {signed} 人（名额不限）"


async def signups(session: AsyncSession, gathering: Gathering) -> list[Signup]:
    """Current sign-ups (not cancelled), in sign-up order."""
    stmt = (select(Signup).where(Signup.event_id == gathering.id, Signup.status == SIGNED)
            .order_by(Signup.signed_at, Signup.id))
    return list((await session.execute(stmt)).scalars())


async def upcoming_by_branch(session: AsyncSession, now: datetime) -> dict[int, list[Gathering]]:
    """branch -> ``repo.upcoming(session, None, now)`` of that branch, for every branch the session sees."""
    from storage.gatherings.repo import upcoming

    out: dict[int, list[Gathering]] = {}
    for g in await upcoming(session, None, now):
        out.setdefault(g.branch_id, []).append(g)
    return out


async def upcoming_signups_by_branch(session: AsyncSession, now: datetime) -> dict[int, dict[int, list[Signup]]]:
    """branch -> gathering id -> :func:`signups` of each gathering not started yet (as ``repo.upcoming``), in one query."""
    stmt = (select(Signup).join(Gathering, Gathering.id == Signup.event_id)
            .where(Gathering.status == GatheringStatus.OPEN, Gathering.starts_at > now, Signup.status == SIGNED)
            .order_by(Signup.signed_at, Signup.id))
    out: dict[int, dict[int, list[Signup]]] = {}
    for s in (await session.execute(stmt)).scalars():
        out.setdefault(s.branch_id, {}).setdefault(s.event_id, []).append(s)
    return out


async def attendees(session: AsyncSession, gathering: Gathering) -> list[str]:
    """Userids marked present."""
    stmt = (select(Signup.userid).where(Signup.event_id == gathering.id, Signup.status == SIGNED,
                                        Signup.attended.is_(True)).order_by(Signup.signed_at, Signup.id))
    return list((await session.execute(stmt)).scalars())


async def counts(session: AsyncSession, gathering_ids: Iterable[int]) -> dict[int, tuple[int, int]]:
    """gathering id -> (signed up, attended)."""
    ids = list(gathering_ids)
    out = {i: (0, 0) for i in ids}
    if not ids:
        return out
    stmt = (select(Signup.event_id, Signup.attended, func.count())
            .where(Signup.event_id.in_(ids), Signup.status == SIGNED).group_by(Signup.event_id, Signup.attended))
    for eid, attended, n in (await session.execute(stmt)).all():
        signed, present = out[eid]
        out[eid] = (signed + int(n), present + (int(n) if attended else 0))
    return out


async def attended_by(session: AsyncSession, userid: str, kind: str | None = None) -> list[Gathering]:
    """Gatherings (not cancelled) ``userid`` attended, earliest first."""
    stmt = (select(Gathering).join(Signup, Signup.event_id == Gathering.id)
            .where(Signup.userid == userid, Signup.status == SIGNED, Signup.attended.is_(True),
                   Gathering.status != GatheringStatus.CANCELLED))
    if kind is not None:
        stmt = stmt.where(Gathering.kind == kind)
    return list((await session.execute(stmt.order_by(Gathering.starts_at))).scalars())


async def signed_up_for(session: AsyncSession, userid: str, kind: str | None = None) -> list[Gathering]:
    """Gatherings ``userid`` is signed up for (any status), earliest first."""
    stmt = (select(Gathering).join(Signup, Signup.event_id == Gathering.id)
            .where(Signup.userid == userid, Signup.status == SIGNED))
    if kind is not None:
        stmt = stmt.where(Gathering.kind == kind)
    return list((await session.execute(stmt.order_by(Gathering.starts_at))).scalars())


async def participation(session: AsyncSession, since: datetime, until: datetime,
                        kind: str | None = None) -> dict[str, int]:
    """userid -> number of gatherings (not cancelled) starting in [since, until) they attended."""
    stmt = (select(Signup.userid, func.count()).join(Gathering, Signup.event_id == Gathering.id)
            .where(Signup.status == SIGNED, Signup.attended.is_(True), Gathering.status != GatheringStatus.CANCELLED,
                   Gathering.starts_at >= since, Gathering.starts_at < until))
    if kind is not None:
        stmt = stmt.where(Gathering.kind == kind)
    rows = (await session.execute(stmt.group_by(Signup.userid))).all()
    return {uid: int(n) for uid, n in rows}


async def page(session: AsyncSession, kind: str | None, *, since: datetime | None = None, until: datetime | None = None,
               status: str | Sequence[str] | None = None, limit: int = 100, offset: int = 0,
               newest_first: bool = False) -> tuple[list[tuple[Gathering, int, int]], int]:
    """One page of ``kind`` for the read API: (gathering, signed up, attended) rows and the total matching."""
    total = await count_gatherings(session, kind, since=since, until=until, status=status)
    rows = await list_gatherings(session, kind, since=since, until=until, status=status, limit=limit, offset=offset,
                                 newest_first=newest_first)
    cnt = await counts(session, [g.id for g in rows])
    return [(g, *cnt[g.id]) for g in rows], total
