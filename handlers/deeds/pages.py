"""The workbench's 办实事 and incidents: the item list (filters, search, Excel), an item's whole history,
the secretary's actions (the chat's ``/指派`` and ``/关闭``: :func:`handlers.deeds.flows.reassign` and
:func:`~handlers.deeds.flows.close_by_hand`), the item sheets of the inspection workbooks and the items'
figures on the overview."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any

from aiohttp import web

from bot.replies import Reply
from bot.web import permissions as perm
from bot.web.charts import chart, series
from bot.web.core import Ctx, NotFound, Scope, add_nav, page, redirect, url
from bot.web.notify import deliver
from bot.web.parts import Chart, Glance, Kpi
from bot.web.tables import Cell, Field, Table, listed, options, respond
from bot.web.workbook import Column
from handlers.deeds import flows
from storage import deeds, people, teams
from storage.deeds import DeedCategory, DeedStatus, EventKind, Item, ItemKind, Satisfaction
from storage.deeds import queries as q
from storage.errors import Refused
from storage.months import month_bounds, months_back, next_month
from storage.paging import Page

OPEN = "active"  # the status filter "not closed yet", deeds and incidents
STATUS_OPTIONS = [(OPEN, "未办结"), *options(q.ITEM_STATUSES)]
COLUMNS = (Column("编号", "int", 7), Column("类型", width=9), Column("类别", width=9), Column("标题", "wrap", 28),
           Column("反映内容", "wrap", 40, on_page=False), Column("反映人", width=9), Column("负责人", width=9),
           Column("班组"), Column("状态", width=11), Column("提出时间", "datetime"), Column("办理期限", "datetime"),
           Column("逾期", width=6), Column("满意度", width=8), Column("销号原因", "wrap", 24, on_page=False))
HISTORY = (Column("时间", "datetime"), Column("经办人", width=10), Column("环节", width=10),
           Column("状态变化", width=22), Column("说明", "wrap", 50))
ACTS = "改派和销号只有支部书记可以操作。"
MONTHS = 12


def _filters(ctx: Ctx) -> dict[str, Any]:
    """The list's query string as ``storage.deeds.queries.items`` arguments."""
    since, until = ctx.q.moments(ctx.tz)
    status = ctx.q.choice("status", [k for k, _ in STATUS_OPTIONS])
    closed_in = ctx.q.month("closed_in")
    closed_from, closed_to = month_bounds(closed_in, ctx.tz) if closed_in else (None, None)
    return dict(status=q.ITEM_OPEN if status == OPEN else ([status] if status else None), owner=ctx.q.text("owner"),
                category=ctx.q.choice("category", list(DeedCategory)), kind=ctx.q.choice("kind", list(ItemKind)),
                overdue=ctx.q.flag("overdue"), created_from=since, created_to=until, closed_from=closed_from,
                closed_to=closed_to, satisfaction=ctx.q.choice("satisfaction", list(Satisfaction)), text=ctx.q.text("q"),
                team=ctx.q.text("team"))


def _row(it: Item, names: dict[str, str], now: datetime) -> list[Any]:
    late = deeds.is_overdue(it, now)
    link = url(f"items/{it.number}")
    return [Cell(it.number, link), ItemKind.label_of(it.kind), DeedCategory.label_of(it.category), Cell(it.title, link),
            it.text, names.get(it.requester, it.requester), names.get(it.owner or "", it.owner or "—"), it.team,
            deeds.status_label(it.kind, it.status), it.created_at, it.due_at,
            Cell("是" if late else "否", tone="late" if late else None), Satisfaction.label_of(it.satisfaction),
            it.close_reason or ""]


def item_table(scope: Scope, filters: dict[str, Any], name: str = "办实事清单") -> Table:
    """The items ``scope.viewer`` may see that match ``filters``: the page, its download, the ledger."""
    where = perm.item_scope(scope.viewer)

    async def fetch(limit: int | None, offset: int) -> Page[Any]:
        found = await q.items(scope.session, now=scope.now, scope=where, newest_first=True, limit=limit, offset=offset,
                              **filters)
        names = await people.names(scope.session, [i.requester for i in found.rows] + [i.owner for i in found.rows])
        return Page([_row(i, names, scope.now) for i in found.rows], found.total)
    return Table("items", name, COLUMNS, fetch)


def ledgers(scope: Scope, *, internal: bool) -> list[Table]:
    return [item_table(scope, {"kind": ItemKind.DEED}, "办实事清单"),
            item_table(scope, {"kind": ItemKind.INCIDENT}, "事件记录")]


@page(perm.anyone)
async def list_items(ctx: Ctx) -> web.StreamResponse:
    filters = _filters(ctx)
    fields = [Field("status", "状态", options=STATUS_OPTIONS), Field("kind", "类型", options=options(ItemKind)),
              Field("category", "类别", options=options(DeedCategory)),
              Field("overdue", "逾期", options=[("true", "逾期"), ("false", "未逾期")]),
              Field("q", "搜索", "text"), Field("since", "提出自", "date"), Field("until", "提出至", "date")]
    if perm.member(ctx.viewer):
        owners = [(p.userid, p.name) for p in await people.staff(ctx.session)]
        fields.insert(3, Field("owner", "负责人", options=owners))
        fields.insert(4, Field("team", "班组", options=[(t, t) for t in await teams.team_names(ctx.session)]))
    title = "事项" if ctx.viewer.member else "我的事项"
    return await respond(ctx, "list.html", [item_table(ctx, filters)], title=title, fields=fields)


