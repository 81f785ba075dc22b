"""One branch as the committee sees it (/支部 X): its secretary, members, overdue deeds; who the officers are.

Names of people and titles of deeds only: nothing of the key-attention ledger but a count
(``figures.attention``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.deeds import Item
from storage.deeds.queries import overdue_clause
from storage.people import STAFF, Branch, Role
from storage.people.models import Person
from storage.people.branches import number_label

MEMBERS_SHOWN = 30
OVERDUE_SHOWN = 10


@dataclass(frozen=True)
class OverdueDeed:
    label: str  # ``运行-12``: the committee sees numbers across branches
    title: str
    owner: str  # the owner's name, or "（未指定）"
    due_at: datetime | None


@dataclass(frozen=True)
class BranchDetail:
    branch: Branch
    secretaries: list[str]  # names
    members: list[str]  # party members' names (the secretary included), at most ``MEMBERS_SHOWN``
    member_count: int
    officers: list[str]  # committee officers in this branch
    overdue: list[OverdueDeed]  # at most ``OVERDUE_SHOWN``, oldest number first


async def detail(session: AsyncSession, branch: Branch, now: datetime) -> BranchDetail:
    """``branch``'s people and overdue deeds (the session sees every branch; this reads one)."""
    here = (Person.branch_id == branch.id, Person.active.is_(True))
    secretaries = (await session.execute(select(Person.name).where(*here, Person.role == Role.SECRETARY)
                                         .order_by(Person.name))).scalars()
    staff = (Person.role.in_(tuple(STAFF)),)
    members = (await session.execute(select(Person.name).where(*here, *staff).order_by(Person.role.desc(), Person.name)
                                     .limit(MEMBERS_SHOWN))).scalars()
    count = (await session.execute(select(func.count()).select_from(Person).where(*here, *staff))).scalar_one()
    officers = (await session.execute(select(Person.name).where(*here, Person.committee.is_(True))
                                      .order_by(Person.name))).scalars()
    rows = await session.execute(
        select(Item.number, Item.title, Person.name, Item.due_at)
        .outerjoin(Person, Person.userid == Item.owner)
        .where(Item.branch_id == branch.id, overdue_clause(now)).order_by(Item.number).limit(OVERDUE_SHOWN))
    overdue = [OverdueDeed(number_label(branch.code, n, here=False), title, owner or "（未指定）", due)
               for n, title, owner, due in rows.all()]
    return BranchDetail(branch, list(secretaries), list(members), int(count), list(officers), overdue)


async def officers(session: AsyncSession) -> list[str]:
    """Every active committee officer's userid, in every branch (the session must see every branch)."""
    stmt = select(Person.userid).where(Person.committee.is_(True), Person.active.is_(True)).order_by(Person.userid)
    return list((await session.execute(stmt)).scalars())

