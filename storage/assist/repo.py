"""Assistance projects (精准帮扶): numbering, milestones, updates, assessment.

Handlers decide who may do what and what to say; this module does every write
(project row, milestone, ``ProjectUpdate`` history row, audit line) inside the
caller's session.

Lifecycle of a project::

    active --(lead's assessment: met | partly | not_met)--> closed

Milestones go ``open -> done``. Every change leaves a ``ProjectUpdate`` (``created``,
``progress``, ``feedback``, ``milestone``, ``assessment``) and an audit line.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage import audit, numbering
from storage.assist.models import Milestone, Project, ProjectUpdate
from storage.deeds.models import Item
from storage.people.models import Person

COUNTER = "project"
OBJECT = "project"

STATUSES = ("active", "closed")
STATUS_CN: dict[str, str] = {"active": "进行中", "closed": "已结项"}
ASSESSMENTS = ("met", "partly", "not_met")
ASSESSMENT_CN: dict[str, str] = {"met": "达成", "partly": "部分达成", "not_met": "未达成"}
ASSESSMENT_BY_CN: dict[str, str] = {v: k for k, v in ASSESSMENT_CN.items()}
TARGET_TYPES = ("team", "person", "item")
TARGET_CN: dict[str, str] = {"team": "班组", "person": "个人", "item": "事项"}
UPDATE_CN: dict[str, str] = {
    "created": "立项",
    "progress": "进展",
    "feedback": "意见反馈",
    "milestone": "里程碑完成",
    "assessment": "成效评估",
}
MILESTONE_CN: dict[str, str] = {"open": "未完成", "done": "已完成"}

TITLE_LIMIT = 128


@dataclass(frozen=True)
class Page:
    rows: list[Project]
    total: int


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
    open_ = [m for m in milestones if m.status == "open"]
    return min(open_, key=lambda m: (m.due, m.position)) if open_ else None


def overdue_milestones_of(milestones: Sequence[Milestone], today: date) -> list[Milestone]:
    """Open milestones whose day has passed."""
    return [m for m in milestones if m.status == "open" and m.due < today]


# --- numbering -------------------------------------------------------------------


async def next_number(session: AsyncSession) -> int:
    """Allocate the next project number (counter row ``project``), safe under concurrency."""
    return await numbering.next_number(session, COUNTER, Project.number)


# --- reads -----------------------------------------------------------------------


async def get_by_number(session: AsyncSession, n: int) -> Project | None:
    return (await session.execute(select(Project).where(Project.number == n))).scalar_one_or_none()


async def list_projects(session: AsyncSession, *, status: Sequence[str] | None = None, lead: str | None = None,
                        created_from: datetime | None = None, created_to: datetime | None = None,
                        limit: int | None = 50, offset: int = 0) -> Page:
    """Projects by number; ``created_to`` is exclusive."""
    stmt = select(Project).order_by(Project.number)
    if status:
        stmt = stmt.where(Project.status.in_(list(status)))
    if lead:
        stmt = stmt.where(Project.lead == lead)
    if created_from is not None:
        stmt = stmt.where(Project.created_at >= created_from)
    if created_to is not None:
        stmt = stmt.where(Project.created_at < created_to)
    total = int((await session.execute(select(func.count()).select_from(stmt.order_by(None).subquery()))).scalar_one())
    if limit is not None:
        stmt = stmt.limit(limit)
    rows = list((await session.execute(stmt.offset(offset))).scalars())
    return Page(rows, total)


async def active(session: AsyncSession) -> list[Project]:
    return (await list_projects(session, status=("active",), limit=None)).rows


async def milestones(session: AsyncSession, project_id: int) -> list[Milestone]:
    stmt = select(Milestone).where(Milestone.project_id == project_id).order_by(Milestone.position, Milestone.id)
    return list((await session.execute(stmt)).scalars())


async def milestones_for(session: AsyncSession, project_ids: Sequence[int]) -> dict[int, list[Milestone]]:
    """project id -> its milestones by position."""
    out: dict[int, list[Milestone]] = {i: [] for i in project_ids}
    if not project_ids:
        return out
    stmt = select(Milestone).where(Milestone.project_id.in_(list(project_ids))).order_by(
        Milestone.project_id, Milestone.position, Milestone.id)
    for m in (await session.execute(stmt)).scalars():
        out.setdefault(m.project_id, []).append(m)
    return out


async def updates(session: AsyncSession, project_id: int) -> list[ProjectUpdate]:
    """The project's history, oldest first."""
    stmt = select(ProjectUpdate).where(ProjectUpdate.project_id == project_id).order_by(
        ProjectUpdate.at, ProjectUpdate.id)
    return list((await session.execute(stmt)).scalars())


