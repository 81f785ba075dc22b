"""``/api/care``, ``/api/visits`` and ``/api/coverage``; viewing sensitive records is audited (actor ``api``)."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from aiohttp import web

from bot.api import ACTOR, BadRequest, choice, date_arg, db_session, guarded, iso, listing, now_of, one, paging, tz_of
from storage import audit, people
from storage.care import CareCategory, CareEntry, CareStatus, Visit
from storage.care import coverage as coverage_mod
from storage.care import queries as q

CARE_STATUSES = tuple(CareStatus)  # active, resolved, proposed, declined


def care_json(c: CareEntry, names: dict[str, str], tz: ZoneInfo) -> dict[str, Any]:
    return {
        "id": c.id, "person": c.person, "person_name": names.get(c.person), "category": c.category,
        "category_cn": CareCategory.label_of(c.category), "responsible": c.responsible,
        "responsible_name": names.get(c.responsible), "status": c.status,
        "status_cn": CareStatus.label_of(c.status), "sensitive": bool(c.sensitive),
        "interval_days": c.interval_days, "next_follow_up": iso(c.next_follow_up, tz), "summary": c.summary,
        "source": c.source, "created_by": c.created_by, "created_at": iso(c.created_at, tz),
        "resolved_at": iso(c.resolved_at, tz),
    }


def visit_json(v: Visit, names: dict[str, str], tz: ZoneInfo) -> dict[str, Any]:
    return {
        "id": v.id, "person": v.person, "person_name": names.get(v.person), "member": v.member,
        "member_name": names.get(v.member), "entry_id": v.entry_id, "visited_on": iso(v.visited_on, tz),
        "summary": v.summary, "next_date": iso(v.next_date, tz), "created_at": iso(v.created_at, tz),
    }


@guarded(("status", "responsible", "category", "limit", "offset"))
async def list_care(request: web.Request) -> web.Response:
    limit, offset = paging(request)
    status = choice(request, "status", CARE_STATUSES)
    responsible, category = one(request, "responsible"), one(request, "category")
    now, tz = now_of(request), tz_of(request)
    async with db_session(request) as session, session.begin():
        page = await q.care_entries(session, status=status[0] if status else None, responsible=responsible,
                                          category=category, limit=limit, offset=offset)
        names = await people.names(session)
        await audit.record_views(session, now, ACTOR, "care_entry",
                                   [c.id for c in page.rows if c.sensitive], "via=api")
    return listing([care_json(c, names, tz) for c in page.rows], page.total, limit, offset)


@guarded(("member", "person", "from", "to", "limit", "offset"))
async def list_visits(request: web.Request) -> web.Response:
    limit, offset = paging(request)
    day_from, day_to = date_arg(request, "from"), date_arg(request, "to")
    if day_from is not None and day_to is not None and day_from > day_to:
        raise BadRequest("参数 from 不能晚于 to")
    member, person = one(request, "member"), one(request, "person")
    now, tz = now_of(request), tz_of(request)
    async with db_session(request) as session, session.begin():
        page = await q.visits(session, member=member, person=person, day_from=day_from, day_to=day_to,
                                    limit=limit, offset=offset)
        names = await people.names(session)
        sensitive = await q.sensitive_entry_ids(session, [v.entry_id for v in page.rows])
        await audit.record_views(session, now, ACTOR, "visit",
                                   [v.id for v in page.rows if v.entry_id in sensitive], "via=api")
    return listing([visit_json(v, names, tz) for v in page.rows], page.total, limit, offset)


@guarded(("member", "date"))
async def get_coverage(request: web.Request) -> web.Response:
    member = one(request, "member")
    day = date_arg(request, "date") or now_of(request).date()
    async with db_session(request) as session:
        cov = await coverage_mod.coverage(session, day, member=member)
    rows = [{"member": m.member, "name": m.name, "zone_size": m.zone_size, "visited_30": m.visited_30,
             "visited_90": m.visited_90, "pct_30": round(m.pct_30, 4), "pct_90": round(m.pct_90, 4)}
            for m in cov.members]
    return web.json_response({
        "as_of": day.isoformat(), "items": rows, "total": len(rows),
        "zone_total": cov.zone_total, "visited_30": cov.visited_30, "visited_90": cov.visited_90,
        "unassigned": [{"userid": u, "name": n} for u, n in cov.unassigned],
    })


def setup(app: web.Application) -> None:
    app.router.add_get("/api/care", list_care)
    app.router.add_get("/api/visits", list_visits)
    app.router.add_get("/api/coverage", get_coverage)
