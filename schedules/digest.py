"""The secretary's weekly and monthly digests, as WeCom markdown within its 2048-byte limit.

Each domain contributes its lines (``schedules/<domain>.py: digest_lines``); the composition
root hands them in, in the registry's order.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from datetime import date, datetime, time, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from bot.format import weekday
from bot.replies import TEXT_LIMIT, Markdown, clip_bytes
from schedules.config import ScheduleConfig
from schedules.context import Sweep, SweepContext
from schedules.pushes import figures
from storage.scope import branch_of
from storage.workdays import is_working_day, next_working_day

DigestSection = Callable[..., Awaitable[list[str]]]  # (session, start, end, now, config) -> lines


KINDS = ("weekly", "monthly", "week_to_date")
TITLES = {"weekly": "周报", "monthly": "月报", "week_to_date": "本周至今"}


def period(kind: str, now: datetime) -> tuple[datetime, datetime, str]:
    """What a digest covers, as aware local bounds ``[start, end)`` and the exact words for it.

    ``weekly``: the last complete week (Monday–Sunday); ``monthly``: the last complete month;
    ``week_to_date``: this week's Monday 00:00 up to ``now`` (本周至今).
    """
    tz = now.tzinfo
    today = now.date()
    monday = today - timedelta(days=today.weekday())
    if kind == "weekly":
        start_day, end_day = monday - timedelta(days=7), monday
    elif kind == "monthly":
        end_day = today.replace(day=1)
        start_day = (end_day - timedelta(days=1)).replace(day=1)
    elif kind == "week_to_date":
        start = datetime.combine(monday, time(0), tzinfo=tz)
        return start, now, f"{_day(monday)} 0:00 至 {_day(today)} {now:%H:%M}"
    else:
        raise ValueError(f"unknown digest kind {kind!r}")
    last = end_day - timedelta(days=1)
    label = f"{_day(start_day)} 至 {_day(last)}"
    return (datetime.combine(start_day, time(0), tzinfo=tz), datetime.combine(end_day, time(0), tzinfo=tz), label)


def _day(d: date) -> str:
    return f"{d.year}年{d.month}月{d.day}日（{weekday(d)}）"


# What a secretary can do about what a digest shows (the last line of every digest).
ACT = "处理：/逾期 逾期事项 · /待办 未办结事项 · /台账 重点关注 · /覆盖 走访覆盖 · /排名 班组评分"


async def render_digest(session: AsyncSession, kind: str, now: datetime, sections: Sequence[DigestSection],
                        config: ScheduleConfig | None = None) -> str:
    """The digest of the period before ``now``: a title, then each domain's lines."""
    config = config or ScheduleConfig()
    start, end, label = period(kind, now)
    lines = [f"## 四精助手{TITLES[kind]}", f"统计范围：{label}"]
    for section in sections:
        lines.extend(await section(session, start, end, now, config))
    branch = branch_of(session)
    messages, carried = await figures(session, start, end, f"b{branch}:" if branch is not None else "all:")
    lines.append(f"**提醒推送**：{carried} 项提醒合并为 {messages} 条消息发出（每人每天至多 {config.daily_pushes} 条，紧急事项除外）")
    lines.append(f"[在工作台查看明细]({config.link})" if config.link else ACT)
    return clip_bytes("\n".join(lines), TEXT_LIMIT)


def due_digests(ctx: SweepContext) -> list[tuple[str, str]]:
    """(kind, period key) of the digests due now: the weekly one on the first working day of the week,
    the monthly one on the first working day of the month, from the morning hour on."""
    if not is_working_day(ctx.today) or ctx.now.timetz().replace(tzinfo=None) < ctx.config.morning:
        return []
    due = []
    monday = ctx.today - timedelta(days=ctx.today.weekday())
    if next_working_day(monday) == ctx.today:
        year, week, _ = ctx.today.isocalendar()
        due.append(("weekly", f"{year}-W{week:02d}"))
    if next_working_day(ctx.today.replace(day=1)) == ctx.today:
        due.append(("monthly", f"{ctx.today:%Y-%m}"))
    return due


def digest_sweep(sections: Sequence[DigestSection]) -> Sweep:
    """The sweep that sends the weekly digest (first working day of the week) and the monthly one."""

    async def digests(ctx: SweepContext) -> None:
        due = due_digests(ctx)
        if not due:
            return
        secretaries = await ctx.secretaries()
        for kind, key in due:
            text = await render_digest(ctx.session, kind, ctx.now, sections, ctx.config)
            for sec in secretaries:
                await ctx.nudge(f"digest:{kind}:{key}:{sec}", sec, Markdown(content=text), kind="digest")

    return digests
