"""Logging in the WeCom way, sessions, CSRF.

- In the WeCom app (应用主页 / 工作台): OAuth2 ``snsapi_base`` — the browser goes to the authorize URL
  (``wecom_oauth_base``), comes back with ``?code=``, and ``auth/getuserinfo`` names the userid.
- On a desktop browser: a one-time link the bot sends on ``/后台`` (:func:`create_login_link`),
  valid 10 minutes, used once. Opening it shows a button; only the button's POST logs in, so a
  link preview fetching the URL does not use it up.
- Sessions are encrypted cookies (Fernet, ``EncryptedCookieStorage``), HttpOnly, SameSite=Lax (the
  OAuth redirect back is a top-level navigation), Secure when ``public_url`` is https, path ``/web/``.
  A session ends after ``web_idle_minutes`` without a request (by the app's clock) and after 12 hours.
  The key is ``web_secret`` or, unset, derived with HKDF from the app's Secret and EncodingAESKey, which
  every deployment has and keeps secret: sessions survive restarts and work across processes.
- Every POST needs the session's CSRF token (form field ``_csrf`` or header ``X-CSRF-Token``) and, when
  the browser sends one, a same-origin ``Origin``.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from urllib.parse import quote, urlparse

from aiohttp import web
from aiohttp_session import Session, get_session, new_session
from aiohttp_session.cookie_storage import EncryptedCookieStorage
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy.ext.asyncio import AsyncSession

from bot import keys
from bot.config import Settings
from bot.wecom.client import TOKEN_ERRORS, TransportError, WeComAPIError, WeComClient
from bot.web.core import CSRF_TOKEN, NOT_IN_ROSTER, PREFIX, UID, error_page, local_now, public, redirect, render
from storage import audit, logins, people

COOKIE = "sijing_web"
ABSOLUTE = timedelta(hours=12)
LOGIN = f"{PREFIX}/login"
CALLBACK = "web/oauth/callback"
LINK_GONE = "这个登录链接已失效：链接 10 分钟内有效，只能使用一次。请在企业微信里给四精助手发“/后台”重新获取。"


def session_key(settings: Settings) -> bytes:
    """32 bytes for Fernet: from ``web_secret``, else derived from the app's own secrets."""
    material = settings.web_secret or "\0".join((settings.wecom_corp_id, settings.wecom_secret,
                                                 settings.wecom_aes_key))
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=b"sijing-web-session", info=b"fernet")
    return hkdf.derive(material.encode("utf-8"))


def cookie_storage(settings: Settings) -> EncryptedCookieStorage:
    secure = bool(settings.public_url and settings.public_url.startswith("https://"))
    return EncryptedCookieStorage(session_key(settings), cookie_name=COOKIE,
                                  path=f"{PREFIX}/", httponly=True, samesite="Lax", secure=secure,
                                  max_age=int(ABSOLUTE.total_seconds()))


def _epoch(request: web.Request) -> float:
    return local_now(request).timestamp()


def _safe_next(raw: str | None) -> str:
    """Only our own pages: no open redirect."""
    if raw and raw.startswith(f"{PREFIX}/") and not raw.startswith("//") and "\\" not in raw:
        return raw
    return f"{PREFIX}/"


def _same_origin(request: web.Request) -> bool:
    origin = request.headers.get("Origin") or request.headers.get("Referer")
    if not origin or origin == "null":
        return origin is None
    host = urlparse(origin).netloc
    public_url = request.config_dict[keys.SETTINGS].public_url
    return host == request.host or (public_url is not None and host == urlparse(public_url).netloc)


async def _csrf_ok(request: web.Request, session: Session) -> bool:
    sent = request.headers.get("X-CSRF-Token")
    if sent is None:
        form = await request.post()
        sent = str(form.get("_csrf", ""))
    expected = str(session.get("csrf", ""))
    return bool(expected) and hmac.compare_digest(sent.encode(), expected.encode()) and _same_origin(request)


@web.middleware
async def authenticate(request: web.Request,
                       handler: Callable[[web.Request], Awaitable[web.StreamResponse]]) -> web.StreamResponse:
    """A valid session sets ``request[UID]``; pages need one, POSTs need the CSRF token too."""
    if request.path.startswith(f"{PREFIX}/static/"):
        return await handler(request)
    session = await get_session(request)
    now, idle = _epoch(request), request.config_dict[keys.SETTINGS].web_idle_minutes * 60
    uid, expired = session.get("uid"), False
    if uid is not None and (now - float(session.get("seen", 0)) > idle
                            or now - float(session.get("at", 0)) > ABSOLUTE.total_seconds()):
        session.invalidate()
        uid, expired = None, True
    if uid is not None:
        session["seen"] = now
        request[UID] = uid
        request[CSRF_TOKEN] = session.get("csrf", "")
    if getattr(request.match_info.route.handler, "web_public", False):
        return await handler(request)
    if uid is None:
        if request.method in ("GET", "HEAD"):
            return redirect(f"{LOGIN}?next={quote(request.path_qs)}" + ("&expired=1" if expired else ""))
        return error_page(request, 401, "登录已过期，请重新打开工作台。" if expired else "请先登录工作台。")
    if request.method not in ("GET", "HEAD") and not await _csrf_ok(request, session):
        return error_page(request, 403, "页面已过期或来源不明，操作没有执行。请刷新页面后重试。")
    return await handler(request)


