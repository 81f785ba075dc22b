"""培训与活动: trainings and team activities with sign-ups and attendance."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from aiohttp import web

from bot.web import permissions as perm
from bot.web.core import Ctx, NotFound, Scope, add_nav, page, url
from bot.web.queries.deeds import start_of
from bot.web.queries.people import names_for, people_for
from bot.web.tables import Cell, Field, Table, options, respond
from bot.web.workbook import Column
from storage import gatherings, reports
from storage.models import Gathering

COLUMNS = (Column("编号", width=8), Column("类型", width=6), Column("标题", "wrap", 26), Column("时间", "datetime"),
           Column("地点", "wrap", 16), Column("讲师/班组", width=10), Column("名额", "int", 6),
           Column("已报名", "int", 7), Column("已到场", "int", 7), Column("状态", width=8))
ROLL = (Column("姓名", width=9), Column("班组"), Column("报名时间", "datetime"), Column("到场", width=6))
FAR = 10**6


def gathering_table(scope: Scope, kind: str | None, since: Any = None, until: Any = None) -> Table:
    async def fetch(limit: int | None, offset: int) -> tuple[list[Any], int]:
        rows = await gatherings.list_gatherings(scope.session, kind, since=since, until=until,
                                                limit=FAR if limit is None else limit, offset=offset)
        total = await gatherings.count_gatherings(scope.session, kind, since=since, until=until)
        counts = await gatherings.counts(scope.session, [g.id for g in rows])
        names = await names_for(scope.session, [g.lecturer for g in rows])
        out = []
        for g in rows:
            link = url(f"gatherings/{g.kind}/{g.number}")
            signed, came = counts.get(g.id, (0, 0))
            who = names.get(g.lecturer or "", g.lecturer or "") if g.kind == "training" else (g.team or "全支部")
            out.append([Cell(gatherings.label_of(g), link), reports.cn(gatherings.KIND_CN, g.kind), Cell(g.title, link),
                        g.starts_at, g.place, who, g.capacity or "不限", signed, came,
                        reports.cn(gatherings.STATUS_CN, g.status)])
        return out, total
    return Table("gatherings", "培训与活动", COLUMNS, fetch)


@page(perm.anyone)
async def list_gatherings(ctx: Ctx) -> web.StreamResponse:
    kind = ctx.q.choice("kind", gatherings.KINDS)
    since, until = ctx.q.span()
    table = gathering_table(ctx, kind, start_of(since, ctx.tz) if since else None,
                            start_of(until + timedelta(days=1), ctx.tz) if until else None)
    return await respond(ctx, "list.html", [table], title="培训与活动",
                         fields=[Field("kind", "类型", options=options(gatherings.KIND_CN)),
                                 Field("since", "开始自", "date"), Field("until", "开始至", "date")])


async def _gathering(ctx: Ctx) -> Gathering:
    kind, raw = ctx.request.match_info["kind"], ctx.request.match_info["n"]
    g = (await gatherings.get(ctx.session, kind, int(raw))
         if kind in gatherings.KINDS and raw.isdigit() and len(raw) < 9 else None)
    if g is None:
        raise NotFound("没有找到这个培训或活动。")
    return g


@page(perm.anyone)
async def show_gathering(ctx: Ctx) -> web.StreamResponse:
    g = await _gathering(ctx)
    roll = perm.can_view_roll(ctx.viewer, g.lecturer, g.created_by)
    rows = await gatherings.signups(ctx.session, g)
    mine = next((s for s in rows if s.userid == ctx.viewer.userid), None)
    shown = rows if roll else ([mine] if mine else [])
    people = await people_for(ctx.session, [s.userid for s in shown] + [g.lecturer])

    async def fetch(limit: int | None, offset: int) -> tuple[list[Any], int]:
        return [[people[s.userid].name if s.userid in people else s.userid,
                 people[s.userid].team if s.userid in people else "", s.signed_at,
                 Cell("是" if s.attended else "否", tone="ok" if s.attended else None)] for s in shown], len(shown)
    table = Table("roll", f"{gatherings.label_of(g)}报名与到场", ROLL, fetch, paged=False,
                  note="" if roll else "名单只有讲师、组织者、党员和支部书记可以查看；这里只显示您自己的报名。")
    lecturer = people[g.lecturer].name if g.lecturer in people else ""
    return await respond(ctx, "gatherings/show.html", [table], title=f"{gatherings.label_of(g)} {g.title}", g=g,
                         signed=len(rows), came=sum(1 for s in rows if s.attended), lecturer=lecturer,
                         status=reports.cn(gatherings.STATUS_CN, g.status), mine=mine)


def setup(app: web.Application) -> None:
    app.router.add_get("/gatherings", list_gatherings)
    app.router.add_get("/gatherings/{kind}/{n}", show_gathering)
    add_nav(app, "培训活动", "gatherings", perm.anyone, order=60)
