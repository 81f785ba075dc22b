"""Trainings and activities people sign up for and attend."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.base import Base, BranchScoped, UTCDateTime


class Gathering(BranchScoped, Base):
    """A training course or a team activity people sign up for and attend."""

    __tablename__ = "events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(16))  # training | activity
    number: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(128))
    category: Mapped[str] = mapped_column(String(32), default="")  # activity: study_trip | contest | sports | other
    lecturer: Mapped[str | None] = mapped_column(String(64), nullable=True)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    place: Mapped[str] = mapped_column(String(128), default="")
    capacity: Mapped[int] = mapped_column(Integer, default=0)  # 0: unlimited
    team: Mapped[str] = mapped_column(String(64), default="")  # activity for one team, or all
    status: Mapped[str] = mapped_column(String(16), default="open")  # open | cancelled | done
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (UniqueConstraint("branch_id", "kind", "number"), Index("ix_events_starts_at", "starts_at"))


class Signup(BranchScoped, Base):
    __tablename__ = "signups"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    event_id: Mapped[int] = mapped_column(Integer, index=True)
    userid: Mapped[str] = mapped_column(String(64))
    signed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    status: Mapped[str] = mapped_column(String(16), default="signed")  # signed | cancelled
    attended: Mapped[bool] = mapped_column(default=False)

    __table_args__ = (UniqueConstraint("event_id", "userid"),)
