"""办实事 sweeps: first-response and resolution deadlines, confirmation reminders; digest lines."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from schedules.config import ScheduleConfig
from schedules.context import SweepContext, pct, warn
from schedules.quiet import working_deadline
from storage.deeds import queries
from storage.deeds import WORKING
from storage.workdays import working_days_between


def _age(delta: timedelta) -> str:
    """How long something has waited, in words: "3 天", "5 小时"."""
    hours = int(delta.total_seconds() // 3600)
    return f" {hours // 24} 天" if hours >= 24 else f" {max(1, hours)} 小时"


def _name(names: dict[str, str], userid: str | None) -> str:
    return names.get(userid, userid) if userid else "（未指定）"


async def item_deadlines(ctx: SweepContext) -> None:
    """First response (50%/80%/breach), resolution target, and confirmation reminders."""
    cfg = ctx.config
    secs = await ctx.secretaries()
    tz = ctx.now.tzinfo
    items = await ctx.across(queries.OPEN_DEEDS, queries.open_deeds_by_branch,  # member_morning's too
                             lambda: queries.open_deeds(ctx.session), [])
    people = await ctx.names({u for i in items for u in (i.owner, i.requester)})  # only those named
    today = ctx.today
    since: dict[date, int] = {}  # day -> working days from it to today (a few hundred days for 80,000 items)

    def working_days_since(day: date) -> int:
        n = since.get(day)
        if n is None:
            n = since[day] = working_days_between(day, today)
        return n

    for item in items:
        owner = item.owner
        created = item.created_at.astimezone(tz)
        urgent = bool(item.urgent)
        if item.status == "submitted" and item.first_response_at is None and owner:
            start = cfg.quiet.release(created)  # sent in quiet hours: the clock starts when they end
            deadline = working_deadline(created, cfg.response_limit_days, cfg.quiet)
            frac = (ctx.now - start) / (deadline - start) if deadline > start else 1.0
            ref = f"#{item.number} {item.title}"
            if frac >= 0.8:  # a later stage goes alone, even if the earlier one never went (the server was down)
                text = (f"提醒：{ref} 已提交{_age(ctx.now - created)}，即将超过首次响应时限（{deadline:%m月%d日 %H:%M}），"
                        f"请尽快回复“接单 #{item.number}”。") if frac < 1.0 else (
                        f"提醒：{ref} 已提交{_age(ctx.now - created)}，已超过首次响应时限（{deadline:%m月%d日 %H:%M}），"
                        f"请尽快回复“接单 #{item.number}”。")
                await ctx.say(f"item:{item.number}:resp80", owner, text, kind="item_response",
                              urgent=urgent, covers=(f"item:{item.number}:resp50",))
            elif frac >= 0.5:
                await ctx.say(f"item:{item.number}:resp50", owner,
                              f"提醒：{ref} 还没有接单，请在 {deadline:%m月%d日 %H:%M} 前回复“接单 #{item.number}”。",
                              kind="item_response", urgent=urgent)
            if frac >= 1.0:
                for sec in secs:
                    await ctx.say(f"item:{item.number}:resp_breach:{sec}", sec,
                                  f"超时未响应：{ref}（负责人 {_name(people, owner)}）已提交{_age(ctx.now - created)}，"
                                  f"超过首次响应时限。",
                                  kind="item_escalate", urgent=urgent)
        if item.status in WORKING and item.due_at is not None and ctx.now >= item.due_at and owner:
            await ctx.say(f"item:{item.number}:late", owner,
                          f"#{item.number} {item.title} 已超过办结时限，请抓紧办理并及时反馈进度。",
                          kind="item_late", urgent=urgent)
            late = working_days_since(item.due_at.astimezone(tz).date())
            if late >= 1:
                for sec in secs:
                    await ctx.say(f"item:{item.number}:late_escalate:{sec}", sec,
                                  f"逾期未办结：#{item.number} {item.title}（负责人 {_name(people, owner)}），"
                                  f"已逾期 {late} 个工作日。",
                                  kind="item_escalate", urgent=urgent)
        if item.status == "resolved" and item.resolved_at is not None:
            waited = working_days_since(item.resolved_at.astimezone(tz).date())
            if waited >= cfg.confirm_remind_days:
                await ctx.say(f"item:{item.number}:confirm_remind", item.requester,
                              f"您反映的 #{item.number} {item.title} 已处理完毕，请回复“满意”或“还没解决”，"
                              f"您确认后才会销号。",
                              kind="item_confirm")
            if waited >= cfg.confirm_escalate_days:
                for uid in dict.fromkeys([owner, *secs]):
                    if uid:
                        await ctx.say(f"item:{item.number}:confirm_escalate:{uid}", uid,
                                      f"#{item.number} {item.title} 处理完已 {waited} 个工作日，"
                                      f"{_name(people, item.requester)} 仍未确认。请当面问问是否满意"
                                      f"（须本人确认才能销号）。",
                                      kind="item_confirm_escalate")


async def digest_lines(session: AsyncSession, start: datetime, end: datetime, now: datetime,
                       config: ScheduleConfig | None = None) -> list[str]:
    """New, resolved, closed, reopened and overdue deeds; satisfaction."""
    f = await queries.deed_figures(session, start, end, now)
    return [
        f"**办实事**：新增 {f.new}，已办结 {f.resolved}，销号 {f.closed}，"
        f"重新打开 {f.reopened}，当前逾期 {warn(f.overdue)}",
        f"**满意率**：{pct(f.satisfaction)}（满意 {f.satisfied}，不满意 {f.unsatisfied}）",
    ]


SWEEPS = (item_deadlines,)
