"""``/问卷`` and its sub-commands (the secretary's in ``secretary``), and the words that start or resume
answering: 继续问卷, 开始 [N] …"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from bot.dispatcher import Context, Replies
from bot.replies import Text
from handlers.surveys import flows, parsing, secretary
from handlers.surveys import messages as msg
from handlers.surveys.router import router

SubCommand = Callable[[Context, str], Awaitable[Replies]]

HELP = [
    ("/问卷", "待填写的问卷（继续作答：继续问卷）", ("employee", "member")),
    ("/问卷 新建 标题 [匿名]", "征求意见（/问卷 发布 N 全体|班组=…|角色=…，/问卷 结果 N）", ("secretary",)),
]


async def _resume(ctx: Context, arg: str) -> Replies:
    return await flows.resume(ctx, parsing.number(arg), explicit=True)


async def _mine(ctx: Context, arg: str) -> Replies:
    return await flows.mine(ctx)


async def _usage(ctx: Context, arg: str) -> Replies:
    return Text(content=msg.USAGE)


ANYONE: dict[str, SubCommand] = {"继续": _resume, "开始": _resume, "作答": _resume, "帮助": _usage, "help": _usage}
# the secretary's; for everyone else the bare list is the surveys waiting for them
SECRETARY: dict[str, SubCommand] = {
    "": secretary.listing, "列表": secretary.listing, "新建": secretary.new, "编辑": secretary.edit,
    "添加": secretary.edit, "发布": secretary.publish, "结果": secretary.results, "关闭": secretary.close,
    "结束": secretary.close,
}
LISTS = ("", "列表")


@router.command("/问卷", hidden=True, help=HELP)
async def survey_command(ctx: Context) -> Replies:
    sub, _, arg = ctx.args.partition(" ")
    sub, arg = sub.strip(), arg.strip()
    if sub in ANYONE:
        return await ANYONE[sub](ctx, arg)
    if not (ctx.sender is not None and ctx.sender.is_secretary):
        return await _mine(ctx, arg) if sub in LISTS else Text(content=msg.SECRETARY_ONLY.format(sub=sub))
    if sub in SECRETARY:
        return await SECRETARY[sub](ctx, arg)
    return Text(content=f"没有“{sub}”这个问卷命令。\n{msg.USAGE}")


@router.message(regex=parsing.RESUME)
async def resume_words(ctx: Context) -> Replies:
    """继续问卷 / 开始 N …; a bare "开始" is ours only when a survey is waiting."""
    assert ctx.match is not None
    n = int(ctx.match.group(1)) if ctx.match.group(1) else None
    bare = ctx.text.strip().strip(parsing.TRAILING) == "开始"
    return await flows.resume(ctx, n, explicit=not bare or n is not None)
