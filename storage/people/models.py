"""The organisation's tables: branches (支部) under the committee (党委), and the roster."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, Index, Integer, String, column, func, literal, select, table
from sqlalchemy.orm import Mapped, mapped_column

from storage.base import Base, BranchScoped, UTCDateTime


class Branch(Base):
    """A Party branch. ``code`` is its short name: ``#N`` of another branch is shown as ``code-N``."""

    __tablename__ = "branches"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    name: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


_COUNTERS = table("counters", column("name"), column("value"))
# The roster's version as it is in this transaction: every write to people bumps it first
# (``storage.people.version``), so a row written now carries the version that made the change.
_ROSTER_VERSION = func.coalesce(
    select(_COUNTERS.c.value).where(_COUNTERS.c.name == literal("roster")).scalar_subquery(), 0)


class Person(BranchScoped, Base):
    """A roster entry, in one branch. ``zone_member`` is the party member whose 责任区 the person is in.

    ``committee``: a committee officer (党委委员/工作人员) sees every branch, read-only.
    ``active`` is False for someone who left (the directory no longer has them); their records stay.
    """

    __tablename__ = "people"

    userid: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(64))
    role: Mapped[str] = mapped_column(String(16))  # employee | member | secretary, in their branch
    team: Mapped[str] = mapped_column(String(64), default="")
    party_group: Mapped[str] = mapped_column(String(64), default="", server_default="")  # 党小组
    zone_member: Mapped[str | None] = mapped_column(String(64), nullable=True)
    grid_leader: Mapped[bool] = mapped_column(default=False, server_default="0")  # 网格长 of their team
    committee: Mapped[bool] = mapped_column(default=False, server_default="0")
    active: Mapped[bool] = mapped_column(default=True, server_default="1")
    phone: Mapped[str] = mapped_column(String(32), default="", server_default="")
    retire_on: Mapped[date | None] = mapped_column(Date, nullable=True)  # for retirement visits
    department: Mapped[int | None] = mapped_column(Integer, nullable=True)  # WeCom department id, if synced
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # the roster's version at this row's last write: what changed since a version is one indexed read
    roster_version: Mapped[int] = mapped_column(Integer, default=_ROSTER_VERSION, onupdate=_ROSTER_VERSION,
                                                server_default="0")

    __table_args__ = (Index("ix_people_roster_version", "roster_version"), Index("ix_people_branch_name", "branch_id", "name"), Index("ix_people_zone", "zone_member"),
                      Index("ix_people_branch_team", "branch_id", "team"),
                      Index("ix_people_branch_role", "branch_id", "role"), Index("ix_people_retire_on", "retire_on"))


class DirectoryChange(Base):
    """A ``change_contact`` event waiting to be applied: which member or department to look at again.

    The event is only a hint; the directory worker reads the member (or the department tree) from
    WeCom outside any transaction and applies what it finds, so applying one twice changes nothing.
    """

    __tablename__ = "directory_changes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    change: Mapped[str] = mapped_column(String(16))  # ChangeType: create_user, update_party…
    userid: Mapped[str] = mapped_column(String(64), default="", server_default="")
    new_userid: Mapped[str] = mapped_column(String(64), default="", server_default="")  # a renamed account
    department: Mapped[int | None] = mapped_column(Integer, nullable=True)  # Id of a department change
    received_at: Mapped[datetime] = mapped_column(UTCDateTime())
