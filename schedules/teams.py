"""精益班组 schedules: the eve-of-activity reminder and the digest's 优秀班组 lines."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, time, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from bot.replies import Text
from schedules.config import ScheduleConfig
from schedules.context import SweepContext
from storage.workdays import is_working_day
from storage import teams

REMIND_FROM = time(8, 0)
WEEKDAYS = "一二三四五六日"


def remind_day(starts: date) -> date:
    """The day before; brought forward to the last working day when that is a day off (quiet all day)."""
    d = starts - timedelta(days=1)
    while not is_working_day(d):
        d -= timedelta(days=1)
    return d


async def sweep(ctx: SweepContext) -> None:
    """Once per (person, activity): a reminder from 08:00 the day before until the activity starts."""
    tz = ctx.now.tzinfo
    for g in await teams.upcoming_activities(ctx.session, ctx.now):
        local = g.starts_at.astimezone(tz)
        start_reminding = datetime.combine(remind_day(local.date()), REMIND_FROM, tzinfo=tz)
        if ctx.now < start_reminding:
            continue
        when = f"{local.month}月{local.day}日（周{WEEKDAYS[local.weekday()]}）{local:%H:%M}"
        for s in await teams.signups(ctx.session, g.id):
            await ctx.nudge(f"activity:{s.userid}:{g.number}:eve", s.userid,
                            Text(content=f"活动提醒：您报名的活动{g.number}「{g.title}」将于 {when} 在"
                                         f"{g.place or '约定地点'}举行，请准时参加。不能参加请回复“取消报名 活动{g.number}”。"),
                            kind="activity_eve")


async def digest_lines(session: AsyncSession, start: datetime, end: datetime, now: datetime,
                       config: ScheduleConfig | None = None, *, weights: Mapping[str, float] | None = None) -> list[str]:
    """优秀班组 of the month ``start`` falls in (monthly digest) or the month so far (shorter periods).

    ``weights`` defaults to ``SIJING_TEAM_WEIGHTS`` (the caller should pass ``settings.team_weights``
    through :func:`storage.teams.weights`).
    """
    if weights is None and config is not None and config.team_weights is not None:
        weights = config.team_weights
    w = dict(weights) if weights is not None else teams.weights_from_env()
    tz = now.tzinfo
    local_start = start.astimezone(tz)
    monthly = (end - start) >= timedelta(days=28)
    month = teams.month_start(local_start.date() if monthly else now.date())
    r = await teams.ranking(session, month, tz, now=min(now, end) if monthly else now, weights_=w)
    best = r.excellent()
    if not best:
        return []
    names = "；".join(f"{t.team} {t.score:.1f}分（网格长 {'、'.join(p.name for p in t.leaders) or '未设'}）"
                     for t in best)
    if monthly:
        return [f"**优秀班组**（{teams.month_label(month)}）：{names}"]
    top = "，".join(f"{t.rank}. {t.team} {t.score:.1f}分" for t in r.teams[:6] if t.score is not None)
    return [f"**班组评分**（{month.month}月至今）：{top}"]


SWEEPS = (sweep,)
