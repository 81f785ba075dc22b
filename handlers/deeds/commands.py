"""办实事 slash commands: /我的事项 for everyone; /待办 /逾期 /指派 /关闭 /路由 for the secretary."""

from __future__ import annotations

import re

from bot.dispatcher import Context, Replies
from bot.format import age
from bot.replies import Text
from handlers.deeds import flows
from handlers.deeds import messages as msg
from handlers.deeds.router import router
from storage import deeds, people
from storage.deeds import DeedCategory, DeedStatus, Item

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


@router.command("/待办", roles=SECRETARY, summary="未办结事项", denied=_denied("/待办"))
async def open_board(ctx: Context) -> Replies:
    active = await deeds.list_items(ctx.session, status=deeds.ACTIVE, limit=200)
    if not active:
        return Text(content="目前没有未办结的事项。")
    lines = [f"未办结事项共 {len(active)} 件："]
    owners = await msg.names(ctx, [i.owner for i in active])
    for status in (DeedStatus.SUBMITTED, DeedStatus.REOPENED, DeedStatus.ACCEPTED, DeedStatus.IN_PROGRESS,
                   DeedStatus.RESOLVED):
        group = sorted((i for i in active if i.status == status), key=lambda i: i.number)
        if not group:
            continue
        lines.append(f"【{status.label}】{len(group)} 件")
        for i in group:
            flag = "（急）" if i.urgent else ""
            lines.append(f"#{i.number}{flag} {i.title} — {owners(i.owner)}，已{age(ctx.now, i.created_at)}")
    return Text(content="\n".join(lines))


@router.command("/逾期", roles=SECRETARY, summary="逾期事项与逾期回访", denied=_denied("/逾期"))
async def overdue_board(ctx: Context) -> Replies:
    late = await deeds.overdue(ctx.session, ctx.now)
    if not late:
        return Text(content="目前没有逾期事项。")
    lines = [f"逾期事项 {len(late)} 件："]
    owners = await msg.names(ctx, [i.owner for i in late])
    for i in late:
        if i.due_at is not None and i.due_at < ctx.now:
            why = f"超过办结时限{age(ctx.now, i.due_at)}（时限 {msg.when(ctx, i.due_at, '%m-%d')}）"
        else:
            why = f"提交{age(ctx.now, i.created_at)}仍未接单"
        lines.append(f"#{i.number} {i.title} — {owners(i.owner)}，{msg.status(i)}，{why}")
    return Text(content="\n".join(lines))


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
