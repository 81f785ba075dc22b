"""Handing someone's open work to someone else in one branch: when a person leaves the directory or
moves to another branch (to the branch secretary), or their WeCom account is renamed (to the new one).

Open work: deeds they own that are not done (reassigned: the new owner accepts again), open
incidents they own, 精密关注 entries they are responsible for, open visit tasks, active 帮扶 projects
they lead, routing rules naming them. The people in their 责任区 are left without a 联系党员 (or,
for a renamed account, keep it under the new account). Every change has its audit line; what was
theirs and is done stays theirs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from typing import TypeVar

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage import audit
from storage.assist.lifecycle import ProjectStatus
from storage.assist.lifecycle import label as project_label
from storage.assist.models import Project
from storage.care.lifecycle import CareStatus, TaskStatus
from storage.care.models import CareEntry, VisitTask
from storage.deeds import actions as deed_actions
from storage.deeds.lifecycle import WORKING, EventKind, ItemKind
from storage.deeds.models import Item, Routing
from storage.deeds.repo import add_event
from storage.duty.lifecycle import IncidentStatus
from storage.people.lifecycle import Role
from storage.people.models import Person
from storage.scope import branch_of, set_branch

R = TypeVar("R")

ACTOR = "directory"  # who the audit log names for what the sync did


@dataclass
class Handover:
    """What went from one person to another (numbers and names, for the notice)."""

    items: list[int] = field(default_factory=list)
    care: int = 0
    tasks: int = 0
    projects: list[str] = field(default_factory=list)  # 帮扶3号「…」
    routes: int = 0
    zone: list[str] = field(default_factory=list)  # names of the people of their 责任区

    @property
    def work(self) -> bool:
        return bool(self.items or self.care or self.tasks or self.projects or self.routes)


async def secretary_of(session: AsyncSession, branch: int, *, besides: str = "") -> str | None:
    """The branch's (first) active secretary other than ``besides``."""
    stmt = select(Person.userid).where(Person.branch_id == branch, Person.role == Role.SECRETARY,
                                       Person.active.is_(True), Person.userid != besides).order_by(Person.userid)
    return (await session.execute(stmt)).scalars().first()


async def hand_over(session: AsyncSession, userid: str, to: str | None, now: datetime, *, branch: int,
                    keep_zone: bool = False) -> Handover:
    """Give ``userid``'s open work in ``branch`` to ``to`` (None: nobody to take it: it stays, and is
    only counted).

    ``keep_zone``: the people of their 责任区 get ``to`` as their 联系党员 instead of nobody.
    """
    before = branch_of(session)
    set_branch(session, branch)
    try:
        done = Handover()
        await _work(session, userid, to, now, done)
        zone = list((await session.execute(select(Person).where(Person.zone_member == userid, Person.active.is_(True))
                                           .order_by(Person.userid))).scalars())
        for person in zone:
            person.zone_member = to if keep_zone else None
            person.updated_at = now
            await audit.record(session, now, ACTOR, "zone_member", "person", person.userid, f"{userid}->{person.zone_member or ''}")
        done.zone = [p.name for p in zone]
        await session.flush()
        return done
    finally:
        set_branch(session, before)


async def _work(session: AsyncSession, userid: str, to: str | None, now: datetime, done: Handover) -> None:
    deeds = (await session.execute(select(Item).where(Item.owner == userid, Item.kind == ItemKind.DEED,
                                                      Item.status.in_(WORKING)).order_by(Item.number))).scalars()
    for item in list(deeds):
        if to is not None:
            await deed_actions.reassign(session, item, now=now, actor=ACTOR, owner=to)
        done.items.append(item.number)
    incidents = (await session.execute(select(Item).where(Item.owner == userid, Item.kind == ItemKind.INCIDENT,
                                                          Item.status != IncidentStatus.CLOSED)
                                       .order_by(Item.number))).scalars()
    for item in list(incidents):
        done.items.append(item.number)
        if to is not None:
            item.owner, item.updated_at = to, now
            await add_event(session, item, now=now, actor=ACTOR, kind=EventKind.ASSIGNED, note=f"{userid}->{to}")
    done.items.sort()
    care = await _give(session, select(CareEntry).where(
        CareEntry.responsible == userid, CareEntry.status.in_((CareStatus.ACTIVE, CareStatus.PROPOSED))),
        "responsible", userid, to, now, "care")
    tasks = await _give(session, select(VisitTask).where(VisitTask.member == userid, VisitTask.status == TaskStatus.OPEN),
                        "member", userid, to, now, "visit_task")
    projects = await _give(session, select(Project).where(Project.lead == userid, Project.status == ProjectStatus.ACTIVE)
                           .order_by(Project.number), "lead", userid, to, now, "project")
    routes = await _give(session, select(Routing).where(Routing.owner == userid), "owner", userid, to, now, "routing",
                         updated_by=ACTOR, updated_at=now)
    done.care, done.tasks, done.routes = len(care), len(tasks), len(routes)
    done.projects = [project_label(p) for p in projects]
    await session.flush()


async def _give(session: AsyncSession, stmt: Select[tuple[R]], column: str, userid: str, to: str | None,
                now: datetime, object_type: str, **also: object) -> list[R]:
    """The rows ``stmt`` finds, given to ``to`` in ``column`` (``also`` set too, an audit line each), unless
    ``to`` is None."""
    rows = list((await session.execute(stmt)).scalars())
    for row in rows if to is not None else []:
        for name, value in {column: to, **also}.items():
            setattr(row, name, value)
        key = getattr(row, "id", None) or getattr(row, "category")
        await audit.record(session, now, ACTOR, "hand_over", object_type, key, f"{column} {userid}->{to}")
    return rows
