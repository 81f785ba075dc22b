"""办实事 and incidents: the item list (filters, search, Excel), an item's whole history, the secretary's actions.

The actions (assign, close with a reason) are :func:`reassign_item` and :func:`close_item`: the
checks, storage calls and notifications of the chat's ``/指派`` and ``/关闭`` (``handlers/deeds.py``),
with the same Chinese texts, so both can later point at one shared action.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from aiohttp import web

from bot.cards import button_card
from bot.replies import Reply, Text
from bot.web import permissions as perm
from bot.web.core import Ctx, NotFound, Scope, add_nav, page, redirect, url
from bot.web.notify import deliver
from bot.web.queries import deeds as q
from bot.web.queries.people import find, names_for, staff, zone_member_of
from bot.web.tables import Cell, Field, Table, options, respond
from bot.web.workbook import Column
from storage import items as lifecycle
from storage import people, reports
from storage.models import Item

STATUS_OPTIONS = [("active", "未办结"), *options(reports.ITEM_STATUS_CN)]
COLUMNS = (Column("编号", "int", 7), Column("类型", width=9), Column("类别", width=9), Column("标题", "wrap", 28),
           Column("反映内容", "wrap", 40, on_page=False), Column("反映人", width=9), Column("负责人", width=9),
           Column("班组"), Column("状态", width=11), Column("提出时间", "datetime"), Column("办理期限", "datetime"),
           Column("逾期", width=6), Column("满意度", width=8), Column("销号原因", "wrap", 24, on_page=False))
HISTORY = (Column("时间", "datetime"), Column("经办人", width=10), Column("环节", width=10),
           Column("状态变化", width=22), Column("说明", "wrap", 50))


class ActionError(Exception):
    """The action was refused; the message is what the chat would answer."""


def _filter(ctx: Ctx) -> q.ItemFilter:
    since, until = ctx.q.span()
    return q.ItemFilter(
        status=ctx.q.choice("status", [k for k, _ in STATUS_OPTIONS]), owner=ctx.q.text("owner"),
        category=ctx.q.choice("category", reports.CATEGORY_CN), kind=ctx.q.choice("kind", reports.ITEM_KIND_CN),
        overdue=ctx.q.flag("overdue"), since=since, until=until, closed_in=ctx.q.month("closed_in"),
        satisfaction=ctx.q.choice("satisfaction", reports.SATISFACTION_CN), text=ctx.q.text("q"))


def _row(it: Item, names: dict[str, str], now: datetime) -> list[Any]:
    late = reports.is_overdue(it, now)
    link = url(f"items/{it.number}")
    return [Cell(it.number, link), reports.cn(reports.ITEM_KIND_CN, it.kind), reports.cn(reports.CATEGORY_CN, it.category),
            Cell(it.title, link), it.text, names.get(it.requester, it.requester),
            names.get(it.owner or "", it.owner or "—"), it.team, reports.cn(reports.ITEM_STATUS_CN, it.status),
            it.created_at, it.due_at, Cell("是" if late else "否", tone="late" if late else None),
            reports.cn(reports.SATISFACTION_CN, it.satisfaction), it.close_reason or ""]


def item_table(scope: Scope, f: q.ItemFilter, name: str = "办实事清单") -> Table:
    """The items ``scope.viewer`` may see that match ``f``: the page, its download, the ledger."""
    where = perm.item_scope(scope.viewer)

    async def fetch(limit: int | None, offset: int) -> tuple[list[Any], int]:
        rows, total = await q.items(scope.session, f, where, scope.now, scope.tz, limit, offset)
        names = await names_for(scope.session, [i.requester for i in rows] + [i.owner for i in rows])
        return [_row(i, names, scope.now) for i in rows], total
    return Table("items", name, COLUMNS, fetch)


@page(perm.anyone)
async def list_items(ctx: Ctx) -> web.StreamResponse:
    f = _filter(ctx)
    fields = [Field("status", "状态", options=STATUS_OPTIONS), Field("kind", "类型", options=options(reports.ITEM_KIND_CN)),
              Field("category", "类别", options=options(reports.CATEGORY_CN)),
              Field("overdue", "逾期", options=[("true", "逾期"), ("false", "未逾期")]),
              Field("q", "搜索", "text"), Field("since", "提出自", "date"), Field("until", "提出至", "date")]
    if perm.member(ctx.viewer):
        owners = [(p.userid, p.name) for p in await staff(ctx.session)]
        fields.insert(3, Field("owner", "负责人", options=owners))
    title = "事项" if ctx.viewer.member else "我的事项"
    return await respond(ctx, "list.html", [item_table(ctx, f)], title=title, fields=fields)


async def _item(ctx: Ctx) -> Item:
    raw = ctx.request.match_info["n"]
    found = await lifecycle.get_by_number(ctx.session, int(raw)) if raw.isdigit() and len(raw) < 9 else None
    if found is None:
        raise NotFound(f"没有编号 #{raw} 的事项。")
    zone = await zone_member_of(ctx.session, found.requester)
    ctx.require(perm.can_view_item(ctx.viewer, found, zone), f"#{found.number} 只有反映人、负责人、责任区党员和支部书记可以查看。")
    return found


@page(perm.anyone)
async def show_item(ctx: Ctx) -> web.StreamResponse:
    it = await _item(ctx)
    events = await q.history(ctx.session, it.id)
    names = await names_for(ctx.session, [it.requester, it.owner] + [e.actor for e in events])

    async def fetch(limit: int | None, offset: int) -> tuple[list[Any], int]:
        change = lambda e: (f"{reports.cn(reports.ITEM_STATUS_CN, e.from_status) or '—'} → "  # noqa: E731
                            f"{reports.cn(reports.ITEM_STATUS_CN, e.to_status)}" if e.to_status else "")
        return [[e.at, names.get(e.actor, e.actor), reports.cn(reports.ITEM_EVENT_CN, e.kind), change(e), e.note]
                for e in events], len(events)
    history = Table("history", f"事项#{it.number}办理记录", HISTORY, fetch, paged=False)
    acting = perm.can_act_on_item(ctx.viewer, it) and it.status != "closed"
    return await respond(ctx, "deeds/item.html", [history], title=f"#{it.number} {it.title}", item=it, names=names,
                         overdue=reports.is_overdue(it, ctx.now), acting=acting,
                         staff=await staff(ctx.session) if acting else [], labels=reports)


# --- the secretary's actions ---------------------------------------------------------------


async def _owner_card(scope: Scope, item: Item, heading: str) -> Reply:
    requester = await people.get(scope.session, item.requester)
    who = f"{requester.name}（{requester.team}）" if requester and requester.team else (
        requester.name if requester else item.requester)
    urgent = "【紧急】" if item.urgent else ""
    due = item.due_at.astimezone(scope.tz).strftime("%m月%d日") if item.due_at else "—"
    assert item.owner is not None
    return button_card(
        item.owner, title=f"{urgent}{heading} #{item.number}（{lifecycle.CATEGORY_CN.get(item.category, '其他')}）",
        desc=f"{who}：{item.title}\n请在1个工作日内接单，目标{due}前办好。",
        buttons=[("接单", f"deed:accept:{item.number}"), ("查看", f"deed:view:{item.number}")],
        fallback=(f"{urgent}【待接单】#{item.number} {who}反映：{item.text}\n"
                  f"请回复“接单 #{item.number}”确认跟进；有进展回复“#{item.number} 进展情况”，"
                  f"办好后回复“#{item.number} 已解决”。"),
        task_prefix=f"deed{item.number}")


async def reassign_item(scope: Scope, item: Item, account: str) -> tuple[str, list[Reply]]:
    """``/指派 #N 账号``: give a deed to someone else and tell the new owner, the old one, the requester."""
    n, actor = item.number, scope.viewer.userid
    if not perm.can_act_on_item(scope.viewer, item):
        raise ActionError("“/指派”只有支部书记可以使用。")
    if item.status == "closed":
        raise ActionError(f"#{n} 已办结，不能再改派。")
    target = await find(scope.session, account)
    if target is None:
        raise ActionError(f"名册里没有账号“{account}”，请核对后再试。")
    if target.userid == item.owner:
        raise ActionError(f"#{n} 本来就由{target.name}负责。")
    before = await lifecycle.reassign(scope.session, item, now=scope.now, actor=actor, owner=target.userid)
    replies: list[Reply] = []
    if target.userid != actor:
        replies.append(await _owner_card(scope, item, "改派给您"))
    if before and before not in (actor, target.userid):
        replies.append(Text(to=before, content=f"#{n}「{item.title}」已由支部书记改派给{target.name}，您不用再跟进了，谢谢！"))
    if item.requester not in (actor, target.userid):
        replies.append(Text(to=item.requester, content=f"您反映的 #{n}「{item.title}」改由{target.name}负责跟进。"))
    return f"已将 #{n} 改派给{target.name}，已通知本人。", replies


