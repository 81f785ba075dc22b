"""``/web/``: each viewer's start page — the secretary's overview, a member's zone, an employee's items."""

from __future__ import annotations

from aiohttp import web

from bot.web import permissions as perm
from bot.web.core import Ctx, page, redirect, url


@page(perm.anyone)
async def home(ctx: Ctx) -> web.StreamResponse:
    if ctx.viewer.secretary:
        return redirect(url("overview"))
    if ctx.viewer.member:
        return redirect(url("zone"))
    return redirect(url("items"))


def setup(app: web.Application) -> None:
    app.router.add_get("/", home)
