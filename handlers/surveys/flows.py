"""Answering, as the commands, the card button and the open question all start it: pick the survey,
start (or continue) it, ask the next question."""

from __future__ import annotations

from bot.dispatcher import NOT_HANDLED, Context, Replies
from bot.replies import Text
from handlers.surveys import messages as msg
from handlers.surveys.states import SurveyStates
from storage import surveys
from storage.surveys import Survey, SurveyRecipient, SurveyStatus, label


async def ask(ctx: Context, survey: Survey, rec: SurveyRecipient, head: str = "") -> Replies:
    """Open the answer question at ``rec``'s next question; ``head`` goes before it."""
    qs = await surveys.questions(ctx.session, survey.id)
    question = msg.prompt(qs[rec.position], len(qs))
    await ctx.fsm.set(SurveyStates.answer, {"survey": survey.number, "position": rec.position}, prompt=question)
    return Text(content=f"{head}\n\n{question}" if head else question)


async def resume(ctx: Context, n: int | None, *, explicit: bool) -> Replies:
    """Start or continue answering survey ``n`` (or the person's first unfinished one).

    A bare "开始" (not ``explicit``) with nothing to answer is not about a survey: left to others.
    """
    if n is None:
        pending = await surveys.unfinished_for(ctx.session, ctx.userid)
        if not pending:
            return Text(content=msg.NOTHING_TO_ANSWER) if explicit else NOT_HANDLED
        survey, rec = pending[0]
    else:
        found = await surveys.get(ctx.session, n)
        if found is None or found.status == SurveyStatus.DRAFT:
            return Text(content=msg.not_found(n))
        survey = found
        got = await surveys.recipient(ctx.session, survey.id, ctx.userid)
        if got is None:
            return Text(content=f"问卷{label(survey)}不是发给您的，谢谢关注。")
        rec = got
    await surveys.start(ctx.session, survey, rec, now=ctx.now)  # refused, in Chinese, when closed or done
    total = len(await surveys.questions(ctx.session, survey.id))
    if rec.position == 0:
        anon = "本问卷匿名，不记录您是谁。" if survey.anonymous else ""
        head = f"支部征求意见《{survey.title}》共 {total} 题，一题一题回答即可。{anon}"
    else:
        head = f"接着填写《{survey.title}》：已答 {rec.position}/{total} 题。"
    return await ask(ctx, survey, rec, head)


async def mine(ctx: Context) -> Replies:
    """The surveys waiting for the sender."""
    pending = await surveys.unfinished_for(ctx.session, ctx.userid)
    if not pending:
        return Text(content=msg.NOTHING_TO_ANSWER)
    lines = ["待您填写的问卷："]
    counts = await surveys.question_counts(ctx.session, [s.id for s, _ in pending])
    for s, r in pending:
        lines.append(f"#{s.number}《{s.title}》已答 {r.position}/{counts.get(s.id, 0)} 题")
    lines.append("回复“继续问卷”接着作答（或“开始 N”填写指定的一份）。")
    return Text(content="\n".join(lines))