async def _start(request: web.Request, session: AsyncSession, userid: str, via: str) -> web.Response | None:
    """Log ``userid`` in (a fresh session: no fixation); None when they are not in the roster."""
    if await people.get(session, userid) is None:
        await audit.record(session, local_now(request), userid, "login_refused", "web_login", userid, f"via={via}")
        return None
    nxt = _safe_next((await get_session(request)).get("next"))
    cookie = await new_session(request)
    now = _epoch(request)
    cookie.update({"uid": userid, "at": now, "seen": now, "csrf": secrets.token_urlsafe(24)})
    await audit.record(session, local_now(request), userid, "login", "web_login", userid, f"via={via}")
    return redirect(nxt)


@public
async def login_page(request: web.Request) -> web.StreamResponse:
    nxt = _safe_next(request.query.get("next"))
    if UID in request:
        return redirect(nxt)
    start = f"{PREFIX}/oauth/start?next={quote(nxt)}"
    if "wxwork" in request.headers.get("User-Agent", "").lower():  # the WeCom in-app browser: straight on
        return redirect(start)
    return render(request, "auth/login.html", title="登录", start=start,
                  expired=bool(request.query.get("expired")), bye=bool(request.query.get("bye")))


@public
async def oauth_start(request: web.Request) -> web.StreamResponse:
    s = request.config_dict[keys.SETTINGS]
    cookie = await get_session(request)
    state = secrets.token_urlsafe(16)
    cookie["oauth_state"], cookie["next"] = state, _safe_next(request.query.get("next"))
    back = (s.public_url or f"{request.scheme}://{request.host}/") + CALLBACK
    target = (f"{s.wecom_oauth_base}connect/oauth2/authorize?appid={quote(s.wecom_corp_id)}"
              f"&redirect_uri={quote(back, safe='')}&response_type=code&scope=snsapi_base"
              f"&state={state}&agentid={s.wecom_agent_id}#wechat_redirect")
    return web.Response(status=302, headers={"Location": target, "Cache-Control": "no-store"})


async def _userid_for(request: web.Request, code: str) -> str | None:
    s = request.config_dict[keys.SETTINGS]
    client = WeComClient(request.config_dict[keys.HTTP], s.wecom_api_base, s.wecom_corp_id, s.wecom_secret,
                         s.wecom_agent_id, timeout=s.http_timeout)
    tokens = request.config_dict[keys.TOKENS]
    token = await tokens.get()
    try:
        return await client.get_user_info(token, code)
    except WeComAPIError as exc:
        if exc.errcode not in TOKEN_ERRORS:
            raise
    return await client.get_user_info(await tokens.get(bad=token), code)


@public
async def oauth_callback(request: web.Request) -> web.StreamResponse:
    cookie = await get_session(request)
    state, code = request.query.get("state", ""), request.query.get("code", "")
    expected = str(cookie.pop("oauth_state", ""))
    if not code or not expected or not hmac.compare_digest(state.encode(), expected.encode()):
        return error_page(request, 400, "登录请求已失效，请从企业微信工作台重新打开。")
    try:
        userid = await _userid_for(request, code)
    except WeComAPIError:
        return error_page(request, 403, "企业微信登录码无效或已过期，请重新打开工作台。")
    except TransportError:
        return error_page(request, 502, "暂时连不上企业微信，请稍后再试。")
    if userid is None:
        return error_page(request, 403, NOT_IN_ROSTER)
    async with request.config_dict[keys.DB].sessions() as session, session.begin():
        started = await _start(request, session, userid, "oauth")
    return started or error_page(request, 403, NOT_IN_ROSTER)


@public
async def link_page(request: web.Request) -> web.StreamResponse:
    return render(request, "auth/link.html", title="登录", action=request.path)


@public
async def link_redeem(request: web.Request) -> web.StreamResponse:
    if not _same_origin(request):
        return error_page(request, 403, "来源不明的登录请求，没有登录。")
    now = local_now(request)
    async with request.config_dict[keys.DB].sessions() as session, session.begin():
        userid = await logins.redeem(session, request.match_info["token"], now)
        started = await _start(request, session, userid, "link") if userid else None
    if userid is None:
        return error_page(request, 403, LINK_GONE)
    return started or error_page(request, 403, NOT_IN_ROSTER)


async def logout(request: web.Request) -> web.StreamResponse:
    cookie = await get_session(request)
    async with request.config_dict[keys.DB].sessions() as session, session.begin():
        await audit.record(session, local_now(request), request[UID], "logout", "web_login", request[UID])
    cookie.invalidate()
    return redirect(f"{LOGIN}?bye=1")


async def create_login_link(session: AsyncSession, userid: str, now: datetime, settings: Settings) -> str:
    """The one-time workbench link for ``/后台`` (valid 10 minutes, single use), in ``session``'s transaction.

    Raises:
        ValueError: ``public_url`` (SIJING_PUBLIC_URL) is not set, so no absolute link can be made.
    """
    if not settings.public_url:
        raise ValueError("SIJING_PUBLIC_URL is needed for workbench login links")
    token = await logins.create(session, userid, now)
    return f"{settings.public_url}web/login/link/{token}"


def setup_routes(app: web.Application) -> None:
    app.router.add_get("/login", login_page)
    app.router.add_get("/oauth/start", oauth_start)
    app.router.add_get("/oauth/callback", oauth_callback)
    app.router.add_get("/login/link/{token}", link_page)
    app.router.add_post("/login/link/{token}", link_redeem)
    app.router.add_post("/logout", logout)
