"""征求意见 schedules: remind people who have not finished an open survey; digest lines."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from schedules.config import ScheduleConfig
from schedules.context import SweepContext, pct
from storage import surveys
from storage.surveys import QuestionKind, SurveyStatus
from storage.surveys.repo import Unfinished
from storage.workdays import add_working_time

REMIND_AFTER_WORKING_DAYS = 2


async def sweep(ctx: SweepContext) -> None:
    """Once per (person, survey): a reminder 2 working days after publishing, outside quiet hours."""
    tz = ctx.now.tzinfo
    async def open_ones() -> list[surveys.Survey]:
        return (await surveys.list_surveys(ctx.session, status=(SurveyStatus.OPEN,), limit=None)).rows

    due = [s for s in await ctx.across("surveys.open", surveys.open_by_branch, open_ones, [])
           if s.opened_at is not None and ctx.now >= add_working_time(s.opened_at.astimezone(tz), REMIND_AFTER_WORKING_DAYS)]
    if not due:
        return
    totals: Mapping[int, int] = await ctx.across("surveys.questions", surveys.open_question_counts_by_branch,
                                                 lambda: surveys.question_counts(ctx.session, [s.id for s in due]), {})
    waiting: Mapping[int, list[Unfinished]] = await ctx.across(
        "surveys.unfinished", surveys.open_unfinished_by_branch,
        lambda: surveys.unfinished_recipients(ctx.session, [s.id for s in due]), {})
    for s in due:
        total, number = totals.get(s.id, 0), s.number  # (read once per survey, not once per recipient)
        head, start = f"提醒：支部征求意见《{s.title}》还在征求中，", f"共 {total} 题，回复“开始 {number}”即可作答。"
        for userid, position in waiting.get(s.id, []):
            what = f"您已答 {position}/{total} 题，回复“继续问卷”即可接着作答。" if position else start
            await ctx.say(f"survey:{userid}:{number}:remind", userid, head + what, kind="survey_remind")


async def digest_lines(session: AsyncSession, start: datetime, end: datetime, now: datetime,
                       config: ScheduleConfig | None = None) -> list[str]:
    """Open surveys with response rates; surveys closed in [start, end) with the top option per single choice."""
    lines: list[str] = []
    open_surveys = (await surveys.list_surveys(session, status=(SurveyStatus.OPEN,), limit=None)).rows
    prog = await surveys.progress(session, [s.id for s in open_surveys])
    for s in sorted(open_surveys, key=lambda s: s.number):
        p = prog.get(s.id, surveys.Progress())
        lines.append(f"**征求意见** #{s.number}《{s.title}》征求中：回收 {p.done}/{p.recipients}（{pct(p.rate)}）")
    closed = (await surveys.list_surveys(session, status=(SurveyStatus.CLOSED,), limit=None)).rows
    for s in sorted(closed, key=lambda s: s.number):
        if s.closed_at is None or not (start <= s.closed_at < end):
            continue
        res = await surveys.results(session, s)
        p = res.progress
        line = f"**征求意见** #{s.number}《{s.title}》已结束：回收 {p.done}/{p.recipients}（{pct(p.rate)}）"
        tops = []
        for q in res.questions:
            if q.kind != QuestionKind.SINGLE:
                continue
            top = q.top()
            if top is not None:
                tops.append(f"{q.text} 最多选“{top[0]}”（{top[1]}/{q.answered}）")
        if tops:
            line += "；" + "；".join(tops)
        lines.append(line)
    return lines


SWEEPS = (sweep,)