async def _item(ctx: Ctx) -> Item:
    raw = ctx.request.match_info["n"]
    found = await deeds.get_by_number(ctx.session, int(raw)) if raw.isdigit() and len(raw) < 9 else None
    if found is None:
        raise NotFound(f"没有编号 #{raw} 的事项。")
    requester = await people.get(ctx.session, found.requester)
    ctx.require(perm.can_view_item(ctx.viewer, found, requester.zone_member if requester else None),
                f"#{found.number} 只有反映人、负责人、责任区党员和支部书记可以查看。")
    return found


@page(perm.anyone)
async def show_item(ctx: Ctx) -> web.StreamResponse:
    it = await _item(ctx)
    events = await deeds.history(ctx.session, it.id)
    names = await people.names(ctx.session, [it.requester, it.owner] + [e.actor for e in events])

    def change(before: str | None, after: str | None) -> str:
        return f"{deeds.status_label(it.kind, before) if before else '—'} → {deeds.status_label(it.kind, after)}" \
            if after else ""

    async def fetch(limit: int | None, offset: int) -> Page[Any]:
        return listed([[e.at, names.get(e.actor, e.actor), EventKind.label_of(e.kind),
                        change(e.from_status, e.to_status), e.note] for e in events], limit, offset)
    history = Table("history", f"事项#{it.number}办理记录", HISTORY, fetch, paged=False)
    acting = perm.can_act_on_item(ctx.viewer, it) and it.status != DeedStatus.CLOSED
    return await respond(ctx, "deeds/item.html", [history], title=f"#{it.number} {it.title}", item=it, names=names,
                         overdue=deeds.is_overdue(it, ctx.now), acting=acting,
                         staff=await people.staff(ctx.session) if acting else [],
                         kind=ItemKind.label_of(it.kind), category=DeedCategory.label_of(it.category),
                         status=deeds.status_label(it.kind, it.status),
                         satisfaction=Satisfaction.label_of(it.satisfaction))


Action = Callable[[Ctx, Item, str], Awaitable[list[Reply]]]


async def _act(ctx: Ctx, field: str, action: Action) -> web.StreamResponse:
    """The secretary's action as the chat does it: the answer shown here, everyone else told through the outbox."""
    it = await _item(ctx)
    ctx.require(perm.can_act_on_item(ctx.viewer, it), ACTS)
    form = await ctx.request.post()
    try:
        replies = await action(ctx, it, str(form.get(field, "")).strip()[:1000])
    except Refused as exc:
        await ctx.notice(f"⚠ {exc.message}")
    else:
        for r in replies:
            if r.to is None:
                await ctx.notice(getattr(r, "content", ""))
        await deliver(ctx, [r for r in replies if r.to is not None])
    return redirect(url(f"items/{it.number}"))


@page(perm.secretary, ACTS)
async def assign(ctx: Ctx) -> web.StreamResponse:
    return await _act(ctx, "owner", flows.reassign)


@page(perm.secretary, ACTS)
async def close(ctx: Ctx) -> web.StreamResponse:
    return await _act(ctx, "reason", flows.close_by_hand)


async def glance(ctx: Ctx) -> Glance:
    """Items open, overdue, closed this month, incidents; satisfaction and incidents month by month."""
    months = months_back(ctx.today, MONTHS)
    labels = [f"{m.month}月" for m in months]
    counts = await q.item_counts(ctx.session, ctx.now, ctx.tz)
    spans = [(m, next_month(m) - timedelta(days=1)) for m in months]
    kpis = [Kpi("未办结事项", counts.active, url("items", status=OPEN, kind=ItemKind.DEED.value), order=10),
            Kpi("逾期事项", counts.overdue, url("items", overdue="true"), counts.overdue > 0, order=20),
            Kpi("本月办结", counts.closed_month, url("items", closed_in=f"{ctx.today:%Y-%m}", kind=ItemKind.DEED.value),
                order=30),
            Kpi("本月突发事件", counts.incidents_month, url("items", kind=ItemKind.INCIDENT.value, since=f"{months[-1]}"),
                order=60)]
    charts = [
        Chart("items", chart("bar", "事项办理", ["未办结", "逾期", "本月办结", "本月事件"],
                             [series("件数", [k.value for k in kpis])], links=[k.href for k in kpis],
                             hint="点柱子看明细"), order=10),
        Chart("satisfaction", chart("line", "满意率（按月）", labels,
                                    [series("满意率", await q.satisfaction_by_month(ctx.session, months, ctx.tz))],
                                    unit="%", top=100,
                                    links=[url("items", closed_in=f"{m:%Y-%m}", kind=ItemKind.DEED.value) for m in months],
                                    hint="满意办结 ÷（办结 + 重办）"), order=30),
        Chart("incidents", chart("bar", "突发事件（按月）", labels,
                                 [series("事件", await q.incidents_by_month(ctx.session, months, ctx.tz))],
                                 links=[url("items", kind=ItemKind.INCIDENT.value, since=f"{a}", until=f"{b}")
                                        for a, b in spans]), order=50),
    ]
    return Glance(kpis, charts)


def setup(app: web.Application) -> None:
    app.router.add_get("/items", list_items)
    app.router.add_get("/items/{n}", show_item)
    app.router.add_post("/items/{n}/assign", assign)
    app.router.add_post("/items/{n}/close", close)
    add_nav(app, "事项", "items", perm.anyone, order=20)