async def all_updates(session: AsyncSession) -> list[ProjectUpdate]:
    stmt = select(ProjectUpdate).order_by(ProjectUpdate.project_id, ProjectUpdate.at, ProjectUpdate.id)
    return list((await session.execute(stmt)).scalars())


async def affected(session: AsyncSession, project: Project) -> list[str]:
    """The employees the project is for: the target team's people, the target person, or the
    target item's requester."""
    if project.target_type == "team":
        rows = await session.execute(select(Person.userid).where(Person.team == project.target).order_by(Person.userid))
        return list(rows.scalars())
    if project.target_type == "person":
        return [project.target]
    if project.target_type == "item" and project.target.isdigit():
        item = (await session.execute(select(Item).where(Item.number == int(project.target)))).scalar_one_or_none()
        return [item.requester] if item is not None else []
    return []


async def closed_between(session: AsyncSession, start: datetime, end: datetime) -> list[Project]:
    stmt = select(Project).where(Project.status == "closed", Project.closed_at >= start, Project.closed_at < end)
    return list((await session.execute(stmt.order_by(Project.number))).scalars())


# --- writes ----------------------------------------------------------------------


async def _update(session: AsyncSession, project: Project, *, now: datetime, author: str, kind: str, text: str = "",
                  milestone_id: int | None = None, action: str | None = None, detail: str = "") -> ProjectUpdate:
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
    if target_type not in TARGET_TYPES:
        raise ValueError(f"unknown target type {target_type!r}")
    number = await next_number(session)
    project = Project(number=number, title=title[:TITLE_LIMIT], target_type=target_type, target=target, goal=goal,
                      criteria=criteria, lead=lead, members=json.dumps(list(dict.fromkeys(members))),
                      deadline=deadline, status="active", created_by=actor, created_at=now)
    session.add(project)
    await session.flush()
    for position, (due, what) in enumerate(sorted(milestone_list, key=lambda m: m[0]), start=1):
        session.add(Milestone(project_id=project.id, position=position, title=what[:128], due=due, status="open"))
    await _update(session, project, now=now, author=actor, kind="created", text=title,
                  detail=f"帮扶{number}号 target={target_type}:{target} lead={lead}")
    return project


async def add_progress(session: AsyncSession, project: Project, *, now: datetime, author: str,
                       text: str) -> ProjectUpdate:
    return await _update(session, project, now=now, author=author, kind="progress", text=text)


async def add_feedback(session: AsyncSession, project: Project, *, now: datetime, author: str,
                       text: str) -> ProjectUpdate:
    return await _update(session, project, now=now, author=author, kind="feedback", text=text)


async def complete_milestone(session: AsyncSession, project: Project, milestone: Milestone, *, now: datetime,
                             actor: str, note: str = "") -> bool:
    """Mark ``milestone`` done; False (nothing changed) when it already was."""
    if milestone.status == "done":
        return False
    milestone.status = "done"
    milestone.done_at = now
    await session.flush()
    await _update(session, project, now=now, author=actor, kind="milestone", text=note or milestone.title,
                  milestone_id=milestone.id, action="project_milestone_done",
                  detail=f"帮扶{project.number}号 里程碑{milestone.position} open->done")
    return True


async def assess(session: AsyncSession, project: Project, *, now: datetime, actor: str, result: str,
                 note: str) -> None:
    """The lead's final assessment: the project is closed."""
    if result not in ASSESSMENTS:
        raise ValueError(f"unknown assessment {result!r}")
    if project.status != "active":
        raise ValueError("project already closed")
    project.status = "closed"
    project.assessment = result
    project.assessment_note = note
    project.closed_at = now
    await session.flush()
    await _update(session, project, now=now, author=actor, kind="assessment",
                  text=f"{ASSESSMENT_CN[result]}：{note}" if note else ASSESSMENT_CN[result],
                  action="project_assessed", detail=f"帮扶{project.number}号 active->closed {result}")


async def record_view(session: AsyncSession, project: Project, *, now: datetime, actor: str,
                      allowed: bool = True) -> None:
    await audit.record(session, now, actor, "project_view" if allowed else "project_view_denied", OBJECT,
                       project.id, f"帮扶{project.number}号")
