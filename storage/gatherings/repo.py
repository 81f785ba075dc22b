"""Trainings and team activities (table ``events``): numbering, creation and the reads of one or many.

Both kinds share this repository. A gathering is numbered per kind ("培训3", "活动3") with the
counter rows ``training`` and ``activity``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage import audit, numbering
from storage.gatherings.lifecycle import GatheringKind, GatheringStatus, label_of
from storage.gatherings.models import Gathering

KEYWORD_NOISE = re.compile(r"我|想|要|报名|参加|一下|的|培训班?|课程?|学习|[。.!！，,]")


def _check_kind(kind: str) -> GatheringKind:
    try:
        return GatheringKind(kind)
    except ValueError:
        raise ValueError(f"unknown gathering kind: {kind}") from None


async def next_number(session: AsyncSession, kind: str) -> int:
    """The next number of ``kind`` (counter row named after the kind), safe under concurrency."""
    _check_kind(kind)
    return await numbering.next_number(session, kind, Gathering.number, Gathering.kind == kind)


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
                  starts_at=starts_at, place=place[:128], capacity=capacity, team=team,
                  status=GatheringStatus.OPEN, created_by=created_by, created_at=now)
    session.add(g)
    await session.flush()
    await audit.record(session, now, created_by, f"{kind}_created", kind, g.id, f"{label_of(g)} cap={capacity}")
    return g


async def get(session: AsyncSession, kind: str, number: int) -> Gathering | None:
    if not numbering.in_range(number):
        return None
    return (await session.execute(
        select(Gathering).where(Gathering.kind == kind, Gathering.number == number))).scalar_one_or_none()


async def by_id(session: AsyncSession, gathering_id: int) -> Gathering | None:
    return await session.get(Gathering, gathering_id)


async def upcoming(session: AsyncSession, kind: str | None, now: datetime, team: str | None = None) -> list[Gathering]:
    """Open gatherings (of ``kind``, or of every kind) not started yet, soonest first. With ``team``:
    those for that team or for everyone."""
    stmt = select(Gathering).where(Gathering.status == GatheringStatus.OPEN, Gathering.starts_at > now)
    if kind is not None:
        stmt = stmt.where(Gathering.kind == kind)
    if team is not None:
        stmt = stmt.where(Gathering.team.in_(("", team)))
    return list((await session.execute(stmt.order_by(Gathering.starts_at, Gathering.kind, Gathering.number))).scalars())


def keyword(text: str) -> str:
    """What is left of a title or a wish without the sign-up words (``我想报名电工培训`` -> ``电工``)."""
    return KEYWORD_NOISE.sub("", text).strip()


async def matching(session: AsyncSession, kind: str, what: str, now: datetime, team: str | None) -> list[Gathering]:
    """Upcoming gatherings whose title matches the words ``what`` (at least two characters of them)."""
    word = keyword(what)
    if len(word) < 2:
        return []
    rows = await upcoming(session, kind, now, team=team)
    return [g for g in rows if word in g.title or keyword(g.title) in word]


def may_manage(g: Gathering, userid: str, *, secretary: bool) -> bool:
    """Who may cancel a gathering, see its roster as organiser and record attendance."""
    return secretary or userid in (g.lecturer, g.created_by)


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
                          limit: int = 100, offset: int = 0, newest_first: bool = False) -> list[Gathering]:
    """Gatherings by ``starts_at`` (``since`` inclusive, ``until`` exclusive), earliest (or newest) first."""
    order = (Gathering.starts_at.desc(), Gathering.number.desc()) if newest_first else (Gathering.starts_at,
                                                                                        Gathering.id)
    stmt = select(Gathering).where(*_where(kind, since, until, status)).order_by(*order).limit(limit).offset(offset)
    return list((await session.execute(stmt)).scalars())


async def count_gatherings(session: AsyncSession, kind: str | None = None, *, since: datetime | None = None,
                           until: datetime | None = None, status: str | Sequence[str] | None = None) -> int:
    stmt = select(func.count()).select_from(Gathering).where(*_where(kind, since, until, status))
    return int((await session.execute(stmt)).scalar_one())
