"""The duty roster."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Date, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.base import Base, BranchScoped


class Duty(BranchScoped, Base):
    """Who is on duty on a day, and how to reach them."""

    __tablename__ = "duty"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    day: Mapped[date] = mapped_column(Date, index=True)
    userid: Mapped[str] = mapped_column(String(64))
    phone: Mapped[str] = mapped_column(String(32), default="")
    note: Mapped[str] = mapped_column(String(128), default="")

    __table_args__ = (UniqueConstraint("day", "userid"),)
