"""Read-only admin API for 精准帮扶: ``/api/projects`` and ``/api/projects/{n}``.

Same Bearer token guard, parameter rules and list shape as :mod:`bot.api`:
``{"items": [...], "total", "limit", "offset"}``; ``from``/``to`` bound ``created_at``.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from aiohttp import web

from bot.api import choice, date_range, db_session, error, guarded, iso, listing, now_of, one, paging, path_number, tz_of
from storage import assist as projects
from storage import people
from storage.assist import Assessment, Milestone, MilestoneStatus, Project, ProjectStatus, ProjectUpdate, TargetType
from storage.assist import UpdateKind, done_count, queries

STATUSES = tuple(s.value for s in ProjectStatus)


def milestone_json(m: Milestone, today: date, tz: ZoneInfo) -> dict[str, Any]:
    return {
        "position": m.position, "title": m.title, "due": iso(m.due, tz), "status": m.status,
        "status_cn": MilestoneStatus.label_of(m.status), "done_at": iso(m.done_at, tz),
        "overdue": m.status == MilestoneStatus.OPEN and m.due < today,
    }


def update_json(u: ProjectUpdate, ms: dict[int, Milestone], names: dict[str, str], tz: ZoneInfo) -> dict[str, Any]:
    m = ms.get(u.milestone_id) if u.milestone_id is not None else None
    return {
        "at": iso(u.at, tz), "author": u.author, "author_name": names.get(u.author), "kind": u.kind,
        "kind_cn": UpdateKind.label_of(u.kind), "text": u.text,
        "milestone": m.position if m is not None else None,
    }


def project_json(p: Project, ms: list[Milestone], names: dict[str, str], tz: ZoneInfo,
                 now: datetime) -> dict[str, Any]:
    today = now.astimezone(tz).date()
    nxt = projects.next_open(ms)
    late = projects.overdue_milestones_of(ms, today)
    members = projects.members_of(p)
    return {
        "number": p.number,
        "title": p.title,
        "target_type": p.target_type,
        "target_type_cn": TargetType.label_of(p.target_type),
        "target": p.target,
        "target_name": names.get(p.target) if p.target_type == TargetType.PERSON else p.target,
        "goal": p.goal,
        "criteria": p.criteria,
        "lead": p.lead,
        "lead_name": names.get(p.lead),
        "members": [{"userid": u, "name": names.get(u)} for u in members],
        "deadline": iso(p.deadline, tz),
        "status": p.status,
        "status_cn": ProjectStatus.label_of(p.status),
        "assessment": p.assessment,
        "assessment_cn": Assessment.label_of(p.assessment) if p.assessment else None,
        "assessment_note": p.assessment_note,
        "created_by": p.created_by,
        "created_at": iso(p.created_at, tz),
        "closed_at": iso(p.closed_at, tz),
        "milestones_done": done_count(ms),
        "milestones_total": len(ms),
        "milestones_overdue": len(late),
        "next_milestone": milestone_json(nxt, today, tz) if nxt is not None else None,
        "overdue": bool(late) or (p.status == ProjectStatus.ACTIVE and p.deadline is not None and p.deadline < today),
    }


@guarded(("status", "lead", "from", "to", "limit", "offset"))
async def list_projects(request: web.Request) -> web.Response:
    limit, offset = paging(request)
    status = choice(request, "status", STATUSES, many=True)
    lead = one(request, "lead")
    start, stop = date_range(request)
    now, tz = now_of(request), tz_of(request)
    async with db_session(request) as session:
        page = await queries.list_projects(session, status=status, lead=lead, created_from=start, created_to=stop,
                                           limit=limit, offset=offset)
        ms = await projects.milestones_for(session, [p.id for p in page.rows])
        names = await people.names(session)
    return listing([project_json(p, ms.get(p.id, []), names, tz, now) for p in page.rows], page.total, limit, offset)


@guarded(())
async def get_project(request: web.Request) -> web.Response:
    n = path_number(request, "项目")
    now, tz = now_of(request), tz_of(request)
    async with db_session(request) as session:
        p = await projects.get_by_number(session, n)
        if p is None:
            return error(404, "not_found", f"没有帮扶{n}号项目")
        ms = await projects.milestones(session, p.id)
        ups = await projects.updates(session, p.id)
        names = await people.names(session)
    today = now.astimezone(tz).date()
    body = project_json(p, ms, names, tz, now)
    body["milestones"] = [milestone_json(m, today, tz) for m in ms]
    by_id = {m.id: m for m in ms}
    body["updates"] = [update_json(u, by_id, names, tz) for u in ups]
    return web.json_response(body)


def setup(app: web.Application) -> None:
    """Add ``/api/projects`` and ``/api/projects/{n}``; uses ``app[keys.DB]``, ``SETTINGS`` and ``CLOCK``."""
    app.router.add_get("/api/projects", list_projects)
    app.router.add_get("/api/projects/{n}", get_project)
