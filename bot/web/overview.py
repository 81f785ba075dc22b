"""``/web/``: each viewer's start page; 总览: the month at a glance for the secretary, composed of each
domain's figures and charts (its ``glance``), every one linking to the rows behind it."""

from __future__ import annotations

from aiohttp import web

from bot.web import permissions as perm
from bot.web.core import Ctx, add_nav, page, redirect, url
from bot.web.parts import PARTS, Glance


@page(perm.anyone)
async def home(ctx: Ctx) -> web.StreamResponse:
    if ctx.viewer.secretary:
        return redirect(url("overview"))
    if ctx.viewer.member:
        return redirect(url("zone"))
    return redirect(url("items"))


@page(perm.secretary, "总览只有支部书记可以查看。")
async def overview(ctx: Ctx) -> web.StreamResponse:
    whole = Glance()
    for part in ctx.request.app[PARTS]:
        if part.glance is not None:
            mine = await part.glance(ctx)
            whole.kpis += mine.kpis
            whole.charts += mine.charts
            whole.waiting = whole.waiting or mine.waiting
    return ctx.render("overview/index.html", title="总览", kpis=sorted(whole.kpis, key=lambda k: k.order),
                      charts=sorted(whole.charts, key=lambda c: c.order), as_of=ctx.now, computing=whole.waiting)


def setup(app: web.Application) -> None:
    app.router.add_get("/", home)
    app.router.add_get("/overview", overview)
    add_nav(app, "总览", "overview", perm.secretary, order=10)
