"""The six steps of ``/帮扶 新建 标题``: each answer is checked, the draft grows in the question's data,
and the last step creates the project. 取消 (at any step) drops the draft."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date

from bot.dispatcher import Context, Replies
from bot.fsm import is_cancel
from bot.replies import Text
from handlers.assist import drafting, parsing
from handlers.assist import messages as msg
from handlers.assist.drafting import Invalid
from handlers.assist.router import router
from handlers.assist.states import STEPS
from handlers.assist.states import AssistStates as S

Step = Callable[[Context, str], Awaitable[Replies]]


def _cancel(ctx: Context) -> bool:
    return bool(parsing.CANCEL.match(ctx.text)) or is_cancel(ctx.text)


def _step(handler: Step) -> Callable[[Context], Awaitable[Replies]]:
    """The answer's text for ``handler``; an :class:`Invalid` answer is explained and the step asked again."""
    async def answered(ctx: Context) -> Replies:
        try:
            return await handler(ctx, ctx.text.strip())
        except Invalid as exc:
            await ctx.fsm.update()  # the step stays open, its time starts again
            return Text(content=f"{exc}\n{ctx.fsm.prompt}{msg.RETRY}")
    answered.__name__ = handler.__name__
    return answered


async def _advance(ctx: Context, ack: str, **changes: object) -> Replies:
    """Keep the answer and ask the next step."""
    state = ctx.fsm.state
    assert state is not None
    following = STEPS[STEPS.index(state) + 1]
    await ctx.fsm.set(following, {**ctx.fsm.data, **changes}, prompt=msg.PROMPTS[following])
    return Text(content=f"{ack}\n{msg.PROMPTS[following]}")


@router.message(_cancel, state=STEPS)
async def cancel(ctx: Context) -> Replies:
    await ctx.fsm.clear()
    return Text(content=msg.CANCELLED)


@router.message(state=S.target)
@_step
async def target(ctx: Context, text: str) -> Replies:
    ttype, who, shown = await drafting.resolve_target(ctx, text)
    return await _advance(ctx, f"帮扶对象：{shown}。", target_type=ttype, target=who, target_shown=shown)


@router.message(state=S.goal)
@_step
async def goal(ctx: Context, text: str) -> Replies:
    if len(text) < 2:
        raise Invalid("请把帮扶目标写清楚一些。")
    return await _advance(ctx, "目标已记下。", goal=text)


@router.message(state=S.members)
@_step
async def members(ctx: Context, text: str) -> Replies:
    found = [] if parsing.NONE.match(text) else await drafting.resolve_people(ctx, text)
    return await _advance(ctx, f"责任党员：{'、'.join(m.name for m in found) or '无'}。",
                          members=[m.userid for m in found])


@router.message(state=S.deadline)
@_step
async def deadline(ctx: Context, text: str) -> Replies:
    day = drafting.deadline(text, ctx.today)
    return await _advance(ctx, f"截止日期：{msg.ymd(day)}。", deadline=day.isoformat())


@router.message(state=S.milestones, regex=parsing.FINISH)
@_step
async def milestones_done(ctx: Context, text: str) -> Replies:
    return await _advance(ctx, f"里程碑共 {len(ctx.fsm.data.get('milestones', []))} 个。")


@router.message(state=S.milestones)
@_step
async def milestone(ctx: Context, text: str) -> Replies:
    data = ctx.fsm.data
    day, title = drafting.milestone(text, ctx.today, date.fromisoformat(data["deadline"]))
    listed = [*data.get("milestones", []), [day.isoformat(), title]]
    await ctx.fsm.update(milestones=listed)
    return Text(content=f"已记下里程碑{len(listed)}：{msg.md(day)} {title}。继续发下一个，或回复“完成”。")


@router.message(state=S.criteria)
@_step
async def criteria(ctx: Context, text: str) -> Replies:
    if len(text) < 2:
        raise Invalid("请写明怎样判断帮扶成效。")
    draft = {**ctx.fsm.data, "criteria": text}
    await ctx.fsm.clear()
    return await drafting.create(ctx, draft)
