"""精英培养: talent profiles, internal lecturers and reserve talent (后备人才).

Reserve talent goes 支部推荐 (``recommended``) -> 骨干考察 (``reviewing``, once a member adds a
review note) -> 综合认定 (``approved`` | ``rejected``). Review notes are confidential: they are
only for party members and the secretary, never for the candidate, never in exports or the API.
Audit lines hold ids and statuses only, never the text of a reason or a note.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage import audit
from storage.talent.models import Lecturer, ReserveCandidate, ReserveReview, TalentProfile

OPEN_STATUSES = ("recommended", "reviewing")
RESERVE_STATUSES = ("recommended", "reviewing", "approved", "rejected")
RESERVE_STATUS_CN = {
    "recommended": "支部推荐",
    "reviewing": "骨干考察中",
    "approved": "已认定",
    "rejected": "未通过",
}
ASPECTS = ("work", "conduct", "colleagues", "other")
ASPECT_CN = {"work": "工作表现", "conduct": "品行", "colleagues": "群众评价", "other": "其他"}
ASPECT_BY_CN = {"工作": "work", "工作表现": "work", "业绩": "work", "品行": "conduct", "作风": "conduct",
                "群众评价": "colleagues", "群众": "colleagues", "评价": "colleagues", "其他": "other"}
FIELDS = ("skills", "certificates", "wishes")
FIELD_CN = {"skills": "技能", "certificates": "证书", "wishes": "意愿"}


# --- profiles --------------------------------------------------------------------


def _load(raw: str | None) -> list[Any]:
    try:
        value = json.loads(raw or "[]")
    except ValueError:
        return []
    return value if isinstance(value, list) else []


def skills(p: TalentProfile | None) -> list[str]:
    return [str(x) for x in _load(p.skills)] if p else []


def certificates(p: TalentProfile | None) -> list[str]:
    return [str(x) for x in _load(p.certificates)] if p else []


def wishes(p: TalentProfile | None) -> list[dict[str, str]]:
    """``[{"at": iso, "text": ...}]``, oldest first."""
    if p is None:
        return []
    return [w if isinstance(w, dict) else {"at": "", "text": str(w)} for w in _load(p.wishes)]


async def profile(session: AsyncSession, userid: str) -> TalentProfile | None:
    return await session.get(TalentProfile, userid)


async def profiles(session: AsyncSession, *, limit: int = 1000, offset: int = 0) -> list[TalentProfile]:
    stmt = select(TalentProfile).order_by(TalentProfile.userid).limit(limit).offset(offset)
    return list((await session.execute(stmt)).scalars())


async def count_profiles(session: AsyncSession) -> int:
    return int((await session.execute(select(func.count()).select_from(TalentProfile))).scalar_one())


async def _ensure(session: AsyncSession, userid: str, now: datetime) -> TalentProfile:
    p = await session.get(TalentProfile, userid)
    if p is None:
        p = TalentProfile(userid=userid, skills="[]", certificates="[]", wishes="[]", updated_at=now)
        session.add(p)
        await session.flush()
    return p


async def add_entry(session: AsyncSession, userid: str, field: str, text: str, *, now: datetime,
                    actor: str | None = None) -> bool:
    """Add a skill, certificate or wish to ``userid``'s profile; False when it was already there."""
    if field not in FIELDS:
        raise ValueError(f"unknown profile field: {field}")
    text = text.strip()
    if not text:
        raise ValueError("empty profile entry")
    p = await _ensure(session, userid, now)
    if field == "wishes":
        current = wishes(p)
        if any(w.get("text") == text for w in current):
            return False
        current.append({"at": now.isoformat(), "text": text})
        p.wishes = json.dumps(current, ensure_ascii=False)
    else:
        values = skills(p) if field == "skills" else certificates(p)
        if text in values:
            return False
        values.append(text)
        setattr(p, field, json.dumps(values, ensure_ascii=False))
    p.updated_at = now
    await session.flush()
    await audit.record(session, now, actor or userid, "talent_profile_add", "talent_profile", userid, field)
    return True


