"""Answers to the two questions 征求意见 leaves open.

``build`` (the secretary adds questions to a draft): 完成/取消 end the editing, 撤销 removes the last
question, anything else is a question. ``answer`` (someone answers one question at a time): 暂停/退出
pause, 继续问卷 asks the question again (继续问卷 N switches survey), anything else is the answer.
When the draft or the survey is gone, no route here matches and the question is dropped.
"""

from __future__ import annotations

from typing import Any

from bot.dispatcher import Context, Replies
from bot.replies import Text
from handlers.surveys import flows, parsing
from handlers.surveys import messages as msg
from handlers.surveys.parsing import AnswerError
from handlers.surveys.router import router
from handlers.surveys.states import SurveyStates
from storage import surveys
from storage.errors import Refused
from storage.surveys import Action, QuestionKind, Survey, SurveyRecipient, SurveyStatus, label

# --- filters: what the open question is about ------------------------------------------------


async def _draft(ctx: Context) -> dict[str, Any] | bool:
    """The draft being built (gives ``draft``), while it is one and the sender is the secretary."""
    if "draft" not in ctx.extras:
        survey = await surveys.get(ctx.session, int(ctx.fsm.data["survey"]))
        mine = ctx.sender is not None and ctx.sender.is_secretary
        ctx.extras["draft"] = survey if survey is not None and survey.status == SurveyStatus.DRAFT and mine else None
    return {"draft": ctx.extras["draft"]} if ctx.extras["draft"] is not None else False


async def _sitting(ctx: Context) -> dict[str, Any] | bool:
    """The survey and the sender's recipient row (gives ``sitting``), while both exist."""
    if "sitting" not in ctx.extras:
        survey = await surveys.get(ctx.session, int(ctx.fsm.data["survey"]))
        rec = await surveys.recipient(ctx.session, survey.id, ctx.userid) if survey is not None else None
        ctx.extras["sitting"] = (survey, rec) if rec is not None else None
    return {"sitting": ctx.extras["sitting"]} if ctx.extras["sitting"] is not None else False


def _no_longer(ctx: Context) -> dict[str, Any] | bool:
    """The survey closed, or the sender is done: gives ``refusal``, the reason."""
    survey, rec = ctx.extras["sitting"]
    try:
        surveys.check_recipient(Action.ANSWER, survey, rec)
    except Refused as exc:
        return {"refusal": exc.message}
    return False


def _pausing(ctx: Context) -> bool:
    return parsing.pausing(ctx.text)


def _finishing(ctx: Context) -> bool:
    return parsing.finishing(ctx.text)


# --- building ---------------------------------------------------------------------------------


@router.message(_draft, _finishing, state=SurveyStates.build)
async def finish_editing(ctx: Context) -> Replies:
    survey: Survey = ctx.extras["draft"]
    await ctx.fsm.clear()
    count = len(await surveys.questions(ctx.session, survey.id))
    if count == 0:
        return Text(content=f"问卷 {label(survey)} 还没有题目，已保存为草稿。要添加题目请发“/问卷 编辑 {survey.number}”。")
    return Text(content=(f"问卷 {label(survey)} 已保存，共 {count} 题（草稿，尚未发出）。\n"
                         f"发布：/问卷 发布 {survey.number} 全体（或 班组=运行一班、角色=党员）"))


@router.message(_draft, state=SurveyStates.build, regex=parsing.UNDO)
async def undo(ctx: Context) -> Replies:
    await ctx.fsm.update()  # still editing: its time starts again
    removed = await surveys.remove_last_question(ctx.session, ctx.extras["draft"], now=ctx.now, actor=ctx.userid)
    if removed is None:
        return Text(content="还没有题目可以撤销。请继续发题目，或发“完成”结束。")
    return Text(content=f"已删除第{removed.position}题：{removed.text}\n请继续发题目，或发“完成”结束。")


@router.message(_draft, state=SurveyStates.build)
async def add_question(ctx: Context) -> Replies:
    await ctx.fsm.update()
    try:
        spec = parsing.parse_question(ctx.text)
    except ValueError as exc:
        return Text(content=str(exc))
    q = await surveys.add_question(ctx.session, ctx.extras["draft"], now=ctx.now, actor=ctx.userid, kind=spec.kind,
                                   text=spec.text, options=spec.options)
    options = f"（选项：{' / '.join(spec.options)}）" if spec.options else ""
    return Text(content=(f"已添加第{q.position}题【{QuestionKind.label_of(q.kind)}】{q.text}{options}\n"
                         f"继续发下一题，发“撤销”删除这一题，发“完成”结束。"))


# --- answering --------------------------------------------------------------------------------


@router.message(_sitting, _no_longer, state=SurveyStates.answer)
async def no_longer_open(ctx: Context) -> Replies:
    await ctx.fsm.clear()
    return Text(content=ctx.extras["refusal"])


@router.message(_sitting, _pausing, state=SurveyStates.answer)
async def pause(ctx: Context) -> Replies:
    survey, rec = ctx.extras["sitting"]
    await ctx.fsm.clear()
    total = len(await surveys.questions(ctx.session, survey.id))
    return Text(content=(f"好的，已保存进度（已答 {rec.position}/{total} 题）。"
                         f"想继续时回复“继续问卷”，会从第{rec.position + 1}题接着答。"))


@router.message(_sitting, state=SurveyStates.answer, regex=parsing.RESUME)
async def ask_again(ctx: Context) -> Replies:
    survey, rec = ctx.extras["sitting"]
    assert ctx.match is not None
    other = ctx.match.group(1)
    if other and int(other) != survey.number:
        return await flows.resume(ctx, int(other), explicit=True)  # switch to another survey
    return await flows.ask(ctx, survey, rec)


@router.message(_sitting, state=SurveyStates.answer)
async def answer(ctx: Context) -> Replies:
    survey: Survey
    rec: SurveyRecipient
    survey, rec = ctx.extras["sitting"]
    qs = await surveys.questions(ctx.session, survey.id)
    q = qs[rec.position]
    try:
        value = parsing.parse_answer(q, ctx.text)
    except AnswerError as exc:
        await ctx.fsm.update()  # the same question stays open, its time starts again
        return Text(content=f"{exc}\n\n{msg.prompt(q, len(qs))}")
    try:
        finished = await surveys.answer(ctx.session, survey, q, rec, value, now=ctx.now, inbox_id=ctx.inbox_id)
    except Refused:
        await ctx.fsm.clear()  # closed a moment ago (read under the lock): the question is over too
        raise
    if finished:
        await ctx.fsm.clear()
        return Text(content=f"问卷{label(survey)}已全部答完，谢谢您的意见！答案已提交，不能修改。")
    return await flows.ask(ctx, survey, rec, head="已记录。")