async def close_item(scope: Scope, item: Item, reason: str) -> tuple[str, list[Reply]]:
    """``/关闭 #N 原因``: close a deed by hand with a written reason; tell the requester and the owner."""
    n, actor, reason = item.number, scope.viewer.userid, reason.strip(" ：:，,\n\t")
    if not perm.can_act_on_item(scope.viewer, item):
        raise ActionError("“/关闭”只有支部书记可以使用。")
    if item.status == "closed":
        raise ActionError(f"#{n} 已经办结了。")
    if len(reason) < 2:
        raise ActionError(f"手工销号必须写明原因，没有关闭 #{n}。")
    await lifecycle.close_by_hand(scope.session, item, now=scope.now, actor=actor, reason=reason)
    replies: list[Reply] = []
    if item.requester != actor:
        replies.append(Text(to=item.requester, content=f"您反映的 #{n}「{item.title}」已由支部书记销号，原因：{reason}\n"
                                                       f"如果问题其实还没解决，请回复“#{n} 还没解决”。"))
    if item.owner and item.owner not in (actor, item.requester):
        replies.append(Text(to=item.owner, content=f"#{n}「{item.title}」已由支部书记销号，原因：{reason}"))
    return f"已销号 #{n}，原因已记录：{reason}", replies


async def _act(ctx: Ctx, field: str, action: Any) -> web.StreamResponse:
    it = await _item(ctx)
    ctx.require(perm.can_act_on_item(ctx.viewer, it), "改派和销号只有支部书记可以操作。")
    form = await ctx.request.post()
    try:
        done, replies = await action(ctx, it, str(form.get(field, "")).strip()[:1000])
    except ActionError as exc:
        await ctx.notice(f"⚠ {exc}")
    else:
        await deliver(ctx, replies)
        await ctx.notice(done)
    return redirect(url(f"items/{it.number}"))


@page(perm.secretary, "改派和销号只有支部书记可以操作。")
async def assign(ctx: Ctx) -> web.StreamResponse:
    return await _act(ctx, "owner", reassign_item)


@page(perm.secretary, "改派和销号只有支部书记可以操作。")
async def close(ctx: Ctx) -> web.StreamResponse:
    return await _act(ctx, "reason", close_item)


def setup(app: web.Application) -> None:
    app.router.add_get("/items", list_items)
    app.router.add_get("/items/{n}", show_item)
    app.router.add_post("/items/{n}/assign", assign)
    app.router.add_post("/items/{n}/close", close)
    add_nav(app, "事项", "items", perm.anyone, order=20)
