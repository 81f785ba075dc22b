"""Gatherings schedules: the eve reminder of a training or an activity, to the people signed up
(and a training's lecturer). Once per (person, gathering).

The two kinds keep their own timing:

- a training can be on any day, so its reminder goes on the calendar day before, working day or
  not, from the end of the quiet night (08:00) until the quiet evening (21:00); on a day off it goes
  past the day-off quiet rule (``urgent``) but never at night. A training announced too late for that
  window is reminded from 08:00 on its own day, if it has not started.
- an activity is reminded from 08:00 on :func:`remind_day` (the day before, brought forward to the
  last working day) until it starts.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from bot.format import moment
from bot.replies import Text
from schedules.context import SweepContext
from storage import gatherings
from storage.gatherings import Gathering, GatheringKind
from storage.workdays import is_working_day

REMIND_FROM = time(8, 0)


def remind_day(starts: date) -> date:
    """The day before; brought forward to the last working day when that is a day off (quiet all day)."""
    d = starts - timedelta(days=1)
    while not is_working_day(d):
        d -= timedelta(days=1)
    return d


def _training_lead(ctx: SweepContext, local: datetime) -> str | None:
    """"明天" / "今天" while the reminder is due, else None."""
    quiet = ctx.config.quiet
    t = ctx.now.timetz().replace(tzinfo=None)
    eve = local.date() - timedelta(days=1)
    if not (quiet.end <= t < quiet.start) or ctx.today < eve:
        return None
    return "明天" if ctx.today == eve else "今天"


def _activity_lead(ctx: SweepContext, local: datetime) -> str | None:
    start = datetime.combine(remind_day(local.date()), REMIND_FROM, tzinfo=local.tzinfo)
    return None if ctx.now < start else "将于"


@dataclass(frozen=True)
class Eve:
    lead: Callable[[SweepContext, datetime], str | None]  # the word before the time, when due
    key: str  # the nudge's key, formatted with uid, id and number
    day_off_urgent: bool  # a reminder on a day off goes past the day-off quiet rule


EVES: dict[GatheringKind, Eve] = {
    GatheringKind.TRAINING: Eve(_training_lead, "training:{uid}:{id}:eve", True),
    GatheringKind.ACTIVITY: Eve(_activity_lead, "activity:{uid}:{number}:eve", False),
}


async def _remind(ctx: SweepContext, g: Gathering, eve: Eve, lead: str) -> None:
    kind = GatheringKind(g.kind)
    label, when, where = gatherings.label_of(g), moment(g.starts_at, ctx.now.tzinfo), g.place or "约定地点"
    urgent = eve.day_off_urgent and not is_working_day(ctx.today)
    every = await ctx.across(f"gatherings.signups:{ctx.now}", lambda s: gatherings.upcoming_signups_by_branch(s, ctx.now),
                             lambda: _signups_seen(ctx), {})
    signed = [s.userid for s in every.get(g.id, [])]
    for uid in signed:
        await ctx.nudge(eve.key.format(uid=uid, id=g.id, number=g.number), uid,
                        Text(content=f"{kind.label}提醒：您报名的{label}「{g.title}」{lead} {when} 在{where}举行，"
                                     f"请准时参加。不能参加请回复“取消报名 {label}”。"),
                        kind=f"{kind.value}_eve", urgent=urgent)
    if g.lecturer and g.lecturer not in signed:
        await ctx.nudge(eve.key.format(uid=g.lecturer, id=g.id, number=g.number), g.lecturer,
                        Text(content=f"授课提醒：您担任讲师的{label}「{g.title}」{lead} {when} 在{where}举行，"
                                     f"目前报名 {len(signed)} 人。发“/{kind.label} {g.number} 名单”查看名单，"
                                     f"结束后发“/签到 {label} 姓名,姓名”登记到场。"),
                        kind=f"{kind.value}_eve", urgent=urgent)


async def _signups_seen(ctx: SweepContext) -> dict[int, list[gatherings.Signup]]:
    """gathering id -> the sign-ups of every upcoming gathering the session sees (ids are unique)."""
    return {i: s for part in (await gatherings.upcoming_signups_by_branch(ctx.session, ctx.now)).values()
            for i, s in part.items()}


async def eve_reminders(ctx: SweepContext) -> None:
    """Remind the people signed up (and the lecturer) before each upcoming gathering."""
    for g in await ctx.across(f"gatherings.upcoming:{ctx.now}", lambda s: gatherings.upcoming_by_branch(s, ctx.now),
                              lambda: gatherings.upcoming(ctx.session, None, ctx.now), []):
        eve = EVES[GatheringKind(g.kind)]
        lead = eve.lead(ctx, g.starts_at.astimezone(ctx.now.tzinfo))
        if lead is not None:
            await _remind(ctx, g, eve, lead)


SWEEPS = (eve_reminders,)
