"""Practical-deed items (and incidents, which share the numbering), their history, routing."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.base import Base, BranchScoped, UTCDateTime


class Item(BranchScoped, Base):
    """A practical-deed item (办实事) or an incident, numbered #N per branch.

    kind: deed | incident.
    status (deed): submitted -> accepted -> in_progress -> resolved -> closed, or reopened.
    status (incident): open -> acknowledged -> closed.
    """

    __tablename__ = "items"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    number: Mapped[int] = mapped_column(Integer)  # #N, unique per branch
    kind: Mapped[str] = mapped_column(String(16), default="deed")
    category: Mapped[str] = mapped_column(String(32), default="other")
    requester: Mapped[str] = mapped_column(String(64), index=True)
    owner: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    team: Mapped[str] = mapped_column(String(64), default="")
    title: Mapped[str] = mapped_column(String(128))
    text: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), index=True)
    urgent: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    first_response_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    satisfaction: Mapped[str | None] = mapped_column(String(16), nullable=True)  # satisfied | unsatisfied
    close_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    closed_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    reopen_count: Mapped[int] = mapped_column(Integer, default=0)

    # deeds and incidents of a period (the committee's response and incident figures)
    __table_args__ = (UniqueConstraint("branch_id", "number"), Index("ix_items_kind_created_at", "kind", "created_at"),
                      Index("ix_items_branch_kind_status", "branch_id", "kind", "status"))  # a branch's open ones


class ItemEvent(BranchScoped, Base):
    """The history of an item: every state change, progress note and assignment."""

    __tablename__ = "item_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    item_id: Mapped[int] = mapped_column(Integer, index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    actor: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(32))
    note: Mapped[str] = mapped_column(Text, default="")
    from_status: Mapped[str | None] = mapped_column(String(16), nullable=True)
    to_status: Mapped[str | None] = mapped_column(String(16), nullable=True)

    __table_args__ = (Index("ix_item_events_kind_at", "kind", "at"),)  # closes and reopens of a period


class Routing(BranchScoped, Base):
    """Secretary-editable: a deed category goes to a named owner instead of the zone member."""

    __tablename__ = "routing"

    category: Mapped[str] = mapped_column(String(32), primary_key=True)
    branch_id: Mapped[int] = mapped_column(Integer, ForeignKey("branches.id"), primary_key=True, index=True)
    owner: Mapped[str] = mapped_column(String(64))
    updated_by: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
