"""``/帮扶`` and its sub-commands: the board, ``/帮扶 N``, ``/帮扶 新建 …`` (secretary), ``/帮扶 评估 …`` (lead)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from bot.dispatcher import Context, Replies
from bot.replies import Reply, Text
from handlers.assist import drafting, parsing, views
from handlers.assist import messages as msg
from handlers.assist.drafting import Invalid
from handlers.assist.router import router
from handlers.assist.states import AssistStates
from storage import assist as projects
from storage import people
from storage.assist import Assessment, done_count, label

STAFF = ("member", "secretary")
SECRETARY = ("secretary",)
HELP = [
    ("/帮扶", "帮扶项目", STAFF),
    ("/帮扶 新建 标题", "新建帮扶项目（/帮扶 评估 N 达成|部分达成|未达成 说明）", SECRETARY),
]
HELP_WORDS = ("帮助", "help", "?", "？")


@router.command("/帮扶新建", hidden=True)
async def new(ctx: Context) -> Replies:
    """``/帮扶 新建 标题`` starts the six steps; with ``对象=… 截止=…`` it creates the project at once."""
    if not (ctx.sender is not None and ctx.sender.is_secretary):
        return Text(content=msg.SECRETARY_CREATES)
    title, values = parsing.key_values(ctx.args)
    if not title:
        return Text(content=msg.TITLE_FIRST)
    if values is None:
        draft = {"title": title[: projects.TITLE_LIMIT]}
        await ctx.fsm.set(AssistStates.target, draft, prompt=msg.PROMPTS[AssistStates.target])
        return Text(content=msg.started(title))
    try:
        draft = await drafting.one_line(ctx, title, values)
    except Invalid as exc:
        return Text(content=f"{exc}\n{msg.NOT_CREATED}")
    return await drafting.create(ctx, draft)


@router.command("/帮扶评估", hidden=True)
async def assess(ctx: Context) -> Replies:
    """``/帮扶 评估 N 达成|部分达成|未达成 说明``: the lead closes the project."""
    m = parsing.ASSESS.match(ctx.args)
    if not m:
        return Text(content=msg.ASSESS_USAGE)
    n, result, note = int(m.group(1)), Assessment.parse(m.group(2)), m.group(3).strip()
    assert result is not None
    p = await projects.get_by_number(ctx.session, n)
    if p is None:
        return Text(content=msg.not_found(n, hint=False))
    await projects.may_assess(ctx.session, p, ctx.userid)
    if len(note) < 2:
        return Text(content=f"评估请写明说明，例如“/帮扶 评估 {n} {result.label} 技能考核全员通过”。没有结项。")
    await projects.assess(ctx.session, p, now=ctx.now, actor=ctx.userid, result=result, note=note)
    ms = await projects.milestones(ctx.session, p.id)
    replies: list[Reply] = [Text(content=f"已评估并结项：{label(p)} — {result.label}。说明：{note}\n"
                                         f"里程碑完成 {done_count(ms)}/{len(ms)}，全部经过已存档，已通知相关人员。")]
    secretaries = [s.userid for s in await people.by_role(ctx.session, "secretary")]
    told = f"{label(p)}已结项，负责人{await msg.name(ctx, p.lead)}的评估：{result.label}。说明：{note}"
    for u in dict.fromkeys([*projects.members_of(p), *secretaries, p.created_by,
                            *await projects.affected(ctx.session, p)]):
        if u and u != ctx.userid:
            replies.append(Text(to=u, content=told))
    return replies


async def _show(ctx: Context) -> Replies:
    m = parsing.PROJECT_NUMBER.match(ctx.args)
    if m:
        return await views.show(ctx, int(m.group(1)))
    if ctx.args.partition(" ")[0] in HELP_WORDS:
        return Text(content=msg.USAGE)
    return Text(content=f"没看懂“/帮扶 {ctx.args}”。\n{msg.USAGE}")


SUBCOMMANDS: tuple[tuple[str, Callable[[Context], Awaitable[Replies]]], ...] = (("新建", new), ("评估", assess))


@router.command("/帮扶", hidden=True, help=HELP)
async def assist(ctx: Context) -> Replies:
    """``/帮扶`` alone is the board; ``/帮扶 N`` one project; ``新建`` / ``评估`` as above."""
    if not ctx.args:
        return await views.board(ctx)
    for word, handler in SUBCOMMANDS:
        if ctx.args.startswith(word):
            ctx.args = ctx.args[len(word):].strip()
            return await handler(ctx)
    return await _show(ctx)