# --- lecturers -------------------------------------------------------------------


async def lecturer(session: AsyncSession, userid: str) -> Lecturer | None:
    row = await session.get(Lecturer, userid)
    return row if row is not None and row.active else None


async def lecturers(session: AsyncSession, *, include_inactive: bool = False) -> list[Lecturer]:
    stmt = select(Lecturer)
    if not include_inactive:
        stmt = stmt.where(Lecturer.active.is_(True))
    return list((await session.execute(stmt.order_by(Lecturer.agreed_at, Lecturer.userid))).scalars())


async def add_lecturer(session: AsyncSession, userid: str, specialty: str, *, now: datetime,
                       actor: str) -> tuple[Lecturer, bool]:
    """Record that ``userid`` agreed to teach ``specialty``. Returns (row, created)."""
    row = await session.get(Lecturer, userid)
    created = row is None or not row.active
    if row is None:
        row = Lecturer(userid=userid, specialty=specialty[:128], agreed_at=now, active=True)
        session.add(row)
    else:
        row.specialty, row.active = specialty[:128], True
        if created:
            row.agreed_at = now
    await session.flush()
    await audit.record(session, now, actor, "lecturer_added" if created else "lecturer_updated", "lecturer", userid)
    return row, created


async def remove_lecturer(session: AsyncSession, userid: str, *, now: datetime, actor: str) -> bool:
    row = await session.get(Lecturer, userid)
    if row is None or not row.active:
        return False
    row.active = False
    await session.flush()
    await audit.record(session, now, actor, "lecturer_removed", "lecturer", userid)
    return True


# --- reserve talent --------------------------------------------------------------


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
    c = ReserveCandidate(userid=userid, recommended_by=by, reason=reason.strip(), status="recommended",
                         created_at=now)
    session.add(c)
    await session.flush()
    await audit.record(session, now, by, "reserve_recommended", "reserve_candidate", c.id, "recommended")
    return c, True


async def add_review(session: AsyncSession, candidate: ReserveCandidate, *, reviewer: str, aspect: str, note: str,
                     now: datetime) -> ReserveReview:
    """骨干考察: a member's note; moves a ``recommended`` candidate to ``reviewing``."""
    if aspect not in ASPECTS:
        raise ValueError(f"unknown aspect: {aspect}")
    if candidate.status not in OPEN_STATUSES:
        raise ValueError("candidate already decided")
    r = ReserveReview(candidate_id=candidate.id, reviewer=reviewer, aspect=aspect, note=note.strip(), at=now)
    session.add(r)
    before = candidate.status
    candidate.status = "reviewing"
    await session.flush()
    await audit.record(session, now, reviewer, "reserve_reviewed", "reserve_candidate", candidate.id,
                       f"{aspect} {before}->reviewing")
    return r


async def decide(session: AsyncSession, candidate: ReserveCandidate, *, by: str, approved: bool, note: str,
                 now: datetime) -> None:
    """综合认定 by the secretary."""
    if candidate.status not in OPEN_STATUSES:
        raise ValueError("candidate already decided")
    before = candidate.status
    candidate.status = "approved" if approved else "rejected"
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
        stmt = stmt.where(ReserveCandidate.status == status) if isinstance(status, str) else \
            stmt.where(ReserveCandidate.status.in_(status))
    if since is not None:
        stmt = stmt.where(ReserveCandidate.created_at >= since)
    if until is not None:
        stmt = stmt.where(ReserveCandidate.created_at < until)
    stmt = stmt.order_by(ReserveCandidate.created_at, ReserveCandidate.id).limit(limit).offset(offset)
    return list((await session.execute(stmt)).scalars())


async def reviews(session: AsyncSession, candidate_id: int) -> list[ReserveReview]:
    stmt = select(ReserveReview).where(ReserveReview.candidate_id == candidate_id).order_by(ReserveReview.at,
                                                                                             ReserveReview.id)
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
