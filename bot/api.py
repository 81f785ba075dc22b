"""Read-only admin API: ``/api/items``, ``/api/items/{n}``, ``/api/care``, ``/api/visits``,
``/api/coverage``, ``/api/audit``.

Every request needs ``Authorization: Bearer <SIJING_ADMIN_TOKEN>``; without a configured token
the API answers 401 to everyone. Lists answer ``{"items": [...], "total", "limit", "offset"}``.
Dates in filters are ``YYYY-MM-DD`` (local, ``to`` inclusive) or ISO datetimes (``to`` exclusive);
datetimes in answers are ISO in the configured time zone. Viewing sensitive care records is audited
with actor ``api``.
"""

from __future__ import annotations

import hmac
from collections.abc import Awaitable, Callable, Iterable
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from aiohttp import web

from bot import keys
from bot.sender import utcnow
from storage import coverage as coverage_mod
from storage import reports
from storage.models import AuditEntry, CareEntry, Item, ItemEvent, Visit

MAX_LIMIT = 200
DEFAULT_LIMIT = 50
ACTOR = "api"
ITEM_STATUSES = ("submitted", "accepted", "in_progress", "resolved", "closed", "reopened", "open", "acknowledged")
ITEM_KINDS = ("deed", "incident")
CARE_STATUSES = ("active", "resolved", "proposed", "declined")
TRUE = {"true", "1", "yes"}
FALSE = {"false", "0", "no"}

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class BadRequest(Exception):
    """A query parameter is wrong; the message says which and why."""


# --- plumbing ------------------------------------------------------------------


def _error(status: int, code: str, message: str) -> web.Response:
    headers = {"WWW-Authenticate": 'Bearer realm="sijing"'} if status == 401 else None
    return web.json_response({"error": code, "message": message}, status=status, headers=headers)


def _authorized(request: web.Request) -> bool:
    expected = request.app[keys.SETTINGS].admin_token
    if not expected:
        return False
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return False
    return hmac.compare_digest(token.strip().encode("utf-8"), expected.encode("utf-8"))


def _guarded(allowed: Iterable[str]) -> Callable[[Handler], Handler]:
    """Check the token and reject unknown query parameters; turn BadRequest into 400."""
    known = frozenset(allowed)

    def wrap(handler: Handler) -> Handler:
        async def guarded(request: web.Request) -> web.StreamResponse:
            if not _authorized(request):
                return _error(401, "unauthorized", "需要有效的管理令牌：Authorization: Bearer <SIJING_ADMIN_TOKEN>")
            unknown = sorted(set(request.query) - known)
            if unknown:
                return _error(400, "bad_request",
                              f"不支持的参数: {', '.join(unknown)}（可用: {', '.join(sorted(known)) or '无'}）")
            try:
                return await handler(request)
            except BadRequest as exc:
                return _error(400, "bad_request", str(exc))
        return guarded
    return wrap


def _tz(request: web.Request) -> ZoneInfo:
    return request.app[keys.SETTINGS].tz


def _now(request: web.Request) -> datetime:
    clock = request.app.get(keys.CLOCK) or utcnow
    return clock().astimezone(_tz(request))  # type: ignore[operator]


def _iso(value: datetime | date | None, tz: ZoneInfo) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.astimezone(tz).isoformat()
    return value.isoformat()


def _one(request: web.Request, name: str) -> str | None:
    values = request.query.getall(name, [])
    if len(values) > 1:
        raise BadRequest(f"参数 {name} 只能给一次")
    if not values:
        return None
    value = values[0].strip()
    if not value:
        raise BadRequest(f"参数 {name} 不能为空")
    return value


def _int(request: web.Request, name: str, default: int, low: int, high: int | None) -> int:
    raw = _one(request, name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise BadRequest(f"参数 {name} 必须是整数，收到 {raw!r}") from None
    if value < low or (high is not None and value > high):
        bound = f"{low}–{high}" if high is not None else f"≥ {low}"
        raise BadRequest(f"参数 {name} 必须在 {bound} 之间，收到 {value}")
    return value


def _paging(request: web.Request) -> tuple[int, int]:
    return _int(request, "limit", DEFAULT_LIMIT, 1, MAX_LIMIT), _int(request, "offset", 0, 0, None)


def _bool(request: web.Request, name: str) -> bool | None:
    raw = _one(request, name)
    if raw is None:
        return None
    if raw.lower() in TRUE:
        return True
    if raw.lower() in FALSE:
        return False
    raise BadRequest(f"参数 {name} 必须是 true 或 false，收到 {raw!r}")


def _choice(request: web.Request, name: str, choices: Iterable[str], *, many: bool = False) -> list[str] | None:
    raw = _one(request, name)
    if raw is None:
        return None
    options = tuple(choices)
    values = [v.strip() for v in raw.split(",")] if many else [raw]
    bad = [v for v in values if v not in options]
    if bad:
        raise BadRequest(f"参数 {name} 的取值 {', '.join(bad)} 无效（可用: {', '.join(options)}）")
    return values


def _date(request: web.Request, name: str) -> date | None:
    raw = _one(request, name)
    if raw is None:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise BadRequest(f"参数 {name} 必须是日期 YYYY-MM-DD，收到 {raw!r}") from None


def _moment(request: web.Request, name: str, *, end: bool) -> datetime | None:
    """A date (local; an end date includes the whole day) or an ISO datetime (naive = local)."""
    raw = _one(request, name)
    if raw is None:
        return None
    tz = _tz(request)
    try:
        day = date.fromisoformat(raw)
    except ValueError:
        pass
    else:
        return datetime.combine(day + timedelta(days=1) if end else day, time(0), tzinfo=tz)
    try:
        moment = datetime.fromisoformat(raw)
    except ValueError:
        raise BadRequest(f"参数 {name} 必须是日期 YYYY-MM-DD 或 ISO 时间，收到 {raw!r}") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=tz)


