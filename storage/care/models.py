"""The key-attention ledger, visits and visit tasks."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from storage.base import Base, BranchScoped, UTCDateTime
from storage.care.lifecycle import CareSource, CareStatus, TaskStatus


class CareEntry(BranchScoped, Base):
    """An entry of the key-attention ledger (重点关注人群台账)."""

    __tablename__ = "care_entries"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    person: Mapped[str] = mapped_column(String(64), index=True)
    category: Mapped[str] = mapped_column(String(32))  # lifecycle.CareCategory
    responsible: Mapped[str] = mapped_column(String(64), index=True)
    status: Mapped[str] = mapped_column(String(16), default=CareStatus.ACTIVE)  # lifecycle.CareStatus
    sensitive: Mapped[bool] = mapped_column(default=True)
    interval_days: Mapped[int] = mapped_column(Integer)
    next_follow_up: Mapped[date | None] = mapped_column(Date, nullable=True)
    summary: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[str] = mapped_column(String(16), default=CareSource.SELF)  # lifecycle.CareSource
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)

    # the committee's follow-up figures (storage.committee.figures) look entries up by due date
    __table_args__ = (Index("ix_care_entries_next_follow_up", "next_follow_up"),
                      Index("ix_care_entries_branch_status_follow_up", "branch_id", "status", "next_follow_up"))


class _ForAPerson:
    """What a visit and a visit task share: a member's work for one person, maybe for a ledger entry."""

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    person: Mapped[str] = mapped_column(String(64), index=True)
    member: Mapped[str] = mapped_column(String(64), index=True)
    entry_id: Mapped[int | None] = mapped_column(Integer, nullable=True)


class Visit(_ForAPerson, BranchScoped, Base):
    """A member's visit, call or talk with someone in their zone."""

    __tablename__ = "visits"

    visited_on: Mapped[date] = mapped_column(Date)
    summary: Mapped[str] = mapped_column(Text)
    next_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    # "was this person visited between these days?" (coverage, follow-ups done on time); follow-ups by due date;
    # "was this entry ever visited?"; who was visited in a period (covering)
    __table_args__ = (Index("ix_visits_person_visited_on", "person", "visited_on"),
                      Index("ix_visits_next_date", "next_date"), Index("ix_visits_entry_id", "entry_id"),
                      Index("ix_visits_visited_on", "visited_on", "branch_id", "person"),
                      Index("ix_visits_branch_person_visited_on", "branch_id", "person", "visited_on"))


class VisitTask(_ForAPerson, BranchScoped, Base):
    """A visit someone should make (a life event, a tip, a retirement)."""

    __tablename__ = "visit_tasks"

    reason: Mapped[str] = mapped_column(String(64))  # a CareCategory value or "tip" (lifecycle.reason_label)
    due_date: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default=TaskStatus.OPEN)  # lifecycle.TaskStatus
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    dedupe_key: Mapped[str | None] = mapped_column(String(255), unique=True, nullable=True)

    __table_args__ = (Index("ix_visit_tasks_due_date", "due_date"),)  # follow-ups by due date
