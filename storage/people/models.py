"""The roster's table."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, String
from sqlalchemy.orm import Mapped, mapped_column

from storage.base import Base, UTCDateTime


class Person(Base):
    """A roster entry. ``zone_member`` is the party member whose 责任区 the person is in."""

    __tablename__ = "people"

    userid: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(64))
    role: Mapped[str] = mapped_column(String(16))  # employee | member | secretary
    team: Mapped[str] = mapped_column(String(64), default="")
    zone_member: Mapped[str | None] = mapped_column(String(64), nullable=True)
    grid_leader: Mapped[bool] = mapped_column(default=False, server_default="0")  # 网格长 of their team
    phone: Mapped[str] = mapped_column(String(32), default="", server_default="")
    retire_on: Mapped[date | None] = mapped_column(Date, nullable=True)  # for retirement visits
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
