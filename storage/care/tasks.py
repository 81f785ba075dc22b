"""Visit tasks: a visit someone should make (a life event, an accepted tip, a retirement)."""

from __future__ import annotations

from datetime import date, datetime
from functools import cache
from typing import Any

from sqlalchemy import Date, String, bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage import audit, scope
from storage.care.lifecycle import TaskAction, TaskStatus, check_task
from storage.care.models import VisitTask
from storage.workdays import kept_on


async def add_task(session: AsyncSession, now: datetime, *, person: str, member: str, entry_id: int | None,
                   reason: str, due_date: date, dedupe_key: str | None, actor: str) -> VisitTask | None:
    """A visit someone should make, due on ``due_date`` or, when that is a day off (a weekend, 元旦), the working
    day it is kept on (``storage.workdays.kept_on``); ``None`` when one with the same ``dedupe_key`` exists."""
    due_date = kept_on(due_date, now.date())
    if dedupe_key is not None:
        found = (await session.execute(
            select(VisitTask.id).where(VisitTask.dedupe_key == dedupe_key))).scalar_one_or_none()
        if found is not None:
            return None
    task = VisitTask(person=person, member=member, entry_id=entry_id, reason=reason, due_date=due_date,
                     status=TaskStatus.OPEN, created_at=now, dedupe_key=dedupe_key)
    session.add(task)
    await session.flush()
    await audit.record(session, now, actor, "created", "visit_task", task.id, f"member={member} reason={reason}")
    return task


def first_visit_key(entry_id: int) -> str:
    """One first-visit task per entry, whichever path (life event, tip) creates it."""
    return f"care-entry:{entry_id}:first-visit"


async def open_tasks(session: AsyncSession, *, person: str | None = None, member: str | None = None,
                     due_by: date | None = None, lock: bool = False) -> list[VisitTask]:
    """Open visit tasks, soonest first; ``lock``: their rows locked (to finish them)."""
    given = {"person": person, "member": member, "due_by": due_by}
    params = {k: v for k, v in given.items() if v is not None}
    rows = await scope.execute(session, _open_tasks, frozenset(params), lock, **params)
    return list(rows.scalars())


@cache
def _open_tasks(bound: bool, given: frozenset[str], lock: bool) -> Any:
    """:func:`open_tasks`'s statement for the filters ``given``, built once (/我的 and visit reports read it)."""
    stmt = select(VisitTask).where(VisitTask.status == TaskStatus.OPEN.value)
    if "person" in given:
        stmt = stmt.where(VisitTask.person == bindparam("person", type_=String))
    if "member" in given:
        stmt = stmt.where(VisitTask.member == bindparam("member", type_=String))
    if "due_by" in given:
        stmt = stmt.where(VisitTask.due_date <= bindparam("due_by", type_=Date))
    stmt = stmt.order_by(VisitTask.due_date, VisitTask.id)
    if lock:
        stmt = stmt.with_for_update().execution_options(populate_existing=True)
    return scope.bound(stmt, VisitTask) if bound else stmt


async def finish_task(session: AsyncSession, now: datetime, task: VisitTask, actor: str, action: TaskAction) -> None:
    """The visit was made (``DONE``) or is no longer needed (``CANCEL``); locked and checked first."""
    stmt = (select(VisitTask).where(VisitTask.id == task.id).with_for_update()
            .execution_options(populate_existing=True))
    await session.execute(stmt)
    before = TaskStatus(task.status)
    task.status = check_task(action, before)
    task.done_at = now
    await session.flush()
    await audit.record(session, now, actor, task.status, "visit_task", task.id, f"status={before}->{task.status}")
