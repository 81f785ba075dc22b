"""The workbench's 责任区: coverage per member (the secretary, as ``/覆盖``) and a member's own zone
(as ``/我的``), with who has not been visited lately."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from aiohttp import web

from bot.web import permissions as perm
from bot.web.charts import chart, series
from bot.web.core import Ctx, NotFound, Scope, add_nav, page, url
from bot.web.tables import Cell, Field, Table, respond
from bot.web.workbook import Column
from storage import people
from storage.care import coverage as cov
from storage.paging import Page

COVERAGE = (Column("党员", width=10), Column("班组"), Column("责任区人数", "int", 9), Column("近30天已走访", "int", 10),
            Column("30天覆盖率", "pct"), Column("近90天已走访", "int", 10), Column("90天覆盖率", "pct"))
ZONE = (Column("姓名", width=9), Column("班组"), Column("电话", width=13), Column("最近走访", "date"),
        Column("距今（天）", "int", 8), Column("关注中", "int", 7))
NOT_VISITED = [("30", "30天未走访"), ("90", "90天未走访")]
SHOWN_UNASSIGNED = 20
PER_CHART = 50


def share(part: int, whole: int) -> float | None:
    """``part`` of ``whole`` in % (one decimal); None for an empty whole."""
    return round(100 * part / whole, 1) if whole else None


def _pct(visited: int, size: int) -> float | None:
    return visited / size if size else None  # "—" for an empty zone, not 0%


async def totals(scope: Scope) -> cov.Coverage:
    return await cov.coverage(scope.session, scope.today)


def coverage_table(scope: Scope) -> Table:
    async def fetch(limit: int | None, offset: int) -> Page[Any]:
        found = await cov.members(scope.session, scope.today, limit=limit, offset=offset)
        rows = []
        for m in found.rows:
            pct_30 = _pct(m.visited_30, m.zone_size)
            rows.append([Cell(m.name, url("zone", member=m.member)), m.team, m.zone_size, m.visited_30,
                         Cell(pct_30, tone="late" if pct_30 is not None and pct_30 < 0.5 else None), m.visited_90,
                         _pct(m.visited_90, m.zone_size)])
        return Page(rows, found.total)
    return Table("coverage", "责任区覆盖", COVERAGE, fetch)


def zone_table(scope: Scope, member: str, days: int | None) -> Table:
    async def fetch(limit: int | None, offset: int) -> Page[Any]:
        found = await cov.zone(scope.session, member, scope.today, not_visited_days=days, limit=limit, offset=offset)
        rows = []
        for p, last, active in found.rows:
            gap = (scope.today - last).days if last else None
            rows.append([Cell(p.name, url(f"care/people/{quote(p.userid)}")), p.team, p.phone, last,
                         Cell(gap if gap is not None else "从未走访", tone="late" if gap is None or gap > 30 else None),
                         active])
        return Page(rows, found.total)
    return Table("zone", "责任区名单", ZONE, fetch)


@page(perm.secretary, "/覆盖 仅限支部书记使用。党员同志可以在“我的责任区”查看自己的责任区。")
async def coverage(ctx: Ctx) -> web.StreamResponse:
    whole = await totals(ctx)
    shown = (await cov.members(ctx.session, ctx.today, limit=PER_CHART, offset=(ctx.q.page() - 1) * PER_CHART)).rows
    spec = chart("hbar", "各党员近30天覆盖率", [m.name for m in shown],
                 [series("30天", [share(m.visited_30, m.zone_size) for m in shown]),
                  series("90天", [share(m.visited_90, m.zone_size) for m in shown])],
                 unit="%", top=100, links=[url("zone", member=m.member) for m in shown], hint="点党员看责任区名单")
    left = whole.unassigned
    intro = (f"截至 {ctx.today}：责任区共 {whole.zone_total} 人，近30天走访 {whole.visited_30} 人，"
             f"近90天走访 {whole.visited_90} 人。"
             + (f" 未划入责任区：{'、'.join(n for _, n in left[:SHOWN_UNASSIGNED])}"
                f"{' 等' if len(left) > SHOWN_UNASSIGNED else ''}。" if left else ""))
    return await respond(ctx, "care/coverage.html", [coverage_table(ctx)], title="责任区覆盖", intro=intro, spec=spec)


@page(perm.member, "责任区只有党员同志才有。")
async def my_zone(ctx: Ctx) -> web.StreamResponse:
    member = ctx.q.text("member") or ctx.viewer.userid
    ctx.require(perm.can_view_zone(ctx.viewer, member), "只能查看自己的责任区。")
    owner = await people.get(ctx.session, member)
    if owner is None or not owner.is_staff:
        raise NotFound("没有这位党员。")
    days = ctx.q.choice("not_visited", [k for k, _ in NOT_VISITED])
    rows = (await cov.members(ctx.session, ctx.today, member=member)).rows
    mine = rows[0] if rows else None
    links = [("我负责的事项", url("items", owner=member, status="active")),
             ("7天内要回访", url("care", due="week")), ("回访已逾期", url("care", due="late"))]
    title = "我的责任区" if member == ctx.viewer.userid else f"{owner.name}的责任区"
    return await respond(ctx, "care/zone.html", [zone_table(ctx, member, int(days) if days else None)],
                         title=title, mine=mine, pct_30=_pct(mine.visited_30, mine.zone_size) if mine else None,
                         pct_90=_pct(mine.visited_90, mine.zone_size) if mine else None,
                         links=links if member == ctx.viewer.userid else [],
                         fields=[Field("not_visited", "筛选", options=NOT_VISITED)])


def setup(app: web.Application) -> None:
    app.router.add_get("/coverage", coverage)
    app.router.add_get("/zone", my_zone)
    add_nav(app, "我的责任区", "zone", lambda v: perm.member(v) and not v.secretary, order=15)
    add_nav(app, "覆盖", "coverage", perm.secretary, order=32)
