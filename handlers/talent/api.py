"""Read API for 精英培养: ``/api/talent`` (profiles) and ``/api/trainings``.

Same Bearer guard and parameter rules as ``bot/api.py``. ``/api/talent`` lists talent profiles
(skills, certificates, wishes, trainings attended); reserve talent is only included with
``?reserve=true``, and then only status, dates and the number of review notes — never the
recommendation reason, the review notes or the decision note. ``/api/trainings`` filters by start
time (``from``/``to``) and ``status``, with lecturer, sign-up and attendance counts, paginated.
"""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from aiohttp import web

from bot.api import boolean, db_session, guarded, iso, paging, tz_of
from storage import gatherings, people
from storage import talent as store
from storage.gatherings import GatheringKind, GatheringStatus
from storage.talent import ReserveCandidate, ReserveStatus, TalentProfile

TRAINING = GatheringKind.TRAINING
TRAINING_STATUSES = tuple(GatheringStatus.labels())


def profile_json(p: TalentProfile, entry: people.RosterEntry | None, attended: int, tz: ZoneInfo) -> dict[str, Any]:
    return {
        "userid": p.userid, "name": entry.name if entry else None, "team": entry.team if entry else None,
        "skills": store.skills(p), "certificates": store.certificates(p),
        "wishes": [{"text": w.get("text", ""), "at": w.get("at") or None} for w in store.wishes(p)],
        "trainings_attended": attended, "updated_at": iso(p.updated_at, tz),
    }


def candidate_json(c: ReserveCandidate, names: dict[str, str], reviews: int, tz: ZoneInfo) -> dict[str, Any]:
    return {
        "userid": c.userid, "name": names.get(c.userid), "status": c.status,
        "status_cn": ReserveStatus.label_of(c.status),
        "recommended_by": c.recommended_by, "recommended_at": iso(c.created_at, tz), "reviews": reviews,
        "decided_by": c.decided_by, "decided_at": iso(c.decided_at, tz),
    }




@guarded(("reserve", "limit", "offset"))
async def list_talent(request: web.Request) -> web.Response:
    limit, offset = paging(request)
    reserve = boolean(request, "reserve") or False
    tz = tz_of(request)
    async with db_session(request) as session:
        roster = {p.userid: p for p in await people.all_people(session)}
        total = await store.count_profiles(session)
        rows = []
        for p in await store.profiles(session, limit=limit, offset=offset):
            attended = len(await gatherings.attended_by(session, p.userid, TRAINING))
            rows.append(profile_json(p, roster.get(p.userid), attended, tz))
        body: dict[str, Any] = {"items": rows, "total": total, "limit": limit, "offset": offset}
        if reserve:
            cands = await store.candidates(session)
            counts = await store.review_counts(session, [c.id for c in cands])
            names = {u: p.name for u, p in roster.items()}
            body["reserve"] = [candidate_json(c, names, counts[c.id], tz) for c in cands]
    return web.json_response(body)



def setup(app: web.Application) -> None:
    """Add ``/api/talent`` (``/api/trainings`` is the gatherings domain's)."""
    app.router.add_get("/api/talent", list_talent)
