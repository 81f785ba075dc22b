"""Every state change of a project: the row is locked, the lifecycle checked and the change written,
with its history row and audit line, in the caller's transaction.

Rows are re-read ``FOR UPDATE`` (PostgreSQL; SQLite serialises writers), so of two people completing
one milestone at the same moment the second sees the first's result and gets a clear refusal
(:class:`storage.errors.Refused`) instead of both succeeding.
"""

from __future__ import annotations

from datetime import datetime
from typing import TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from storage.locking import lock_row
from storage import people
from storage.assist.lifecycle import Action, Assessment, UpdateKind, check, check_milestone
from storage.assist.models import Milestone, Project, ProjectUpdate
from storage.assist.repo import add_update
from storage.errors import Refused

R = TypeVar("R", Project, Milestone)




async def may_assess(session: AsyncSession, project: Project, actor: str) -> None:
    """:class:`Refused` unless ``actor`` is the lead and the project is still active."""
    if actor != project.lead:
        lead = await people.name_of(session, project.lead, "—")
        raise Refused(f"帮扶{project.number}号的成效评估只能由负责人{lead}进行，这次没有改变项目状态。")
    check(Action.ASSESS, project)


async def add_progress(session: AsyncSession, project: Project, *, now: datetime, author: str,
                       text: str) -> ProjectUpdate:
    """A progress note from the lead or a responsible member (active projects only)."""
    await lock_row(session, project)
    check(Action.PROGRESS, project)
    return await add_update(session, project, now=now, author=author, kind=UpdateKind.PROGRESS, text=text)


async def add_feedback(session: AsyncSession, project: Project, *, now: datetime, author: str,
                       text: str) -> ProjectUpdate:
    """Feedback from someone the project is for (taken before and after it is closed)."""
    check(Action.FEEDBACK, project)
    return await add_update(session, project, now=now, author=author, kind=UpdateKind.FEEDBACK, text=text)


async def complete_milestone(session: AsyncSession, project: Project, milestone: Milestone, *, now: datetime,
                             actor: str, note: str = "") -> None:
    """Mark ``milestone`` done; :class:`Refused` when it already is or the project is closed."""
    await lock_row(session, project)
    check(Action.COMPLETE, project)
    await lock_row(session, milestone)
    milestone.status = check_milestone(project, milestone)
    milestone.done_at = now
    await session.flush()
    await add_update(session, project, now=now, author=actor, kind=UpdateKind.MILESTONE, text=note or milestone.title,
                     milestone_id=milestone.id, action="project_milestone_done",
                     detail=f"帮扶{project.number}号 里程碑{milestone.position} open->done")


async def assess(session: AsyncSession, project: Project, *, now: datetime, actor: str, result: Assessment,
                 note: str) -> None:
    """The lead's final assessment: the project is closed."""
    result = Assessment(result)
    await lock_row(session, project)
    await may_assess(session, project, actor)
    project.status = check(Action.ASSESS, project)
    project.assessment = result
    project.assessment_note = note
    project.closed_at = now
    await session.flush()
    await add_update(session, project, now=now, author=actor, kind=UpdateKind.ASSESSMENT,
                     text=f"{result.label}：{note}" if note else result.label,
                     action="project_assessed", detail=f"帮扶{project.number}号 active->closed {result}")
