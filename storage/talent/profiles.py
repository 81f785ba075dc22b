"""Talent profiles (skills, certificates, wishes) and the internal lecturers (内训师)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage import audit
from storage.talent.lifecycle import ProfileField
from storage.talent.models import Lecturer, TalentProfile


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
    try:
        which = ProfileField(field)
    except ValueError:
        raise ValueError(f"unknown profile field: {field}") from None
    text = text.strip()
    if not text:
        raise ValueError("empty profile entry")
    p = await _ensure(session, userid, now)
    if which is ProfileField.WISHES:
        current = wishes(p)
        if any(w.get("text") == text for w in current):
            return False
        current.append({"at": now.isoformat(), "text": text})
        p.wishes = json.dumps(current, ensure_ascii=False)
    else:
        values = skills(p) if which is ProfileField.SKILLS else certificates(p)
        if text in values:
            return False
        values.append(text)
        setattr(p, which.value, json.dumps(values, ensure_ascii=False))
    p.updated_at = now
    await session.flush()
    await audit.record(session, now, actor or userid, "talent_profile_add", "talent_profile", userid, which.value)
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
