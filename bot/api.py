"""The read-only admin API's plumbing (token check, parameters, paging) and ``/api/audit``.

Each domain adds its own routes (``handlers/<domain>/api.py``) with these helpers.

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
from sqlalchemy.ext.asyncio import AsyncSession

from storage import audit
from storage.errors import Refused
from storage.people import branches
from storage.models import AuditEntry

MAX_LIMIT = 200
DEFAULT_LIMIT = 50
ACTOR = "api"
TRUE = {"true", "1", "yes"}
FALSE = {"false", "0", "no"}

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class BadRequest(Exception):
    """A query parameter is wrong; the message says which and why."""


# --- plumbing ------------------------------------------------------------------


def error(status: int, code: str, message: str) -> web.Response:
    headers = {"WWW-Authenticate": 'Bearer realm="sijing"'} if status == 401 else None
    return web.json_response({"error": code, "message": message}, status=status, headers=headers)


def authorized(request: web.Request) -> bool:
    expected = request.app[keys.SETTINGS].admin_token
    if not expected:
        return False
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return False
    return hmac.compare_digest(token.strip().encode("utf-8"), expected.encode("utf-8"))


def guarded(allowed: Iterable[str], *, scoped: bool = True) -> Callable[[Handler], Handler]:
    """Check the token, reject unknown query parameters, find the branch; turn BadRequest into 400.

    Every endpoint takes ``branch`` (a code, name or id; not needed while there is one branch):
    :func:`db_session` is scoped to it. ``scoped=False``: an endpoint about every branch (the
    committee's), which takes no ``branch`` and opens its own unscoped session.
    """
    known = frozenset(allowed) | ({"branch"} if scoped else frozenset())

    def wrap(handler: Handler) -> Handler:
        async def guarded(request: web.Request) -> web.StreamResponse:
            if not authorized(request):
                return error(401, "unauthorized", "需要有效的管理令牌：Authorization: Bearer <SIJING_ADMIN_TOKEN>")
            unknown = sorted(set(request.query) - known)
            if unknown:
                return error(400, "bad_request",
                              f"不支持的参数: {', '.join(unknown)}（可用: {', '.join(sorted(known)) or '无'}）")
            try:
                if scoped:
                    async with request.app[keys.DB].sessions() as s:
                        request[BRANCH] = (await branches.resolve(s, one(request, "branch"))).id
                return await handler(request)
            except BadRequest as exc:
                return error(400, "bad_request", str(exc))
            except Refused as exc:
                return error(400, "bad_request", exc.message)
        return guarded
    return wrap


BRANCH = web.RequestKey("branch", int)


def db_session(request: web.Request) -> AsyncSession:
    """A database session scoped to the request's branch."""
    return request.app[keys.DB].session(request[BRANCH])


def tz_of(request: web.Request) -> ZoneInfo:
    return request.app[keys.SETTINGS].tz


def now_of(request: web.Request) -> datetime:
    clock = request.app.get(keys.CLOCK) or utcnow
    return clock().astimezone(tz_of(request))  # type: ignore[operator]


def iso(value: datetime | date | None, tz: ZoneInfo) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.astimezone(tz).isoformat()
    return value.isoformat()


def one(request: web.Request, name: str) -> str | None:
    values = request.query.getall(name, [])
    if len(values) > 1:
        raise BadRequest(f"参数 {name} 只能给一次")
    if not values:
        return None
    value = values[0].strip()
    if not value:
        raise BadRequest(f"参数 {name} 不能为空")
    return value


def integer(request: web.Request, name: str, default: int, low: int, high: int | None) -> int:
    raw = one(request, name)
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


def path_number(request: web.Request, what: str) -> int:
    """The ``{n}`` of a path such as ``/api/projects/{n}``; ``what`` names it (``项目``) in the 400."""
    raw = request.match_info["n"]
    if not raw.isdigit() or len(raw) > 9:
        raise BadRequest(f"{what}编号必须是正整数，收到 {raw!r}")
    return int(raw)


def paging(request: web.Request) -> tuple[int, int]:
    return integer(request, "limit", DEFAULT_LIMIT, 1, MAX_LIMIT), integer(request, "offset", 0, 0, None)


def boolean(request: web.Request, name: str) -> bool | None:
    raw = one(request, name)
    if raw is None:
        return None
    if raw.lower() in TRUE:
        return True
    if raw.lower() in FALSE:
        return False
    raise BadRequest(f"参数 {name} 必须是 true 或 false，收到 {raw!r}")


def choice(request: web.Request, name: str, choices: Iterable[str], *, many: bool = False) -> list[str] | None:
    raw = one(request, name)
    if raw is None:
        return None
    options = tuple(choices)
    values = [v.strip() for v in raw.split(",")] if many else [raw]
    bad = [v for v in values if v not in options]
    if bad:
        raise BadRequest(f"参数 {name} 的取值 {', '.join(bad)} 无效（可用: {', '.join(options)}）")
    return values


def date_arg(request: web.Request, name: str) -> date | None:
    raw = one(request, name)
    if raw is None:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise BadRequest(f"参数 {name} 必须是日期 YYYY-MM-DD，收到 {raw!r}") from None


def moment(request: web.Request, name: str, *, end: bool) -> datetime | None:
    """A date (local; an end date includes the whole day) or an ISO datetime (naive = local)."""
    raw = one(request, name)
    if raw is None:
        return None
    tz = tz_of(request)
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


def date_range(request: web.Request) -> tuple[datetime | None, datetime | None]:
    start, stop = moment(request, "from", end=False), moment(request, "to", end=True)
    if start is not None and stop is not None and start >= stop:
        raise BadRequest("参数 from 必须早于 to")
    return start, stop


def listing(rows: list[dict[str, Any]], total: int, limit: int, offset: int) -> web.Response:
    return web.json_response({"items": rows, "total": total, "limit": limit, "offset": offset})


def audit_json(a: AuditEntry, tz: ZoneInfo) -> dict[str, Any]:
    return {"id": a.id, "at": iso(a.at, tz), "actor": a.actor, "action": a.action,
            "object_type": a.object_type, "object_id": a.object_id, "detail": a.detail}


@guarded(("actor", "object_type", "from", "to", "limit", "offset"))
async def list_audit(request: web.Request) -> web.Response:
    limit, offset = paging(request)
    start, stop = date_range(request)
    actor, object_type = one(request, "actor"), one(request, "object_type")
    tz = tz_of(request)
    async with db_session(request) as session:
        page = await audit.page_of(session, actor=actor, object_type=object_type, since=start, until=stop,
                                   limit=limit, offset=offset)
    return listing([audit_json(a, tz) for a in page.rows], page.total, limit, offset)


def setup(app: web.Application) -> None:
    """Add ``/api/audit``; uses ``app[keys.DB]``, ``app[keys.SETTINGS]`` and ``app[keys.CLOCK]``."""
    app.router.add_get("/api/audit", list_audit)
