"""精英培养 schedules: the eve-of-training reminder and the digest lines.

Trainings can be on any day, so the reminder goes on the calendar day before, working day or
not, from 08:00 until the quiet evening (21:00); on a day off the nudge is sent past the day-off
quiet rule (``urgent=True``) but never at night. A training announced too late for that window
is reminded from 08:00 on its own day, if it has not started.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from bot.replies import Text
from schedules.config import ScheduleConfig
from schedules.context import SweepContext
from storage.workdays import is_working_day
from storage import gatherings, people
from storage import talent as store

KIND = "training"
WEEKDAYS = "一二三四五六日"
MAX_LISTED = 5  # trainings named one by one in the digest (it is clipped to 2048 bytes)


def _day_window(now: datetime, quiet_start: time, quiet_end: time) -> bool:
    t = now.timetz().replace(tzinfo=None)
    return quiet_end <= t < quiet_start


def _when(local: datetime) -> str:
    return f"{local.month}月{local.day}日（周{WEEKDAYS[local.weekday()]}）{local:%H:%M}"


async def sweep(ctx: SweepContext) -> None:
    """Once per (person, training): remind the people signed up and the lecturer the day before."""
    tz = ctx.now.tzinfo
    quiet = ctx.config.quiet
    if not _day_window(ctx.now, quiet.start, quiet.end):
        return
    for g in await gatherings.upcoming(ctx.session, KIND, ctx.now):
        local = g.starts_at.astimezone(tz)
        eve = local.date() - timedelta(days=1)
        if ctx.today < eve:
            continue
        day = "明天" if ctx.today == eve else "今天"
        where = g.place or "约定地点"
        urgent = not is_working_day(ctx.today)
        recipients = [s.userid for s in await gatherings.signups(ctx.session, g)]
        for uid in recipients:
            await ctx.nudge(f"training:{uid}:{g.id}:eve", uid,
                            Text(content=f"培训提醒：您报名的培训{g.number}「{g.title}」{day} {_when(local)} 在{where}举行，"
                                         f"请准时参加。不能参加请回复“取消报名 培训{g.number}”。"),
                            kind="training_eve", urgent=urgent)
        if g.lecturer and g.lecturer not in recipients:
            await ctx.nudge(f"training:{g.lecturer}:{g.id}:eve", g.lecturer,
                            Text(content=f"授课提醒：您担任讲师的培训{g.number}「{g.title}」{day} {_when(local)} 在{where}"
                                         f"举行，目前报名 {len(recipients)} 人。发“/培训 {g.number} 名单”查看名单，"
                                         f"结束后发“/签到 培训{g.number} 姓名,姓名”登记到场。"),
                            kind="training_eve", urgent=urgent)


async def digest_lines(session: AsyncSession, start: datetime, end: datetime, now: datetime,
                       config: ScheduleConfig | None = None) -> list[str]:
    """Trainings held in [start, end) (up to ``now``), attendance, and new reserve candidates (counts only)."""
    until = min(end, now)
    held = [g for g in await gatherings.list_gatherings(session, KIND, since=start, until=until,
                                                        status=("open", "done"), limit=1000)]
    lines: list[str] = []
    if held:
        cnt = await gatherings.counts(session, [g.id for g in held])
        names = {p.userid: p.name for p in await people.all_people(session)}
        total = sum(cnt[g.id][1] for g in held)
        lines.append(f"**精英培养**：举办培训 {len(held)} 期，到场 {total} 人次")
        for g in held[:MAX_LISTED]:
            signed, present = cnt[g.id]
            lec = f"，讲师{names.get(g.lecturer, g.lecturer)}" if g.lecturer else ""
            lines.append(f"- 培训{g.number}「{g.title}」{g.starts_at.astimezone(now.tzinfo):%m-%d}{lec}："
                         f"报名 {signed}，到场 {present}")
    new = await store.candidates(session, since=start, until=end)
    if new:
        lines.append(f"- 新推荐后备人才 {len(new)} 人（详见“/后备”）")
    decided = [c for c in await store.candidates(session, status=("approved", "rejected"))
               if c.decided_at is not None and start <= c.decided_at < end]
    if decided:
        ok = sum(c.status == "approved" for c in decided)
        lines.append(f"- 后备人才综合认定 {len(decided)} 人，通过 {ok} 人")
    if lines and not held:
        lines.insert(0, "**精英培养**")
    return lines


SWEEPS = (sweep,)
