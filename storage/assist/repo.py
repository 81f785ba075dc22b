"""Assistance projects (精准帮扶): numbering, creation, reads, and who is involved in a project.

Handlers decide what to say; storage does every write (project row, milestone, ``ProjectUpdate``
history row, audit line) inside the caller's session. State changes are in ``storage.assist.actions``.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage import audit, deeds, numbering, people
from storage.assist.lifecycle import MilestoneStatus, ProjectStatus, TargetType, UpdateKind
from storage.assist.models import Milestone, Project, ProjectUpdate
from storage.sqlsets import among

COUNTER = "project"
OBJECT = "project"
TITLE_LIMIT = 128


def members_of(project: Project) -> list[str]:
    """The responsible members' userids (the lead not included unless listed)."""
    try:
        value = json.loads(project.members or "[]")
    except ValueError:
        return []
    return [str(v) for v in value] if isinstance(value, list) else []


def team_of(project: Project) -> list[str]:
    """Lead first, then the responsible members, without repeats."""
    return list(dict.fromkeys([project.lead, *members_of(project)]))


def next_open(milestones: Sequence[Milestone]) -> Milestone | None:
    """The earliest open milestone."""
    open_ = [m for m in milestones if m.status == MilestoneStatus.OPEN]
    return min(open_, key=lambda m: (m.due, m.position)) if open_ else None


def overdue_milestones_of(milestones: Sequence[Milestone], today: date) -> list[Milestone]:
    """Open milestones whose day has passed."""
    return [m for m in milestones if m.status == MilestoneStatus.OPEN and m.due < today]


def done_count(milestones: Sequence[Milestone]) -> int:
    return sum(1 for m in milestones if m.status == MilestoneStatus.DONE)


# --- numbering -------------------------------------------------------------------


async def next_number(session: AsyncSession) -> int:
    """Allocate the next project number (counter row ``project``), safe under concurrency."""
    return await numbering.next_number(session, COUNTER, Project.number)


# --- reads -----------------------------------------------------------------------


async def get_by_number(session: AsyncSession, n: int) -> Project | None:
    if not numbering.in_range(n):
        return None
    return (await session.execute(select(Project).where(Project.number == n))).scalar_one_or_none()


async def active(session: AsyncSession) -> list[Project]:
    """Projects in progress, by number."""
    stmt = select(Project).where(Project.status == ProjectStatus.ACTIVE).order_by(Project.number)
    return list((await session.execute(stmt)).scalars())


async def milestones(session: AsyncSession, project_id: int) -> list[Milestone]:
    stmt = select(Milestone).where(Milestone.project_id == project_id).order_by(Milestone.position, Milestone.id)
    return list((await session.execute(stmt)).scalars())


async def milestones_for(session: AsyncSession, project_ids: Sequence[int]) -> dict[int, list[Milestone]]:
    """project id -> its milestones by position."""
    out: dict[int, list[Milestone]] = {i: [] for i in project_ids}
    if not project_ids:
        return out
    stmt = select(Milestone).where(among(session, Milestone.project_id, project_ids)).order_by(
        Milestone.project_id, Milestone.position, Milestone.id)
    for m in (await session.execute(stmt)).scalars():
        out.setdefault(m.project_id, []).append(m)
    return out


async def active_by_branch(session: AsyncSession) -> dict[int, list[Project]]:
    """branch -> :func:`active` of that branch, for every branch the session sees, in one query."""
    out: dict[int, list[Project]] = {}
    for p in await active(session):
        out.setdefault(p.branch_id, []).append(p)
    return out


async def active_milestones_by_branch(session: AsyncSession) -> dict[int, dict[int, list[Milestone]]]:
    """branch -> :func:`milestones_for` its active projects (one query; a project without any is absent)."""
    stmt = (select(Milestone).join(Project, Project.id == Milestone.project_id)
            .where(Project.status == ProjectStatus.ACTIVE)
            .order_by(Milestone.project_id, Milestone.position, Milestone.id))
    out: dict[int, dict[int, list[Milestone]]] = {}
    for m in (await session.execute(stmt)).scalars():
        out.setdefault(m.branch_id, {}).setdefault(m.project_id, []).append(m)
    return out


