"""办实事 slash commands: /我的事项 for everyone; /待办 /逾期 /指派 /关闭 /路由 for the secretary."""

from __future__ import annotations

import re

from bot.dispatcher import Context, Replies
from bot.format import age
from bot.paging import page_count, page_number
from bot.replies import TEXT_LIMIT, Text, clip_bytes
from handlers.deeds import flows
from handlers.deeds import messages as msg
from handlers.deeds.router import router
from storage import deeds, people
from storage.deeds import DeedCategory, DeedStatus, Item, board

SECRETARY = ("secretary",)
NUMBER_AND_REST = re.compile(r"^[#＃]?\s*(\d{1,7})(?:\s+(.*))?$", re.S)
RESET_WORDS = ("默认", "删除", "无", "取消")


def _denied(cmd: str) -> str:
    return msg.SECRETARY_ONLY.format(cmd=cmd)


async def _deed(ctx: Context, n: int) -> Item | Text:
    """The deed #n, or what to say instead (an incident number, or no such number)."""
    item = await deeds.get_by_number(ctx.session, n)
    if item is None:
        return msg.not_found_for_secretary(n)
    if item.kind != deeds.ItemKind.DEED:
        return msg.not_a_deed(n)
    return item


@router.command("/我的事项", usage="/我的事项", summary="我反映的事和进度")
async def my_items(ctx: Context) -> Replies:
    return await flows.my_items(ctx)


BOARD_PAGE = 10  # items per page: a page stays within one message
BOARD_ORDER = (DeedStatus.SUBMITTED, DeedStatus.REOPENED, DeedStatus.ACCEPTED, DeedStatus.IN_PROGRESS,
               DeedStatus.RESOLVED)


async def _board(ctx: Context, command: str, *, overdue: bool) -> Replies:
    """A summary counted in SQL, then one page of items (the full list is the workbench's "办实事" page)."""
    page = page_number(ctx.args)
    if page is None:
        return Text(content=f"用法：{command}（第1页）、{command} 2（第2页）")
    counts = await board.board_counts(ctx.session, ctx.now)
    total = counts.overdue if overdue else counts.total
    if not total:
        return Text(content="目前没有逾期事项。" if overdue else "目前没有未办结的事项。")
    pages = page_count(total, BOARD_PAGE)
    if page > pages:
        return Text(content=f"{'逾期事项' if overdue else '未办结事项'}共 {pages} 页，没有第 {page} 页。")
    found = await board.board_page(ctx.session, ctx.now, overdue=overdue, limit=BOARD_PAGE,
                                   offset=(page - 1) * BOARD_PAGE)
    if overdue:
        lines = [f"逾期事项 {total} 件（未办结 {counts.total} 件）："]
    else:
        by_status = "、".join(f"{s.label} {counts.by_status[s]}" for s in BOARD_ORDER if counts.by_status.get(s))
        extra = "；".join(x for x in (f"逾期 {counts.overdue}" if counts.overdue else "",
                                      f"紧急 {counts.urgent}" if counts.urgent else "") if x)
        lines = [f"未办结事项共 {total} 件：{by_status}" + (f"（其中{extra}）" if extra else "")]
    owners = await msg.names(ctx, [i.owner for i in found])
    for i in found:
        flag = "（急）" if i.urgent else ""
        if not overdue:
            lines.append(f"#{i.number}{flag} {i.title} — {owners(i.owner)}，{msg.status(i)}，已{age(ctx.now, i.created_at)}")
        elif i.due_at is not None and i.due_at < ctx.now:
            lines.append(f"#{i.number}{flag} {i.title} — {owners(i.owner)}，{msg.status(i)}，"
                         f"超过办结时限{age(ctx.now, i.due_at)}（时限 {msg.when(ctx, i.due_at, '%m-%d')}）")
        else:
            lines.append(f"#{i.number}{flag} {i.title} — {owners(i.owner)}，{msg.status(i)}，"
                         f"提交{age(ctx.now, i.created_at)}仍未接单")
    more = f"发“{command} {page + 1}”看第 {page + 1} 页。" if page < pages else "已是最后一页。"
    lines.append(f"第{page}/{pages}页，{more}完整清单请发“/后台”在工作台查看。")
    return Text(content=clip_bytes("\n".join(lines), TEXT_LIMIT))


@router.command("/待办", roles=SECRETARY, summary="未办结事项", denied=_denied("/待办"))
async def open_board(ctx: Context) -> Replies:
    return await _board(ctx, "/待办", overdue=False)


@router.command("/逾期", roles=SECRETARY, summary="逾期事项与逾期回访", denied=_denied("/逾期"))
async def overdue_board(ctx: Context) -> Replies:
    return await _board(ctx, "/逾期", overdue=True)


@router.command("/指派", roles=SECRETARY, usage="/指派 #N 账号", summary="改派负责人", denied=_denied("/指派"))
async def reassign(ctx: Context) -> Replies:
    m = NUMBER_AND_REST.match(ctx.args)
    if not m or not m.group(2) or len(m.group(2).split()) != 1:
        return Text(content=msg.ASSIGN_USAGE)
    n, account = int(m.group(1)), m.group(2).strip()
    item = await _deed(ctx, n)
    if isinstance(item, Text):
        return item
    return await flows.reassign(ctx, item, account)


@router.command("/关闭", roles=SECRETARY, usage="/关闭 #N 原因", summary="书记手工销号（须写明原因）",
                denied=_denied("/关闭"))
async def close(ctx: Context) -> Replies:
    m = NUMBER_AND_REST.match(ctx.args)
    if not m:
        return Text(content=msg.CLOSE_USAGE)
    n, reason = int(m.group(1)), m.group(2) or ""
    item = await _deed(ctx, n)
    if isinstance(item, Text):
        return item
    return await flows.close_by_hand(ctx, item, reason, how=msg.close_how(n))


@router.command("/路由", roles=SECRETARY, usage="/路由 类别 账号", summary="某类诉求默认交给谁",
                denied=_denied("/路由"))
async def routing(ctx: Context) -> Replies:
    if not ctx.args:
        table = await deeds.routes(ctx.session)
        lines = ["诉求分派规则（未设置的类别交给反映人所在责任区的党员，没有责任区的交给支部书记）："]
        for cat in DeedCategory:
            owner = table.get(cat)
            lines.append(f"{cat.label}（{cat.value}）：{await msg.name(ctx, owner) if owner else '按责任区'}")
        lines.append("修改：/路由 类别 账号，例如“/路由 食堂 zhouli”；恢复默认：/路由 食堂 默认")
        return Text(content="\n".join(lines))
    parts = ctx.args.split()
    valid = "、".join(c.label for c in DeedCategory)
    if len(parts) != 2:
        return Text(content=f"用法：/路由 类别 账号，例如“/路由 食堂 zhouli”。类别：{valid}")
    category = DeedCategory.parse(parts[0])
    if category is None:
        return Text(content=f"没有“{parts[0]}”这个类别。可用类别：{valid}")
    if parts[1] in RESET_WORDS:
        await deeds.set_route(ctx.session, category, None, now=ctx.now, actor=ctx.userid)
        return Text(content=f"已恢复默认：{category.label}类诉求交给反映人所在责任区的党员。")
    target = await people.find(ctx.session, parts[1])
    if target is None:
        return Text(content=f"名册里没有账号“{parts[1]}”，请核对后再试。")
    await deeds.set_route(ctx.session, category, target.userid, now=ctx.now, actor=ctx.userid)
    return Text(content=f"已设置：今后{category.label}类诉求交给{target.name}（{target.userid}）跟进。")
