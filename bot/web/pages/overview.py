"""总览: the month at a glance for the secretary — every figure and chart links to the rows behind it."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from urllib.parse import quote

from aiohttp import web

from bot.web import permissions as perm
from bot.web.charts import chart, series
from bot.web.core import Ctx, add_nav, page, url
from bot.web.pages.teams import COMPUTING, ranking_for
from bot.web.queries import overview as q
from bot.web.queries.deeds import next_month
from bot.web.queries.people import coverage_totals
from storage import teams

MONTHS = 12


def _pct(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


@page(perm.secretary, "总览只有支部书记可以查看。")
async def overview(ctx: Ctx) -> web.StreamResponse:
    months = q.months_back(ctx.today, MONTHS)
    labels = [f"{m.month}月" for m in months]
    this_month = f"{ctx.today:%Y-%m}"
    counts = await q.item_counts(ctx.session, ctx.now, ctx.tz)
    zone, v30, v90 = await coverage_totals(ctx.session, ctx.today)
    late_care = await q.late_follow_ups(ctx.session, ctx.today)
    ranking = await ranking_for(ctx, teams.month_start(ctx.today), wait=0.15)
    scored = [t for t in ranking.teams if t.score is not None] if ranking else []
    on_time, due = await q.follow_ups(ctx.session, months, ctx.today)
    spans = [(m, next_month(m) - timedelta(days=1)) for m in months]
    kpis: list[tuple[str, Any, str, bool]] = [
        ("未办结事项", counts.active, url("items", status="active", kind="deed"), False),
        ("逾期事项", counts.overdue, url("items", overdue="true"), counts.overdue > 0),
        ("本月办结", counts.closed_month, url("items", closed_in=this_month), False),
        ("30天走访覆盖", f"{_pct(v30, zone) or 0:.0f}%", url("coverage"), False),
        ("回访已逾期", late_care, url("care", due="late"), late_care > 0),
        ("本月突发事件", counts.incidents_month, url("items", kind="incident", since=f"{months[-1]}"), False),
    ]
    charts = {
        "items": chart("bar", "事项办理", ["未办结", "逾期", "本月办结", "本月事件"],
                       [series("件数", [counts.active, counts.overdue, counts.closed_month, counts.incidents_month])],
                       links=[kpis[0][2], kpis[1][2], kpis[2][2], kpis[5][2]], hint="点柱子看明细"),
        "coverage": chart("bar", "责任区走访覆盖", ["近30天", "近90天"],
                          [series("覆盖率", [_pct(v30, zone), _pct(v90, zone)])], unit="%", top=100,
                          links=[url("coverage")] * 2, hint=f"责任区共 {zone} 人"),
        "satisfaction": chart("line", "满意率（按月）", labels,
                              [series("满意率", await q.satisfaction(ctx.session, months, ctx.tz))], unit="%", top=100,
                              links=[url("items", closed_in=f"{m:%Y-%m}") for m in months], hint="满意办结 ÷（办结 + 重办）"),
        "followups": chart("bar", "按时回访率（按月）", labels, [series("按时率", on_time)], unit="%", top=100,
                           links=[url("care/visits", since=f"{a}", until=f"{b}") for a, b in spans],
                           hint=f"近一年应回访 {sum(due)} 次"),
        "incidents": chart("bar", "突发事件（按月）", labels,
                           [series("事件", await q.incidents(ctx.session, months, ctx.tz))],
                           links=[url("items", kind="incident", since=f"{a}", until=f"{b}") for a, b in spans]),
    }
    if ranking is not None:
        charts["teams"] = chart("hbar", f"{ctx.today.month}月班组排名", [t.team for t in scored],
                                [series("得分", [t.score for t in scored])], top=100,
                                links=[url(f"teams/{quote(t.team)}", month=this_month) for t in scored],
                                hint="点班组看得分构成")
    return ctx.render("overview/index.html", title="总览", kpis=kpis, charts=charts, as_of=ctx.now,
                      computing=COMPUTING if ranking is None else "")


def setup(app: web.Application) -> None:
    app.router.add_get("/overview", overview)
    add_nav(app, "总览", "overview", perm.secretary, order=10)