def _range(request: web.Request) -> tuple[datetime | None, datetime | None]:
    start, stop = _moment(request, "from", end=False), _moment(request, "to", end=True)
    if start is not None and stop is not None and start >= stop:
        raise BadRequest("参数 from 必须早于 to")
    return start, stop


def _listing(rows: list[dict[str, Any]], total: int, limit: int, offset: int) -> web.Response:
    return web.json_response({"items": rows, "total": total, "limit": limit, "offset": offset})


# --- serialisers ---------------------------------------------------------------


def item_json(it: Item, names: dict[str, str], tz: ZoneInfo, now: datetime) -> dict[str, Any]:
    return {
        "number": it.number,
        "kind": it.kind,
        "category": it.category,
        "category_cn": reports.cn(reports.CATEGORY_CN, it.category),
        "title": it.title,
        "text": it.text,
        "requester": it.requester,
        "requester_name": names.get(it.requester),
        "owner": it.owner,
        "owner_name": names.get(it.owner) if it.owner else None,
        "team": it.team,
        "status": it.status,
        "status_cn": reports.cn(reports.ITEM_STATUS_CN, it.status),
        "urgent": bool(it.urgent),
        "overdue": reports.is_overdue(it, now),
        "created_at": _iso(it.created_at, tz),
        "updated_at": _iso(it.updated_at, tz),
        "first_response_at": _iso(it.first_response_at, tz),
        "resolved_at": _iso(it.resolved_at, tz),
        "closed_at": _iso(it.closed_at, tz),
        "due_at": _iso(it.due_at, tz),
        "satisfaction": it.satisfaction,
        "close_reason": it.close_reason,
        "closed_by": it.closed_by,
        "reopen_count": it.reopen_count,
    }


def event_json(e: ItemEvent, names: dict[str, str], tz: ZoneInfo) -> dict[str, Any]:
    return {
        "at": _iso(e.at, tz), "actor": e.actor, "actor_name": names.get(e.actor), "kind": e.kind,
        "kind_cn": reports.cn(reports.ITEM_EVENT_CN, e.kind), "note": e.note,
        "from_status": e.from_status, "to_status": e.to_status,
    }


def care_json(c: CareEntry, names: dict[str, str], tz: ZoneInfo) -> dict[str, Any]:
    return {
        "id": c.id, "person": c.person, "person_name": names.get(c.person), "category": c.category,
        "category_cn": reports.cn(reports.CATEGORY_CN, c.category), "responsible": c.responsible,
        "responsible_name": names.get(c.responsible), "status": c.status,
        "status_cn": reports.cn(reports.CARE_STATUS_CN, c.status), "sensitive": bool(c.sensitive),
        "interval_days": c.interval_days, "next_follow_up": _iso(c.next_follow_up, tz), "summary": c.summary,
        "source": c.source, "created_by": c.created_by, "created_at": _iso(c.created_at, tz),
        "resolved_at": _iso(c.resolved_at, tz),
    }


def visit_json(v: Visit, names: dict[str, str], tz: ZoneInfo) -> dict[str, Any]:
    return {
        "id": v.id, "person": v.person, "person_name": names.get(v.person), "member": v.member,
        "member_name": names.get(v.member), "entry_id": v.entry_id, "visited_on": _iso(v.visited_on, tz),
        "summary": v.summary, "next_date": _iso(v.next_date, tz), "created_at": _iso(v.created_at, tz),
    }


def audit_json(a: AuditEntry, tz: ZoneInfo) -> dict[str, Any]:
    return {"id": a.id, "at": _iso(a.at, tz), "actor": a.actor, "action": a.action,
            "object_type": a.object_type, "object_id": a.object_id, "detail": a.detail}


# --- handlers ------------------------------------------------------------------