async def updates(session: AsyncSession, project_id: int) -> list[ProjectUpdate]:
    """The project's history, oldest first."""
    stmt = select(ProjectUpdate).where(ProjectUpdate.project_id == project_id).order_by(
        ProjectUpdate.at, ProjectUpdate.id)
    return list((await session.execute(stmt)).scalars())


async def affected(session: AsyncSession, project: Project) -> list[str]:
    """The employees the project is for: the target team's people, the target person, or the
    target item's requester."""
    if project.target_type == TargetType.TEAM:
        return [p.userid for p in await people.team_members(session, project.target)]
    if project.target_type == TargetType.PERSON:
        return [project.target]
    if project.target_type == TargetType.ITEM and project.target.isdigit():
        item = await deeds.get_by_number(session, int(project.target))
        return [item.requester] if item is not None else []
    return []


@dataclass(frozen=True)
class Involvement:
    """How someone stands to a project: what they may see and report."""

    lead: bool
    member: bool
    affected: bool
    secretary: bool
    affected_ids: list[str] = field(default_factory=list)

    @property
    def responsible(self) -> bool:
        """The lead or a responsible member: reports progress, sees everything."""
        return self.lead or self.member

    @property
    def involved(self) -> bool:
        """May see the project at all."""
        return self.responsible or self.affected or self.secretary


async def involvement(session: AsyncSession, project: Project, userid: str, *, secretary: bool) -> Involvement:
    hit = await affected(session, project)
    return Involvement(lead=userid == project.lead, member=userid in members_of(project), affected=userid in hit,
                       secretary=secretary, affected_ids=hit)


# --- writes that are not transitions -----------------------------------------------


async def add_update(session: AsyncSession, project: Project, *, now: datetime, author: str, kind: UpdateKind,
                     text: str = "", milestone_id: int | None = None, action: str | None = None,
                     detail: str = "") -> ProjectUpdate:
    """A history row and its audit line."""
    row = ProjectUpdate(project_id=project.id, at=now, author=author, kind=kind, text=text, milestone_id=milestone_id)
    session.add(row)
    await audit.record(session, now, author, action or f"project_{kind}", OBJECT, project.id,
                       detail or f"帮扶{project.number}号")
    await session.flush()
    return row


async def create(session: AsyncSession, *, now: datetime, actor: str, title: str, target_type: str, target: str,
                 goal: str, criteria: str, lead: str, members: Sequence[str], deadline: date | None,
                 milestone_list: Sequence[tuple[date, str]] = ()) -> Project:
    """A new active project with the next number, its milestones and its ``created`` update."""
    kind = TargetType(target_type)  # ValueError for an unknown type
    number = await next_number(session)
    project = Project(number=number, title=title[:TITLE_LIMIT], target_type=kind, target=target, goal=goal,
                      criteria=criteria, lead=lead, members=json.dumps(list(dict.fromkeys(members))),
                      deadline=deadline, status=ProjectStatus.ACTIVE, created_by=actor, created_at=now)
    session.add(project)
    await session.flush()
    for position, (due, what) in enumerate(sorted(milestone_list, key=lambda m: m[0]), start=1):
        session.add(Milestone(project_id=project.id, position=position, title=what[:128], due=due,
                              status=MilestoneStatus.OPEN))
    await add_update(session, project, now=now, author=actor, kind=UpdateKind.CREATED, text=title,
                     detail=f"帮扶{number}号 target={kind}:{target} lead={lead}")
    return project


async def record_view(session: AsyncSession, project: Project, *, now: datetime, actor: str,
                      allowed: bool = True) -> None:
    await audit.record(session, now, actor, "project_view" if allowed else "project_view_denied", OBJECT,
                       project.id, f"帮扶{project.number}号")
