"""The workbench's 精益班组: the monthly team scores with every part of the formula, one team's record,
the score sheets of the inspection workbooks and the ranking on the overview."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any
from urllib.parse import quote

from aiohttp import web

from bot.web import permissions as perm
from bot.web.charts import chart, series
from bot.web.core import Ctx, NotFound, Scope, add_nav, local_now, page, url
from bot.web.parts import Chart, Glance
from bot.web.tables import Cell, Table, listed, respond
from bot.web.workbook import Column
from storage import teams
from storage.paging import Page
from storage.teams import COMPONENTS
from storage.teams.cache import RankingCache

PART = 10  # width of a component column
PARTS = (Column("项目", width=10), Column("完成", "int", 7), Column("应完成", "int", 7), Column("比率", "pct"),
         Column("权重", width=6), Column("计入得分", width=9))
RANKINGS = web.AppKey("web_team_rankings", RankingCache)
COMPUTING = "班组得分正在计算（数据多时要几秒钟），页面稍后会自动刷新。"
MONTHS_SHOWN = 6


def _month(ctx: Ctx) -> date:
    month = ctx.q.month("month") or teams.month_start(ctx.today)
    ctx.require(month <= teams.month_start(ctx.today), f"{teams.month_label(month)}还没到，没有评分。")
    return month


def _part(c: teams.Component) -> str:
    return f"{c.num}/{c.den}（{c.ratio * 100:.0f}%）" if c.ratio is not None else "—（无数据）"


def _team_url(team: str, month: date) -> str:
    return url(f"teams/{quote(team)}", month=f"{month:%Y-%m}")


async def _ranking(scope: Scope, month: date) -> teams.Ranking:
    return await teams.ranking(scope.session, month, scope.tz, now=scope.now,
                               weights_=teams.weights(scope.settings.team_weights))


async def ranking_for(ctx: Ctx, month: date, wait: float) -> teams.Ranking | None:
    """The month's scores from the cache (``storage.teams.cache``); None while first computed."""
    return await ctx.request.app[RANKINGS].get(ctx.settings.database_url, month, lambda: local_now(ctx.request),
                                               ctx.tz, teams.weights(ctx.settings.team_weights), wait=wait)


def ranking_table(scope: Scope, month: date, known: teams.Ranking | None = None) -> Table:
    columns = (Column("排名", "int", 6), Column("班组", width=12), Column("人数", "int", 6), Column("网格长", width=10),
               Column("得分", width=7), *(Column(k.label, width=PART + 4) for k in COMPONENTS))

    async def fetch(limit: int | None, offset: int) -> Page[Any]:
        result = known or await _ranking(scope, month)
        return listed([[t.rank or None, Cell(t.team, _team_url(t.team, month)), t.size,
                        "、".join(p.name for p in t.leaders) or "—", t.score if t.score is not None else "—",
                        *(_part(t.components[k]) for k in COMPONENTS)] for t in result.teams], limit, offset)
    return Table("ranking", f"{teams.month_label(month)}班组评分", columns, fetch, paged=False)


def ledgers(scope: Scope, *, internal: bool) -> list[Table]:
    this = teams.month_start(scope.today)
    return [ranking_table(scope, this), ranking_table(scope, teams.previous_month(this))]


def _weights_note(result: teams.Ranking) -> str:
    w = result.weights
    return ("得分 = 100 × Σ(权重 × 比率) ÷ Σ权重，只计有数据的项。权重："
            + "，".join(f"{k.label} {w.get(k, 0):g}" for k in COMPONENTS) + "。")


def _contribution(t: teams.TeamScore, w: dict[str, float], key: str) -> float | None:
    """The points ``key`` adds to the team's score (its weighted share, renormalised)."""
    defined = [k for k, c in t.components.items() if c.ratio is not None and w.get(k, 0) > 0]
    ratio = t.components[key].ratio
    if key not in defined or ratio is None:
        return None
    return round(100 * w[key] * ratio / sum(w[k] for k in defined), 1)


@page(perm.anyone)
async def ranking(ctx: Ctx) -> web.StreamResponse:
    month = _month(ctx)
    title = f"{teams.month_label(month)}班组评分"
    result = await ranking_for(ctx, month, wait=0.25)
    if result is None:
        return ctx.render("teams/computing.html", title=title, message=COMPUTING)
    scored = [t for t in result.teams if t.score is not None]
    spec = chart("hstack", "得分构成", [t.team for t in scored],
                 [series(k.label, [_contribution(t, result.weights, k) for t in scored]) for k in COMPONENTS],
                 links=[_team_url(t.team, month) for t in scored], hint="点班组看明细")
    months = [teams.month_start(ctx.today)]
    while len(months) < MONTHS_SHOWN:
        months.append(teams.previous_month(months[-1]))
    return await respond(ctx, "teams/ranking.html", [ranking_table(ctx, month, result)], title=title,
                         spec=spec, note=_weights_note(result), months=[(f"{m:%Y-%m}", teams.month_label(m)) for m in months],
                         month=f"{month:%Y-%m}", excellent=[t.team for t in result.excellent()])


@page(perm.team_lead, "班组情况只有支部书记和网格长可以查看。")
async def team(ctx: Ctx) -> web.StreamResponse:
    name = ctx.request.match_info["team"]
    ctx.require(perm.can_view_team(ctx.viewer, name), f"网格长只能查看本班组（{ctx.viewer.team}）的情况。")
    month = _month(ctx)
    result = await ranking_for(ctx, month, wait=0.25)
    if result is None:
        return ctx.render("teams/computing.html", title=f"{name} · {teams.month_label(month)}", message=COMPUTING)
    ts = result.of(name)
    if ts is None:
        raise NotFound(f"没有“{name}”这个班组。")
    record = await teams.figures(ctx.session, name, month, ctx.tz)

    async def fetch(limit: int | None, offset: int) -> Page[Any]:
        return listed([[k.label, ts.components[k].num, ts.components[k].den, ts.components[k].ratio,
                        result.weights.get(k, 0.0), _contribution(ts, result.weights, k)
                        if ts.components[k].ratio is not None else "不计"] for k in COMPONENTS], limit, offset)
    parts = Table("parts", f"{name}{teams.month_label(month)}得分构成", PARTS, fetch, paged=False,
                  note=_weights_note(result))
    last = teams.next_month(month) - timedelta(days=1)
    return await respond(ctx, "teams/team.html", [parts], title=f"{name} · {teams.month_label(month)}", ts=ts,
                         record=record, month=f"{month:%Y-%m}", first=f"{month:%Y-%m-%d}", last=f"{last:%Y-%m-%d}")


async def glance(ctx: Ctx) -> Glance:
    """This month's ranking (from the cache: while it is first computed, the overview says so)."""
    month = teams.month_start(ctx.today)
    result = await ranking_for(ctx, month, wait=0.15)
    if result is None:
        return Glance(waiting=COMPUTING)
    scored = [t for t in result.teams if t.score is not None]
    return Glance(charts=[Chart("teams", chart("hbar", f"{ctx.today.month}月班组排名", [t.team for t in scored],
                                               [series("得分", [t.score for t in scored])], top=100,
                                               links=[_team_url(t.team, month) for t in scored],
                                               hint="点班组看得分构成"), order=60)])


def setup(app: web.Application) -> None:
    cache = app[RANKINGS] = RankingCache()

    async def close(_: web.Application) -> None:
        await cache.close()
    app.on_cleanup.append(close)
    app.router.add_get("/teams", ranking)
    app.router.add_get("/teams/{team}", team)
    add_nav(app, "班组", "teams", perm.anyone, order=70)