@_guarded(("status", "owner", "category", "kind", "overdue", "from", "to", "limit", "offset"))
async def list_items(request: web.Request) -> web.Response:
    limit, offset = _paging(request)
    status = _choice(request, "status", ITEM_STATUSES, many=True)
    kind = _choice(request, "kind", ITEM_KINDS)
    overdue = _bool(request, "overdue")
    start, stop = _range(request)
    owner, category = _one(request, "owner"), _one(request, "category")
    now, tz = _now(request), _tz(request)
    async with request.app[keys.DB].sessions() as session:
        page = await reports.items(session, now=now, status=status, owner=owner, category=category,
                                   kind=kind[0] if kind else None, overdue=overdue, created_from=start,
                                   created_to=stop, limit=limit, offset=offset)
        names = await reports.names(session)
    return _listing([item_json(i, names, tz, now) for i in page.rows], page.total, limit, offset)


@_guarded(())
async def get_item(request: web.Request) -> web.Response:
    raw = request.match_info["n"]
    if not raw.isdigit() or len(raw) > 9:
        raise BadRequest(f"事项编号必须是正整数，收到 {raw!r}")
    now, tz = _now(request), _tz(request)
    async with request.app[keys.DB].sessions() as session:
        found = await reports.item(session, int(raw))
        names = await reports.names(session)
    if found is None:
        return _error(404, "not_found", f"没有编号 #{int(raw)} 的事项")
    it, events = found
    body = item_json(it, names, tz, now)
    body["history"] = [event_json(e, names, tz) for e in events]
    return web.json_response(body)


@_guarded(("status", "responsible", "category", "limit", "offset"))
async def list_care(request: web.Request) -> web.Response:
    limit, offset = _paging(request)
    status = _choice(request, "status", CARE_STATUSES)
    responsible, category = _one(request, "responsible"), _one(request, "category")
    now, tz = _now(request), _tz(request)
    async with request.app[keys.DB].sessions() as session, session.begin():
        page = await reports.care_entries(session, status=status[0] if status else None, responsible=responsible,
                                          category=category, limit=limit, offset=offset)
        names = await reports.names(session)
        await reports.record_views(session, now, ACTOR, "care_entry",
                                   [c.id for c in page.rows if c.sensitive], "via=api")
    return _listing([care_json(c, names, tz) for c in page.rows], page.total, limit, offset)


@_guarded(("member", "person", "from", "to", "limit", "offset"))
async def list_visits(request: web.Request) -> web.Response:
    limit, offset = _paging(request)
    day_from, day_to = _date(request, "from"), _date(request, "to")
    if day_from is not None and day_to is not None and day_from > day_to:
        raise BadRequest("参数 from 不能晚于 to")
    member, person = _one(request, "member"), _one(request, "person")
    now, tz = _now(request), _tz(request)
    async with request.app[keys.DB].sessions() as session, session.begin():
        page = await reports.visits(session, member=member, person=person, day_from=day_from, day_to=day_to,
                                    limit=limit, offset=offset)
        names = await reports.names(session)
        sensitive = await reports.sensitive_entry_ids(session, [v.entry_id for v in page.rows])
        await reports.record_views(session, now, ACTOR, "visit",
                                   [v.id for v in page.rows if v.entry_id in sensitive], "via=api")
    return _listing([visit_json(v, names, tz) for v in page.rows], page.total, limit, offset)


@_guarded(("member", "date"))
async def get_coverage(request: web.Request) -> web.Response:
    member = _one(request, "member")
    day = _date(request, "date") or _now(request).date()
    async with request.app[keys.DB].sessions() as session:
        cov = await coverage_mod.coverage(session, day, member=member)
    rows = [{"member": m.member, "name": m.name, "zone_size": m.zone_size, "visited_30": m.visited_30,
             "visited_90": m.visited_90, "pct_30": round(m.pct_30, 4), "pct_90": round(m.pct_90, 4)}
            for m in cov.members]
    return web.json_response({
        "as_of": day.isoformat(), "items": rows, "total": len(rows),
        "zone_total": cov.zone_total, "visited_30": cov.visited_30, "visited_90": cov.visited_90,
        "unassigned": [{"userid": u, "name": n} for u, n in cov.unassigned],
    })


@_guarded(("actor", "object_type", "from", "to", "limit", "offset"))
async def list_audit(request: web.Request) -> web.Response:
    limit, offset = _paging(request)
    start, stop = _range(request)
    actor, object_type = _one(request, "actor"), _one(request, "object_type")
    tz = _tz(request)
    async with request.app[keys.DB].sessions() as session:
        page = await reports.audit_entries(session, actor=actor, object_type=object_type, since=start, until=stop,
                                           limit=limit, offset=offset)
    return _listing([audit_json(a, tz) for a in page.rows], page.total, limit, offset)


def setup(app: web.Application) -> None:
    """Add the read API's routes; uses ``app[keys.DB]``, ``app[keys.SETTINGS]`` and ``app[keys.CLOCK]``."""
    app.router.add_get("/api/items", list_items)
    app.router.add_get("/api/items/{n}", get_item)
    app.router.add_get("/api/care", list_care)
    app.router.add_get("/api/visits", list_visits)
    app.router.add_get("/api/coverage", get_coverage)
    app.router.add_get("/api/audit", list_audit)
