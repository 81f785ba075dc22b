"""The workbench's request plumbing: errors as Chinese pages, the per-request context, the page decorator.

A page handler is ``async def h(ctx: Ctx) -> web.StreamResponse`` decorated with :func:`page`, which
checks the session's person against the roster and the page's permission, opens one database
transaction for the request (pages audit what they show in it) and turns :class:`Refused` (the one
``storage.errors.Refused``, whether a page or a storage action refuses), :class:`NotFound` and
:class:`BadFilter` into 403, 404 and 400 pages.
"""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import aiohttp_jinja2
from aiohttp import web
from aiohttp_session import get_session
from sqlalchemy.ext.asyncio import AsyncSession

from bot import keys
from bot.config import Settings
from bot.web.params import BadFilter, Query
from bot.web.permissions import Viewer, viewer_of
from storage.scope import set_branch
from storage import people
from storage.errors import Refused  # pages raise it too, for what the viewer may not see or do (403)

PREFIX = "/web"
UID = web.RequestKey("web_uid", str)  # the userid of a valid session (set by the auth middleware)
CSRF_TOKEN = web.RequestKey("web_csrf", str)  # the session's CSRF token
VIEWER = web.RequestKey("web_viewer", Viewer)  # who is looking (set by the page decorator)

log = logging.getLogger(__name__)

NOT_IN_ROSTER = "您不在本支部的名册中，无法使用工作台。如有疑问请联系支部书记。"


class NotFound(Exception):
    """No such object (404)."""


Handler = Callable[["Ctx"], Awaitable[web.StreamResponse]]
Rule = Callable[[Viewer], bool]


@dataclass
class Nav:
    label: str
    path: str
    allowed: Rule
    order: int = 50


NAV = web.AppKey("web_nav", list)  # list[Nav], filled by the pages' setup


def add_nav(app: web.Application, label: str, path: str, allowed: Rule, order: int = 50) -> None:
    """A navigation entry shown to viewers for whom ``allowed(viewer)`` holds."""
    app[NAV].append(Nav(label, path, allowed, order))
    app[NAV].sort(key=lambda n: n.order)


def url(path: str, **query: Any) -> str:
    """``/web/<path>?query`` (None values left out)."""
    clean = {k: v for k, v in query.items() if v not in (None, "")}
    return f"{PREFIX}/{path.lstrip('/')}" + (f"?{urlencode(clean)}" if clean else "")


def local_now(request: web.Request) -> datetime:
    settings = request.config_dict[keys.SETTINGS]
    return request.config_dict[keys.CLOCK]().astimezone(settings.tz)  # type: ignore[operator]


@dataclass
class Scope:
    """Who is looking, in which transaction, when: what ledgers and queries need (no HTTP in it)."""

    viewer: Viewer
    session: AsyncSession
    now: datetime
    settings: Settings

    @property
    def tz(self) -> ZoneInfo:
        return self.settings.tz

    @property
    def today(self) -> date:
        return self.now.date()

    @property
    def userid(self) -> str:
        """Who acts (what a domain's flows call the actor, in chat the sender)."""
        return self.viewer.userid


@dataclass
class Ctx(Scope):
    """What a page handler needs; built by :func:`page`."""

    request: web.Request = field(repr=False, default=None)  # type: ignore[assignment]
    q: Query = field(repr=False, default=None)  # type: ignore[assignment]
    flash: list[str] = field(default_factory=list)  # notices from the previous request (after a POST)
    queued: bool = False  # outbox rows were added: wake the sender after the commit

    async def notice(self, text: str) -> None:
        """Show ``text`` on the next page this browser opens (the one a POST redirects to)."""
        cookie = await get_session(self.request)
        cookie["flash"] = [*cookie.get("flash", []), text][-3:]

    @property
    def csrf(self) -> str:
        return str(self.request.get(CSRF_TOKEN, ""))

    def here(self, **changes: Any) -> str:
        """This page's URL with some query parameters changed (None removes one)."""
        query = {k: v for k, v in self.request.query.items() if k not in changes}
        query.update({k: v for k, v in changes.items() if v is not None})
        return url(self.request.path[len(PREFIX):], **query)

    def render(self, template: str, **data: Any) -> web.Response:
        return render(self.request, template, viewer=self.viewer, ctx=self, **data)

    def require(self, allowed: bool, message: str) -> None:
        if not allowed:
            raise Refused(message)


