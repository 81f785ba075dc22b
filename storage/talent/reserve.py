"""后备人才: 支部推荐 -> 骨干考察 -> 综合认定, each change row-locked and checked by the lifecycle.

Review notes are confidential: they are only for party members and the secretary, never for the
candidate, never in exports or the API. Audit lines hold ids and statuses only, never the text of a
reason or a note.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.locking import lock_row
from storage import audit
from storage.talent.lifecycle import OPEN_STATUSES, ReserveAction, ReserveStatus, ReviewAspect, check
from storage.talent.models import ReserveCandidate, ReserveReview




async def open_candidacy(session: AsyncSession, userid: str) -> ReserveCandidate | None:
    """The person's candidacy still being considered, if any."""
    stmt = (select(ReserveCandidate).where(ReserveCandidate.userid == userid,
                                           ReserveCandidate.status.in_(OPEN_STATUSES))
            .order_by(ReserveCandidate.id.desc()))
    return (await session.execute(stmt)).scalars().first()


async def latest_candidacy(session: AsyncSession, userid: str) -> ReserveCandidate | None:
    stmt = select(ReserveCandidate).where(ReserveCandidate.userid == userid).order_by(ReserveCandidate.id.desc())
    return (await session.execute(stmt)).scalars().first()


async def recommend(session: AsyncSession, userid: str, *, by: str, reason: str,
                    now: datetime) -> tuple[ReserveCandidate, bool]:
    """支部推荐. Returns (candidate, created); an open candidacy is returned unchanged."""
    existing = await open_candidacy(session, userid)
    if existing is not None:
        return existing, False
    c = ReserveCandidate(userid=userid, recommended_by=by, reason=reason.strip(),
                         status=ReserveStatus.RECOMMENDED, created_at=now)
    session.add(c)
    await session.flush()
    await audit.record(session, now, by, "reserve_recommended", "reserve_candidate", c.id, c.status)
    return c, True


async def add_review(session: AsyncSession, candidate: ReserveCandidate, *, reviewer: str, aspect: str, note: str,
                     now: datetime, name: str = "") -> ReserveReview:
    """骨干考察: a member's note; moves a ``recommended`` candidate to ``reviewing`` (Refused once decided)."""
    which = ReviewAspect(aspect)
    await lock_row(session, candidate)
    before = candidate.status
    candidate.status = check(ReserveAction.REVIEW, before, name)
    r = ReserveReview(candidate_id=candidate.id, reviewer=reviewer, aspect=which, note=note.strip(), at=now)
    session.add(r)
    await session.flush()
    await audit.record(session, now, reviewer, "reserve_reviewed", "reserve_candidate", candidate.id,
                       f"{which.value} {before}->{candidate.status}")
    return r


async def decide(session: AsyncSession, candidate: ReserveCandidate, *, by: str, approved: bool, note: str,
                 now: datetime, name: str = "") -> None:
    """综合认定 by the secretary (Refused once decided)."""
    await lock_row(session, candidate)
    before = candidate.status
    candidate.status = check(ReserveAction.APPROVE if approved else ReserveAction.REJECT, before, name)
    candidate.decided_by, candidate.decided_at, candidate.decision_note = by, now, note.strip()
    await session.flush()
    await audit.record(session, now, by, "reserve_decided", "reserve_candidate", candidate.id,
                       f"{before}->{candidate.status}")


async def candidates(session: AsyncSession, *, status: str | Sequence[str] | None = None,
                     since: datetime | None = None, until: datetime | None = None,
                     limit: int = 500, offset: int = 0) -> list[ReserveCandidate]:
    """Candidacies, oldest first; ``since``/``until`` bound ``created_at``."""
    stmt = select(ReserveCandidate)
    if status is not None:
        stmt = stmt.where(ReserveCandidate.status.in_([status] if isinstance(status, str) else list(status)))
    if since is not None:
        stmt = stmt.where(ReserveCandidate.created_at >= since)
    if until is not None:
        stmt = stmt.where(ReserveCandidate.created_at < until)
    stmt = stmt.order_by(ReserveCandidate.created_at, ReserveCandidate.id).limit(limit).offset(offset)
    return list((await session.execute(stmt)).scalars())


async def reviews(session: AsyncSession, candidate_id: int) -> list[ReserveReview]:
    stmt = (select(ReserveReview).where(ReserveReview.candidate_id == candidate_id)
            .order_by(ReserveReview.at, ReserveReview.id))
    return list((await session.execute(stmt)).scalars())


async def review_counts(session: AsyncSession, candidate_ids: Iterable[int]) -> dict[int, int]:
    ids = list(candidate_ids)
    out = dict.fromkeys(ids, 0)
    if ids:
        stmt = (select(ReserveReview.candidate_id, func.count()).where(ReserveReview.candidate_id.in_(ids))
                .group_by(ReserveReview.candidate_id))
        for cid, n in (await session.execute(stmt)).all():
            out[int(cid)] = int(n)
    return out
