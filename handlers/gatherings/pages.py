"""The workbench's 培训与活动: trainings and team activities with sign-ups and attendance, and their
sheets of the inspection workbooks."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from aiohttp import web

from bot.web import permissions as perm
from bot.web.core import Ctx, NotFound, Scope, add_nav, page, url
from bot.web.tables import Cell, Field, Table, listed, options, respond
from bot.web.workbook import Column
from storage import gatherings, people
from storage.gatherings import Gathering, GatheringKind, GatheringStatus
from storage.paging import Page

COLUMNS = (Column("编号", width=8), Column("类型", width=6), Column("标题", "wrap", 26), Column("时间", "datetime"),
           Column("地点", "wrap", 16), Column("讲师/班组", width=10), Column("名额", "int", 6),
           Column("已报名", "int", 7), Column("已到场", "int", 7), Column("状态", width=8))
ROLL = (Column("姓名", width=9), Column("班组"), Column("报名时间", "datetime"), Column("到场", width=6))
FAR = 10**6
ROLL_NOTE = "名单只有讲师、组织者、党员和支部书记可以查看；这里只显示您自己的报名。"


def gathering_table(scope: Scope, kind: str | None, since: datetime | None = None,
                    until: datetime | None = None, name: str = "培训与活动") -> Table:
    async def fetch(limit: int | None, offset: int) -> Page[Any]:
        found, total = await gatherings.page(scope.session, kind, since=since, until=until,
                                             limit=FAR if limit is None else limit, offset=offset)
        names = await people.names(scope.session, [g.lecturer for g, _, _ in found])
        rows = []
        for g, signed, came in found:
            link = url(f"gatherings/{g.kind}/{g.number}")
            who = (names.get(g.lecturer or "", g.lecturer or "") if g.kind == GatheringKind.TRAINING
                   else (g.team or "全支部"))
            rows.append([Cell(gatherings.label_of(g), link), GatheringKind.label_of(g.kind), Cell(g.title, link),
                         g.starts_at, g.place, who, g.capacity or "不限", signed, came,
                         GatheringStatus.label_of(g.status)])
        return Page(rows, total)
    return Table("gatherings", name, COLUMNS, fetch)


def ledgers(scope: Scope, *, internal: bool) -> list[Table]:
    return [gathering_table(scope, GatheringKind.TRAINING, name="培训"),
            gathering_table(scope, GatheringKind.ACTIVITY, name="活动")]


@page(perm.anyone)
async def list_gatherings(ctx: Ctx) -> web.StreamResponse:
    kind = ctx.q.choice("kind", list(GatheringKind))
    since, until = ctx.q.moments(ctx.tz)
    return await respond(ctx, "list.html", [gathering_table(ctx, kind, since, until)], title="培训与活动",
                         fields=[Field("kind", "类型", options=options(GatheringKind)),
                                 Field("since", "开始自", "date"), Field("until", "开始至", "date")])


async def _gathering(ctx: Ctx) -> Gathering:
    kind, raw = ctx.request.match_info["kind"], ctx.request.match_info["n"]
    g = (await gatherings.get(ctx.session, kind, int(raw))
         if kind in list(GatheringKind) and raw.isdigit() and len(raw) < 9 else None)
    if g is None:
        raise NotFound("没有找到这个培训或活动。")
    return g


@page(perm.anyone)
async def show_gathering(ctx: Ctx) -> web.StreamResponse:
    g = await _gathering(ctx)
    roll = perm.can_view_roll(ctx.viewer, g)
    rows = await gatherings.signups(ctx.session, g)
    mine = next((s for s in rows if s.userid == ctx.viewer.userid), None)
    shown = rows if roll else ([mine] if mine else [])
    who = await people.by_id(ctx.session, [s.userid for s in shown] + [g.lecturer])

    async def fetch(limit: int | None, offset: int) -> Page[Any]:
        return listed([[who[s.userid].name if s.userid in who else s.userid,
                        who[s.userid].team if s.userid in who else "", s.signed_at,
                        Cell("是" if s.attended else "否", tone="ok" if s.attended else None)] for s in shown],
                      limit, offset)
    label = gatherings.label_of(g)
    table = Table("roll", f"{label}报名与到场", ROLL, fetch, paged=False, note="" if roll else ROLL_NOTE)
    return await respond(ctx, "gatherings/show.html", [table], title=f"{label} {g.title}", g=g, label=label,
                         signed=len(rows), came=sum(1 for s in rows if s.attended),
                         lecturer=who[g.lecturer].name if g.lecturer in who else "",
                         status=GatheringStatus.label_of(g.status), mine=mine)


def setup(app: web.Application) -> None:
    app.router.add_get("/gatherings", list_gatherings)
    app.router.add_get("/gatherings/{kind}/{n}", show_gathering)
    add_nav(app, "培训活动", "gatherings", perm.anyone, order=60)
