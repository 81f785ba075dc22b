"""``/api/branches``: every branch with its figures and 支部争先 score, for a quarter (read-only, audited).

Same Bearer guard and parameter rules as ``bot/api.py``, but about every branch: no ``branch``
parameter, an unscoped session. ``quarter`` (``2026Q4``, ``2026-Q4``, ``2026年第4季度``; default: this
quarter so far), ``order`` (``rank``: 支部争先 order, the default; ``overdue`` or ``coverage``: most in
need first, as /支部 sorts), ``limit``/``offset``. The view is audited (actor ``api``, no branch).
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from bot import keys
from bot.api import ACTOR, BadRequest, choice, guarded, iso, now_of, one, paging, tz_of
from storage import audit, committee
from storage.committee import COMPONENTS, BranchFigures, Order, Part

ORDERS = ("rank", *(o.value for o in Order))


def part_json(p: Part) -> dict[str, Any]:
    return {"ratio": round(p.ratio, 4) if p.ratio is not None else None, "num": p.num, "den": p.den}


def branch_json(b: BranchFigures) -> dict[str, Any]:
    return {
        "id": b.id or None, "code": b.code, "name": b.name, "people": b.people, "open_deeds": b.open_deeds,
        "overdue": b.overdue, "attention": b.attention, "activity": b.activity, "score": b.score,
        "rank": b.rank or None, "ranked": b.ranked,
        "components": {k.value: {"name_cn": k.label, **part_json(b.part(k))} for k in COMPONENTS},
    }


@guarded(("quarter", "order", "limit", "offset"), scoped=False)
async def list_branches(request: web.Request) -> web.Response:
    limit, offset = paging(request)
    now, tz = now_of(request), tz_of(request)
    raw = one(request, "quarter")
    first = committee.quarter_arg(raw, now.date())
    if first is None:
        raise BadRequest(f"参数 quarter 必须是季度，例如 2026Q4，收到 {raw!r}")
    if first > committee.quarter_start(now.date()):
        raise BadRequest(f"参数 quarter {committee.quarter_label(first)}还没到")
    order = (choice(request, "order", ORDERS) or ["rank"])[0]
    try:
        w = committee.weights(request.app[keys.SETTINGS].branch_weights)
    except committee.BranchWeightsError as exc:
        return web.json_response({"error": "bad_config", "message": str(exc)}, status=500)
    async with request.app[keys.DB].session(None) as session, session.begin():
        board = await committee.quarter(session, first, now, tz, weights=w)
        await audit.record(session, now, ACTOR, "committee_view", "branches", f"api {board.label}",
                           f"order={order} offset={offset}")
    rows = board.branches if order == "rank" else board.by_need(Order(order))
    return web.json_response({
        "quarter": f"{first.year}-Q{(first.month - 1) // 3 + 1}", "label": board.label, "as_of": iso(board.as_of, tz),
        "weights": {k.value: v for k, v in board.weights.items()}, "min_activity": committee.MIN_ACTIVITY,
        "totals": branch_json(board.totals()), "items": [branch_json(b) for b in rows[offset:offset + limit]],
        "total": len(rows), "limit": limit, "offset": offset,
    })


def setup(app: web.Application) -> None:
    app.router.add_get("/api/branches", list_branches)
