"""Read API for 精益班组: ``/api/teams`` (scores) and ``/api/activities``.

Same Bearer guard and parameter rules as ``bot/api.py``. ``/api/teams?month=2026-10`` gives that
month's scores (default: the current month so far); ``/api/activities`` filters by start time
(``from``/``to``) and ``status``, with sign-up and attendance counts, paginated.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from aiohttp import web

from bot import keys
from bot.api import BadRequest, db_session, guarded, iso, now_of, one, tz_of
from storage import teams as store
from storage.gatherings import GatheringKind, GatheringStatus

MONTH = re.compile(r"^(\d{4})-(\d{2})$")
ACTIVITY = GatheringKind.ACTIVITY
ACTIVITY_STATUSES = tuple(GatheringStatus.labels())


def _month(request: web.Request, today: date) -> date:
    raw = one(request, "month")
    if raw is None:
        return store.month_start(today)
    m = MONTH.match(raw)
    if not m or not 1 <= int(m[2]) <= 12:
        raise BadRequest(f"参数 month 必须是 YYYY-MM，收到 {raw!r}")
    return date(int(m[1]), int(m[2]), 1)


def team_json(ts: store.TeamScore) -> dict[str, Any]:
    return {
        "team": ts.team, "size": ts.size, "rank": ts.rank or None,
        "score": ts.score,
        "grid_leaders": [{"userid": p.userid, "name": p.name} for p in ts.leaders],
        "components": {k: {"name_cn": c.cn, "ratio": round(c.ratio, 4) if c.ratio is not None else None,
                           "num": c.num, "den": c.den} for k, c in ts.components.items()},
    }




@guarded(("month",))
async def list_teams(request: web.Request) -> web.Response:
    now, tz = now_of(request), tz_of(request)
    month = _month(request, now.date())
    if month > store.month_start(now.date()):
        raise BadRequest(f"参数 month {month:%Y-%m} 还没到")
    try:
        w = store.weights(request.app[keys.SETTINGS].team_weights)
    except store.TeamWeightsError as exc:
        return web.json_response({"error": "bad_config", "message": str(exc)}, status=500)
    async with db_session(request) as session:
        r = await store.ranking(session, month, tz, now=now, weights_=w)
    return web.json_response({"month": f"{month:%Y-%m}", "as_of": iso(r.as_of, tz), "weights": r.weights,
                              "items": [team_json(t) for t in r.teams], "total": len(r.teams)})



def setup(app: web.Application) -> None:
    app.router.add_get("/api/teams", list_teams)

