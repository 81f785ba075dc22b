"""精准帮扶 sweeps: milestone reminders, overdue escalation, deadlines without an assessment,
and the digest line.

Everything is derived from the ledger as of ``ctx.now``; nudge keys are unique per
(person, milestone or project, kind, period), so a reminder is never sent twice.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.format import month_day
from bot.replies import Text
from schedules.config import ScheduleConfig
from schedules.context import SweepContext, lateness
from storage import assist as projects
from storage.assist import Assessment, Milestone, MilestoneStatus, Project, label, queries
from storage.workdays import previous_working_day



async def sweep(ctx: SweepContext) -> None:
    """Due-day and overdue milestone reminders (repeated every few working days), escalation to
    the secretary, and a reminder to the lead once the deadline passed without an assessment."""
    active = await ctx.across("assist.active", projects.active_by_branch, lambda: projects.active(ctx.session), [])
    if not active:
        return
    names = await ctx.names({u for p in active for u in projects.team_of(p)})  # only the teams
    secretaries = await ctx.secretaries()
    by_project = await ctx.across("assist.milestones", projects.active_milestones_by_branch,
                                  lambda: projects.milestones_for(ctx.session, [p.id for p in active]), {})
    for p in active:
        team = [u for u in projects.team_of(p) if u in names]
        for m in by_project.get(p.id, []):
            if m.status == MilestoneStatus.OPEN:
                await _milestone(ctx, p, m, team, [s for s in secretaries if s != p.lead], names.get(p.lead, p.lead))
        await _deadline(ctx, p)


async def _milestone(ctx: SweepContext, p: Project, m: Milestone, team: list[str], secretaries: list[str],
                     lead: str) -> None:
    what = f"{label(p)} 里程碑{m.position}「{m.title}」"
    done = f"“帮扶{p.number}号 里程碑{m.position} 完成”"
    if ctx.today <= m.due:
        if ctx.today >= previous_working_day(m.due):  # a day off's milestone is announced the working day before
            when = "今天" if m.due == ctx.today else month_day(m.due)
            for uid in team:
                await ctx.nudge(f"assist:ms:{m.id}:due:{m.due}:{uid}", uid,
                                Text(content=f"帮扶提醒：{what}{when}到期。完成后请发{done}。"), kind="assist_due")
        return
    behind = lateness(m.due, ctx.today, ctx.config.overdue_repeat_days)
    if behind is None:
        return
    late, period = behind
    for uid in team:
        await ctx.nudge(f"assist:ms:{m.id}:overdue:{m.due}:{period}:{uid}", uid,
                        Text(content=f"帮扶逾期：{what}原定 {month_day(m.due)} 完成，已逾期 {late} 个工作日。"
                                     f"请抓紧推进，完成后发{done}。"), kind="assist_overdue")
    if late >= ctx.config.escalate_after_days:
        for sec in secretaries:
            await ctx.nudge(f"assist:ms:{m.id}:escalate:{m.due}:{sec}", sec,
                            Text(content=f"帮扶逾期提醒：{what}（负责人 {lead}）原定 {month_day(m.due)} 完成，"
                                         f"已逾期 {late} 个工作日。"), kind="assist_escalate")


async def _deadline(ctx: SweepContext, p: Project) -> None:
    """The deadline passed and the lead has not assessed yet."""
    behind = None if p.deadline is None else lateness(p.deadline, ctx.today, ctx.config.overdue_repeat_days)
    if p.deadline is None or behind is None:
        return
    await ctx.nudge(f"assist:p:{p.id}:deadline:{p.deadline}:{behind[1]}:{p.lead}", p.lead,
                    Text(content=f"{label(p)}已于 {month_day(p.deadline)} 到期，尚未评估。请发"
                                 f"“/帮扶 评估 {p.number} 达成|部分达成|未达成 说明”结项。"), kind="assist_deadline")


async def digest_lines(session: AsyncSession, start: datetime, end: datetime, now: datetime,
                       config: ScheduleConfig | None = None) -> list[str]:
    """One markdown line for the secretary's digest; empty when there are no projects at all."""
    active = await projects.active(session)
    closed = await queries.closed_between(session, start, end)
    if not active and not closed and not await queries.any_projects(session):
        return []
    by_project = await projects.milestones_for(session, [p.id for p in active])
    today = now.date()
    late = sum(len(projects.overdue_milestones_of(ms, today)) for ms in by_project.values())
    line = (f"**精准帮扶**：进行中 {len(active)} 项，逾期里程碑 {late} 个，"
            f"本期结项 {len(closed)} 项")
    if closed:
        counts = [(a.label, sum(1 for p in closed if p.assessment == a)) for a in Assessment]
        line += "（" + "，".join(f"{text} {n}" for text, n in counts if n) + "）"
    return [line]


SWEEPS = (sweep,)
