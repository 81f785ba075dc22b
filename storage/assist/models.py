"""Assistance projects (精准帮扶)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.base import Base, BranchScoped, UTCDateTime


class Project(BranchScoped, Base):
    """An assistance project (精准帮扶) for a team, a person or an item."""

    __tablename__ = "projects"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    number: Mapped[int] = mapped_column(Integer)  # unique per branch
    title: Mapped[str] = mapped_column(String(128))
    target_type: Mapped[str] = mapped_column(String(16))  # team | person | item
    target: Mapped[str] = mapped_column(String(64))
    goal: Mapped[str] = mapped_column(Text, default="")
    criteria: Mapped[str] = mapped_column(Text, default="")  # how success will be judged
    lead: Mapped[str] = mapped_column(String(64))
    members: Mapped[str] = mapped_column(Text, default="[]")  # JSON list of userids
    deadline: Mapped[date | None] = mapped_column(Date, nullable=True)
    status: Mapped[str] = mapped_column(String(16), default="active")  # active | closed
    assessment: Mapped[str | None] = mapped_column(String(16), nullable=True)  # met | partly | not_met
    assessment_note: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)

    __table_args__ = (UniqueConstraint("branch_id", "number"),)


class Milestone(BranchScoped, Base):
    __tablename__ = "milestones"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    project_id: Mapped[int] = mapped_column(Integer, index=True)
    position: Mapped[int] = mapped_column(Integer, default=1)
    title: Mapped[str] = mapped_column(String(128))
    due: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default="open")  # open | done
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class ProjectUpdate(BranchScoped, Base):
    """Progress from members, feedback from the people affected, the final assessment."""

    __tablename__ = "project_updates"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    project_id: Mapped[int] = mapped_column(Integer, index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    author: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(16))  # progress | feedback | milestone | assessment | created
    text: Mapped[str] = mapped_column(Text, default="")
    milestone_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
