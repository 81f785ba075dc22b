"""精准帮扶 sweeps: milestone reminders, overdue escalation, deadlines without an assessment,
and the digest line.

Everything is derived from the ledger as of ``ctx.now``; nudge keys are unique per
(person, milestone or project, kind, period), so a reminder is never sent twice.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from bot.replies import Text
from schedules.config import ScheduleConfig
from schedules.context import SweepContext
from storage.workdays import is_working_day, working_days_between
from storage import assist as projects
from storage import people as roster
from storage.people.models import Person

WEEKDAY_CN = "一二三四五六日"


def _day(d: date) -> str:
    return f"{d.month}月{d.day}日（周{WEEKDAY_CN[d.weekday()]}）"


def _remind_day(due: date) -> date:
    """A milestone due on a day off is announced on the last working day before it."""
    d = due
    while not is_working_day(d):
        d -= timedelta(days=1)
    return d


def _name(people: dict[str, Person], userid: str | None) -> str:
    return people[userid].name if userid and userid in people else (userid or "（未指定）")


def _secretaries(people: dict[str, Person]) -> list[str]:
    return sorted(u for u, p in people.items() if p.role == "secretary")


async def sweep(ctx: SweepContext) -> None:
    """Due-day and overdue milestone reminders (repeated every few working days), escalation to
    the secretary, and a reminder to the lead once the deadline passed without an assessment."""
    cfg = ctx.config
    people = await roster.by_id(ctx.session)
    secs = _secretaries(people)
    active = await projects.active(ctx.session)
    by_project = await projects.milestones_for(ctx.session, [p.id for p in active])
    for p in active:
        label = f"帮扶{p.number}号「{p.title}」"
        team = [u for u in projects.team_of(p) if u in people]
        for m in by_project.get(p.id, []):
            if m.status != "open":
                continue
            what = f"{label} 里程碑{m.position}「{m.title}」"
            if ctx.today <= m.due:
                if ctx.today >= _remind_day(m.due):
                    when = "今天" if m.due == ctx.today else _day(m.due)
                    for uid in team:
                        await ctx.nudge(f"assist:ms:{m.id}:due:{m.due}:{uid}", uid,
                                        Text(content=f"帮扶提醒：{what}{when}到期。完成后请发"
                                                     f"“帮扶{p.number}号 里程碑{m.position} 完成”。"),
                                        kind="assist_due")
                continue
            late = working_days_between(m.due, ctx.today)
            if late < 1:
                continue
            period = (late - 1) // max(1, cfg.overdue_repeat_days)
            for uid in team:
                await ctx.nudge(f"assist:ms:{m.id}:overdue:{m.due}:{period}:{uid}", uid,
                                Text(content=f"帮扶逾期：{what}原定 {_day(m.due)} 完成，已逾期 {late} 个工作日。"
                                             f"请抓紧推进，完成后发“帮扶{p.number}号 里程碑{m.position} 完成”。"),
                                kind="assist_overdue")
            if late >= cfg.escalate_after_days:
                for sec in secs:
                    if sec == p.lead:
                        continue
                    await ctx.nudge(f"assist:ms:{m.id}:escalate:{m.due}:{sec}", sec,
                                    Text(content=f"帮扶逾期提醒：{what}（负责人 {_name(people, p.lead)}）"
                                                 f"原定 {_day(m.due)} 完成，已逾期 {late} 个工作日。"),
                                    kind="assist_escalate")
        if p.deadline is not None and p.deadline < ctx.today:
            late = working_days_between(p.deadline, ctx.today)
            if late < 1:
                continue
            period = (late - 1) // max(1, cfg.overdue_repeat_days)
            await ctx.nudge(f"assist:p:{p.id}:deadline:{p.deadline}:{period}:{p.lead}", p.lead,
                            Text(content=f"{label}已于 {_day(p.deadline)} 到期，尚未评估。请发"
                                         f"“/帮扶 评估 {p.number} 达成|部分达成|未达成 说明”结项。"),
                            kind="assist_deadline")


async def digest_lines(session: AsyncSession, start: datetime, end: datetime, now: datetime,
                       config: ScheduleConfig | None = None) -> list[str]:
    """One markdown line for the secretary's digest; empty when there are no projects at all."""
    active = await projects.active(session)
    closed = await projects.closed_between(session, start, end)
    if not active and not closed and (await projects.list_projects(session, limit=1)).total == 0:
        return []
    by_project = await projects.milestones_for(session, [p.id for p in active])
    today = now.date()
    late = sum(len(projects.overdue_milestones_of(ms, today)) for ms in by_project.values())
    line = (f"**精准帮扶**：进行中 {len(active)} 项，逾期里程碑 {late} 个，"
            f"本期结项 {len(closed)} 项")
    if closed:
        counts = [(cn, sum(1 for p in closed if p.assessment == key)) for key, cn in projects.ASSESSMENT_CN.items()]
        line += "（" + "，".join(f"{cn} {n}" for cn, n in counts if n) + "）"
    return [line]


SWEEPS = (sweep,)
