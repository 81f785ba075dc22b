"""``/api/trainings`` and ``/api/activities``: gatherings with their sign-up and attendance counts."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

from aiohttp import web

from bot.api import Handler, choice, date_range, db_session, guarded, iso, listing, paging, tz_of
from storage import gatherings, people
from storage.gatherings import ActivityCategory, Gathering, GatheringKind, GatheringStatus

STATUSES = tuple(GatheringStatus.labels())
Row = Callable[[Gathering, int, int, dict[str, str], ZoneInfo], dict[str, Any]]


def _common(g: Gathering, signed: int, attended: int, tz: ZoneInfo) -> dict[str, Any]:
    return {
        "number": g.number, "title": g.title, "starts_at": iso(g.starts_at, tz), "place": g.place,
        "capacity": g.capacity or None, "team": g.team or None, "status": g.status,
        "status_cn": GatheringStatus.label_of(g.status), "signed_up": signed, "attended": attended,
        "created_by": g.created_by, "created_at": iso(g.created_at, tz),
    }


def training_json(g: Gathering, signed: int, attended: int, names: dict[str, str], tz: ZoneInfo) -> dict[str, Any]:
    return {**_common(g, signed, attended, tz), "lecturer": g.lecturer,
            "lecturer_name": names.get(g.lecturer) if g.lecturer else None,
            "places_left": gatherings.places_left(g, signed)}


def activity_json(g: Gathering, signed: int, attended: int, names: dict[str, str], tz: ZoneInfo) -> dict[str, Any]:
    return {**_common(g, signed, attended, tz), "category": g.category,
            "category_cn": ActivityCategory.label_of(g.category), "created_by_name": names.get(g.created_by)}


def _listing(kind: GatheringKind, row: Row, *, newest_first: bool) -> Handler:
    @guarded(("from", "to", "status", "limit", "offset"))
    async def list_gatherings(request: web.Request) -> web.Response:
        limit, offset = paging(request)
        start, stop = date_range(request)
        status = choice(request, "status", STATUSES, many=True)
        tz = tz_of(request)
        async with db_session(request) as session:
            rows, total = await gatherings.page(session, kind, since=start, until=stop, status=status, limit=limit,
                                                offset=offset, newest_first=newest_first)
            names = await people.names(session)
        return listing([row(g, signed, came, names, tz) for g, signed, came in rows], total, limit, offset)
    return list_gatherings


def setup(app: web.Application) -> None:
    app.router.add_get("/api/trainings", _listing(GatheringKind.TRAINING, training_json, newest_first=False))
    app.router.add_get("/api/activities", _listing(GatheringKind.ACTIVITY, activity_json, newest_first=True))
