"""Talent profiles, lecturers, reserve talent (精英培养)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from storage.base import Base, BranchScoped, UTCDateTime


class TalentProfile(BranchScoped, Base):
    """What a person can do and wants (精英培养)."""

    __tablename__ = "talent_profiles"

    userid: Mapped[str] = mapped_column(String(64), primary_key=True)
    skills: Mapped[str] = mapped_column(Text, default="[]")  # JSON list
    certificates: Mapped[str] = mapped_column(Text, default="[]")  # JSON list
    wishes: Mapped[str] = mapped_column(Text, default="[]")  # JSON list of {"at","text"}
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Lecturer(BranchScoped, Base):
    """The internal lecturer team: people with a specialty who agreed to teach."""

    __tablename__ = "lecturers"

    userid: Mapped[str] = mapped_column(String(64), primary_key=True)
    specialty: Mapped[str] = mapped_column(String(128))
    agreed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    active: Mapped[bool] = mapped_column(default=True)


class ReserveCandidate(BranchScoped, Base):
    """后备人才: recommended (支部推荐), reviewed (骨干考察), decided (综合认定)."""

    __tablename__ = "reserve_candidates"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    userid: Mapped[str] = mapped_column(String(64), index=True)
    recommended_by: Mapped[str] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="recommended")  # recommended | reviewing | approved | rejected
    decided_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    decision_note: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ReserveReview(BranchScoped, Base):
    """One member's review note on a candidate (never shown to the candidate)."""

    __tablename__ = "reserve_reviews"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    candidate_id: Mapped[int] = mapped_column(Integer, index=True)
    reviewer: Mapped[str] = mapped_column(String(64))
    aspect: Mapped[str] = mapped_column(String(16))  # work | conduct | colleagues | other
    note: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(UTCDateTime())
