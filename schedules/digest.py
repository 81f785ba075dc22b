"""The secretary's weekly and monthly digests, as WeCom markdown within its 2048-byte limit.

Each domain contributes its lines (``schedules/<domain>.py: digest_lines``); the composition
root hands them in, in the registry's order.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime, time, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from bot.replies import TEXT_LIMIT, Markdown, clip_bytes
from schedules.config import ScheduleConfig
from schedules.context import Sweep, SweepContext
from storage import people
from storage.workdays import is_working_day, next_working_day

DigestSection = Callable[..., Awaitable[list[str]]]  # (session, start, end, now, config) -> lines


def period(kind: str, now: datetime) -> tuple[datetime, datetime, str]:
    """The last complete week (Mon–Sun) or month before ``now``, as aware local bounds and a label."""
    tz = now.tzinfo
    today = now.date()
    if kind == "weekly":
        end_day = today - timedelta(days=today.weekday())
        start_day = end_day - timedelta(days=7)
        label = f"{start_day:%m月%d日}—{end_day - timedelta(days=1):%m月%d日}"
    elif kind == "monthly":
        end_day = today.replace(day=1)
        start_day = (end_day - timedelta(days=1)).replace(day=1)
        label = f"{start_day.year}年{start_day.month}月"
    else:
        raise ValueError(f"unknown digest kind {kind!r}")
    return (datetime.combine(start_day, time(0), tzinfo=tz), datetime.combine(end_day, time(0), tzinfo=tz), label)


async def render_digest(session: AsyncSession, kind: str, now: datetime, sections: Sequence[DigestSection],
                        config: ScheduleConfig | None = None) -> str:
    """The digest of the period before ``now``: a title, then each domain's lines."""
    config = config or ScheduleConfig()
    start, end, label = period(kind, now)
    title = "周报" if kind == "weekly" else "月报"
    lines = [f"## 四精助手{title}（{label}）"]
    for section in sections:
        lines.extend(await section(session, start, end, now, config))
    if config.link:
        lines.append(f"[查看明细]({config.link})")
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
        secretaries = [p.userid for p in await people.by_role(ctx.session, "secretary")]
        for kind, key in due:
            text = await render_digest(ctx.session, kind, ctx.now, sections, ctx.config)
            for sec in secretaries:
                await ctx.nudge(f"digest:{kind}:{key}:{sec}", sec, Markdown(content=text), kind="digest")

    return digests
