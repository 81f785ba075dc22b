"""责任区: coverage per member (the secretary) and a member's own zone, with who has not been contacted."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from aiohttp import web

from bot.web import permissions as perm
from bot.web.charts import chart, series
from bot.web.core import Ctx, NotFound, Scope, add_nav, page, url
from bot.web.queries import people as q
from bot.web.tables import Cell, Field, Table, respond
from bot.web.workbook import Column
from storage import people

COVERAGE = (Column("党员", width=10), Column("班组"), Column("责任区人数", "int", 9), Column("近30天已走访", "int", 10),
            Column("30天覆盖率", "pct"), Column("近90天已走访", "int", 10), Column("90天覆盖率", "pct"))
ZONE = (Column("姓名", width=9), Column("班组"), Column("电话", width=13), Column("最近走访", "date"),
        Column("距今（天）", "int", 8), Column("关注中", "int", 7))
NOT_VISITED = [("30", "30天未走访"), ("90", "90天未走访")]


def coverage_table(scope: Scope) -> Table:
    async def fetch(limit: int | None, offset: int) -> tuple[list[Any], int]:
        rows, total = await q.coverage(scope.session, scope.today, limit=limit, offset=offset)
        return [[Cell(m.name, url("zone", member=m.member)), m.team, m.zone_size, m.visited_30,
                 Cell(m.pct_30, tone="late" if m.pct_30 is not None and m.pct_30 < 0.5 else None), m.visited_90,
                 m.pct_90] for m in rows], total
    return Table("coverage", "责任区覆盖", COVERAGE, fetch)


def zone_table(scope: Scope, member: str, days: int | None) -> Table:
    async def fetch(limit: int | None, offset: int) -> tuple[list[Any], int]:
        rows, total = await q.zone(scope.session, member, scope.today, not_visited_days=days, limit=limit, offset=offset)
        out = []
        for p, last, active in rows:
            gap = (scope.today - last).days if last else None
            out.append([Cell(p.name, url(f"care/people/{quote(p.userid)}")), p.team, p.phone, last,
                        Cell(gap if gap is not None else "从未走访", tone="late" if gap is None or gap > 30 else None),
                        active])
        return out, total
    return Table("zone", "责任区名单", ZONE, fetch)


@page(perm.secretary, "/覆盖 仅限支部书记使用。党员同志可以在“我的责任区”查看自己的责任区。")
async def coverage(ctx: Ctx) -> web.StreamResponse:
    table = coverage_table(ctx)
    zone, v30, v90 = await q.coverage_totals(ctx.session, ctx.today)
    page_rows, _ = await q.coverage(ctx.session, ctx.today, limit=50, offset=(ctx.q.page() - 1) * 50)
    spec = chart("hbar", "各党员近30天覆盖率", [m.name for m in page_rows],
                 [series("30天", [round(100 * m.pct_30) if m.pct_30 is not None else None for m in page_rows]),
                  series("90天", [round(100 * m.pct_90) if m.pct_90 is not None else None for m in page_rows])],
                 unit="%", top=100, links=[url("zone", member=m.member) for m in page_rows], hint="点党员看责任区名单")
    unassigned = await q.unassigned(ctx.session)
    intro = (f"截至 {ctx.today}：责任区共 {zone} 人，近30天走访 {v30} 人，近90天走访 {v90} 人。"
             + (f" 未划入责任区：{'、'.join(n for _, n in unassigned[:20])}{' 等' if len(unassigned) > 20 else ''}。"
                if unassigned else ""))
    return await respond(ctx, "people/coverage.html", [table], title="责任区覆盖", intro=intro, spec=spec)


@page(perm.member, "责任区只有党员同志才有。")
async def my_zone(ctx: Ctx) -> web.StreamResponse:
    member = ctx.q.text("member") or ctx.viewer.userid
    ctx.require(perm.can_view_zone(ctx.viewer, member), "只能查看自己的责任区。")
    owner = await people.get(ctx.session, member)
    if owner is None or owner.role not in ("member", "secretary"):
        raise NotFound("没有这位党员。")
    days = ctx.q.choice("not_visited", [k for k, _ in NOT_VISITED])
    rows, _ = await q.coverage(ctx.session, ctx.today, member=member)
    mine = rows[0] if rows else None
    links = [("我负责的事项", url("items", owner=member, status="active")),
             ("7天内要回访", url("care", due="week")), ("回访已逾期", url("care", due="late"))]
    title = "我的责任区" if member == ctx.viewer.userid else f"{owner.name}的责任区"
    return await respond(ctx, "people/zone.html", [zone_table(ctx, member, int(days) if days else None)],
                         title=title, mine=mine, links=links if member == ctx.viewer.userid else [],
                         fields=[Field("not_visited", "筛选", options=NOT_VISITED)])


def setup(app: web.Application) -> None:
    app.router.add_get("/coverage", coverage)
    app.router.add_get("/zone", my_zone)
    add_nav(app, "我的责任区", "zone", lambda v: perm.member(v) and not v.secretary, order=15)
    add_nav(app, "覆盖", "coverage", perm.secretary, order=32)
