"""``/api/items`` and ``/api/items/{n}``: practical-deed items and incidents, with their history."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from aiohttp import web

from bot.api import boolean, choice, date_range, db_session, error, guarded, iso, listing, now_of, one, paging, path_number, tz_of
from storage import deeds, people
from storage.deeds import queries as q
from storage.deeds.models import Item, ItemEvent

ITEM_KINDS = tuple(deeds.ItemKind)


def item_json(it: Item, names: dict[str, str], tz: ZoneInfo, now: datetime) -> dict[str, Any]:
    return {
        "number": it.number,
        "kind": it.kind,
        "category": it.category,
        "category_cn": deeds.DeedCategory.label_of(it.category),
        "title": it.title,
        "text": it.text,
        "requester": it.requester,
        "requester_name": names.get(it.requester),
        "owner": it.owner,
        "owner_name": names.get(it.owner) if it.owner else None,
        "team": it.team,
        "status": it.status,
        "status_cn": deeds.status_label(it.kind, it.status),
        "urgent": bool(it.urgent),
        "overdue": deeds.is_overdue(it, now),
        "created_at": iso(it.created_at, tz),
        "updated_at": iso(it.updated_at, tz),
        "first_response_at": iso(it.first_response_at, tz),
        "resolved_at": iso(it.resolved_at, tz),
        "closed_at": iso(it.closed_at, tz),
        "due_at": iso(it.due_at, tz),
        "satisfaction": it.satisfaction,
        "close_reason": it.close_reason,
        "closed_by": it.closed_by,
        "reopen_count": it.reopen_count,
    }


def event_json(e: ItemEvent, names: dict[str, str], tz: ZoneInfo) -> dict[str, Any]:
    return {
        "at": iso(e.at, tz), "actor": e.actor, "actor_name": names.get(e.actor), "kind": e.kind,
        "kind_cn": deeds.EventKind.label_of(e.kind), "note": e.note,
        "from_status": e.from_status, "to_status": e.to_status,
    }


@guarded(("status", "owner", "category", "kind", "overdue", "from", "to", "limit", "offset"))
async def list_items(request: web.Request) -> web.Response:
    limit, offset = paging(request)
    status = choice(request, "status", q.ITEM_STATUSES, many=True)
    kind = choice(request, "kind", ITEM_KINDS)
    overdue = boolean(request, "overdue")
    start, stop = date_range(request)
    owner, category = one(request, "owner"), one(request, "category")
    now, tz = now_of(request), tz_of(request)
    async with db_session(request) as session:
        page = await q.items(session, now=now, status=status, owner=owner, category=category,
                                   kind=kind[0] if kind else None, overdue=overdue, created_from=start,
                                   created_to=stop, limit=limit, offset=offset)
        names = await people.names(session)
    return listing([item_json(i, names, tz, now) for i in page.rows], page.total, limit, offset)


@guarded(())
async def get_item(request: web.Request) -> web.Response:
    n = path_number(request, "事项")
    now, tz = now_of(request), tz_of(request)
    async with db_session(request) as session:
        found = await q.item(session, n)
        names = await people.names(session)
    if found is None:
        return error(404, "not_found", f"没有编号 #{n} 的事项")
    it, events = found
    body = item_json(it, names, tz, now)
    body["history"] = [event_json(e, names, tz) for e in events]
    return web.json_response(body)


def setup(app: web.Application) -> None:
    app.router.add_get("/api/items", list_items)
    app.router.add_get("/api/items/{n}", get_item)
