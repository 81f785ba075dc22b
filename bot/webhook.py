"""The WeCom callback endpoint: verify, decrypt, store, acknowledge, hand on."""

from __future__ import annotations

import logging

from aiohttp import web

from bot import keys
from bot.events import dedupe_key, parse_fields
from bot.logsafe import pseudo
from bot.wecom.crypto import CallbackError
from storage.inbox import NewInbound, is_transient

log = logging.getLogger(__name__)

_QUERY = ("msg_signature", "timestamp", "nonce")


def _query(request: web.Request, *names: str) -> list[str]:
    values = [request.query.get(n, "") for n in names]
    if not all(values):
        raise CallbackError(400, "missing query parameters")
    return values


def _refuse(exc: CallbackError, request: web.Request) -> web.Response:
    log.warning("callback refused (%d): %s from %s", exc.status, exc.reason, request.remote)
    return web.Response(status=exc.status, text=exc.reason)


async def verify_url(request: web.Request) -> web.Response:
    """GET: answer the decrypted echostr as plain text, nothing else."""
    try:
        sig, ts, nonce, echostr = _query(request, *_QUERY, "echostr")
        plain = request.app[keys.CRYPTO].verify_url(sig, ts, nonce, echostr)
    except CallbackError as exc:
        return _refuse(exc, request)
    return web.Response(text=plain, content_type="text/plain")


async def _read_body(request: web.Request, limit: int) -> bytes:
    if request.content_length is not None and request.content_length > limit:
        raise CallbackError(413, "body too large")
    body = await request.content.read(limit + 1)
    if len(body) > limit:
        raise CallbackError(413, "body too large")
    return body


async def receive(request: web.Request) -> web.Response:
    """POST: nothing is stored unless it verifies and decrypts; the 200 comes after the commit."""
    gate = request.app[keys.GATE]
    gate.enter()
    try:
        return await _receive(request)
    finally:
        gate.leave()


async def _receive(request: web.Request) -> web.Response:
    settings = request.app[keys.SETTINGS]
    try:
        sig, ts, nonce = _query(request, *_QUERY)
        body = await _read_body(request, settings.max_body_bytes)
        inner = request.app[keys.CRYPTO].decrypt_body(body, sig, ts, nonce)
        fields = parse_fields(inner)
    except CallbackError as exc:
        return _refuse(exc, request)
    row = NewInbound(dedupe_key(fields), fields["FromUserName"], fields["MsgType"], inner)
    try:
        new_id = await request.app[keys.WRITER].store(row)
    except Exception as exc:  # noqa: BLE001 - not stored: let WeCom retry
        if not is_transient(exc):  # an outage is logged once by the writer, not once per callback
            log.exception("could not store callback from %s", pseudo(row.from_user))
        return web.Response(status=503, text="storage unavailable")
    if new_id is not None:
        request.app[keys.PROCESSOR].submit(new_id, row.from_user)
    return web.Response(status=200, body=b"")


def setup(app: web.Application, path: str = "/wecom/callback") -> None:
    app.router.add_get(path, verify_url)
    app.router.add_post(path, receive)