def render(request: web.Request, template: str, *, http_status: int = 200, viewer: Viewer | None = None,
           **data: Any) -> web.Response:
    """Render a template with what every page shows (navigation, branch, CSRF token)."""
    shown = [n for n in request.app[NAV] if viewer is not None and n.allowed(viewer)]
    hits = [n.path for n in shown if request.path == url(n.path) or request.path.startswith(url(n.path) + "/")]
    current = max(hits, key=len) if hits else None
    nav = [(n.label, url(n.path), n.path == current) for n in shown]
    settings = request.config_dict[keys.SETTINGS]
    context = dict(viewer=viewer, nav=nav, branch=viewer.branch_name if viewer else settings.branch_name, csrf=request.get(CSRF_TOKEN, ""),
                   path=request.path, url=url, **data)
    response = aiohttp_jinja2.render_template(template, request, context, status=http_status)
    response.headers["Cache-Control"] = "no-store"
    return response


def page(allowed: Rule | None = None, refusal: str = "您没有权限查看这个页面。") -> Callable[[Handler], Any]:
    """Decorate a page handler: roster check, permission ``allowed``, one transaction per request.

    A long download may commit ``ctx.session`` between chunks (the session begins anew on its next query),
    so that on SQLite the write lock and the one connection are not held for seconds.
    """

    def wrap(handler: Handler) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
        @functools.wraps(handler)
        async def run(request: web.Request) -> web.StreamResponse:
            uid = request.get(UID)
            if uid is None:  # the auth middleware lets only public routes through without one
                raise web.HTTPUnauthorized()
            db = request.config_dict[keys.DB]
            async with db.sessions() as session:  # closing without a commit rolls back
                person = await people.get(session, uid)
                if person is None:
                    raise Refused(NOT_IN_ROSTER)
                set_branch(session, person.branch_id)  # the page sees the viewer's branch only
                branch = await people.branches.get(session, person.branch_id)
                viewer = viewer_of(person, branch.name if branch else "")
                request[VIEWER] = viewer
                if allowed is not None and not allowed(viewer):
                    raise Refused(refusal)
                ctx = Ctx(viewer, session, local_now(request), request.config_dict[keys.SETTINGS],
                          request=request, q=Query(request.query))
                cookie = await get_session(request)
                if "flash" in cookie and request.method == "GET":
                    ctx.flash = list(cookie.pop("flash"))
                try:
                    response = await handler(ctx)
                except Refused as exc:  # keep what was audited before the refusal
                    response, refused = None, exc
                await session.commit()
            if response is None:
                raise refused
            if ctx.queued:  # committed: the sender may deliver now
                request.config_dict[keys.SENDER].wake()
            return response
        return run
    return wrap


def redirect(location: str) -> web.Response:
    """303 See Other (after a form post, or to the login page), as a response so the transaction commits."""
    return web.Response(status=303, headers={"Location": location, "Cache-Control": "no-store"})


def public(handler: Callable[[web.Request], Awaitable[web.StreamResponse]]) -> Any:
    """Mark a route that needs no session (login, static files)."""
    handler.web_public = True  # type: ignore[attr-defined]
    return handler


_STATUS_TITLE = {400: "请求有误", 401: "请先登录", 403: "无权访问", 404: "没有找到", 405: "不支持的操作", 500: "出错了",
                 502: "暂时连不上企业微信"}


def error_page(request: web.Request, status: int, message: str) -> web.Response:
    return render(request, "errors.html", http_status=status, viewer=request.get(VIEWER),
                  title=_STATUS_TITLE.get(status, "出错了"), message=message, code=status)


@web.middleware
async def errors(request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
                 ) -> web.StreamResponse:
    """User-caused errors become Chinese pages with the right status."""
    try:
        return await handler(request)
    except Refused as exc:
        return error_page(request, 403, str(exc))
    except NotFound as exc:
        return error_page(request, 404, str(exc) or "没有找到这个页面。")
    except BadFilter as exc:
        return error_page(request, 400, str(exc))
    except web.HTTPNotFound:
        return error_page(request, 404, "没有找到这个页面。")
    except web.HTTPMethodNotAllowed:
        return error_page(request, 405, "这个页面不支持这种操作。")
    except web.HTTPException:
        raise
    except Exception:  # noqa: BLE001 - a programmer's error: logged with its trace, a Chinese page for the user
        log.exception("workbench page %s failed", request.path)
        return error_page(request, 500, "抱歉，页面出了点问题，已经记录下来。请稍后再试。")


CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
       "connect-src 'self'; frame-ancestors 'none'; form-action 'self' {oauth}; base-uri 'none'")


@web.middleware
async def headers(request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
                  ) -> web.StreamResponse:
    """No framing, no sniffing, no referrer to other sites (login links must not leak), a strict CSP;
    ``Server-Timing`` says how long the page took (``bench/web_pages.py`` reads it)."""
    started = time.perf_counter()
    response = await handler(request)
    response.headers["Server-Timing"] = f"app;dur={(time.perf_counter() - started) * 1000:.1f}"
    oauth = request.config_dict[keys.SETTINGS].wecom_oauth_base.rstrip("/")
    response.headers.setdefault("Content-Security-Policy", CSP.format(oauth=oauth))
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("X-Frame-Options", "DENY")
    return response
