"""The sweeps. Each derives what is due from the ledger as of ``ctx.now`` and nudges at most once."""

from __future__ import annotations

from datetime import timedelta

from bot.replies import Markdown, Text
from schedules import sweeps_assist, sweeps_surveys, sweeps_talent, sweeps_teams
from schedules.context import SweepContext
from schedules.digest import render_digest
from schedules.workdays import add_working_time, is_working_day, next_working_day, working_days_between
from storage import followups
from storage.models import Person

WEEKDAY_CN = "一二三四五六日"


def _day(d) -> str:  # type: ignore[no-untyped-def]
    return f"{d.month}月{d.day}日（周{WEEKDAY_CN[d.weekday()]}）"


def _remind_day(due):  # type: ignore[no-untyped-def]
    """A follow-up due on a day off is brought forward to the last working day before it."""
    d = due
    while not is_working_day(d):
        d -= timedelta(days=1)
    return d


def _secretaries(people: dict[str, Person]) -> list[str]:
    return sorted(u for u, p in people.items() if p.role == "secretary")


def _name(people: dict[str, Person], userid: str | None) -> str:
    return people[userid].name if userid and userid in people else (userid or "（未指定）")


async def follow_up_reminders(ctx: SweepContext) -> None:
    """Due-day reminders, repeated overdue reminders, and escalation to the secretary."""
    people = await followups.people_by_id(ctx.session)
    cfg = ctx.config
    for f in await followups.follow_ups(ctx.session):
        who = _name(people, f.person)
        if ctx.today <= f.due:
            if ctx.today >= _remind_day(f.due):
                when = "今天" if f.due == ctx.today else _day(f.due)
                await ctx.nudge(f"fu:{f.key}:due:{f.due}", f.member,
                                Text(content=f"回访提醒：{when}应回访 {who}（{f.what}）。回访后发一句“已看望{who}……”即可记录。"),
                                kind="followup_due")
            continue
        late = working_days_between(f.due, ctx.today)
        if late < 1:
            continue
        period = (late - 1) // max(1, cfg.overdue_repeat_days)
        await ctx.nudge(f"fu:{f.key}:overdue:{f.due}:{period}", f.member,
                        Text(content=f"回访逾期：{who}（{f.what}）原定 {_day(f.due)} 回访，已逾期 {late} 个工作日，请尽快联系。"),
                        kind="followup_overdue")
        if late >= cfg.escalate_after_days:
            for sec in _secretaries(people):
                if sec == f.member:
                    continue
                await ctx.nudge(f"fu:{f.key}:escalate:{f.due}:{sec}", sec,
                                Text(content=f"回访逾期提醒：{_name(people, f.member)} 负责的 {who}（{f.what}）"
                                             f"原定 {_day(f.due)} 回访，已逾期 {late} 个工作日。"),
                                kind="followup_escalate")


async def member_morning(ctx: SweepContext) -> None:
    """A working-day morning list per member: visits due and overdue, items waiting, stale contacts."""
    if not is_working_day(ctx.today) or ctx.now.timetz().replace(tzinfo=None) < ctx.config.morning:
        return
    people = await followups.people_by_id(ctx.session)
    fus = await followups.follow_ups(ctx.session)
    deeds = await followups.open_deeds(ctx.session)
    contact = await followups.last_contact(ctx.session)
    stale_before = ctx.today - timedelta(days=ctx.config.stale_contact_days)
    for uid, member in sorted(people.items()):
        if member.role not in ("member", "secretary"):
            continue
        lines: list[str] = []
        due = [f for f in fus if f.member == uid and f.due <= ctx.today]
        if due:
            lines.append("【今日及逾期回访】")
            lines += [f"· {_name(people, f.person)}（{f.what}）{'今天' if f.due == ctx.today else '逾期，原定' + _day(f.due)}"
                      for f in due[:10]]
        waiting = [i for i in deeds if i.owner == uid and i.status in followups.OPEN_DEED]
        if waiting:
            lines.append("【待办事项】")
            lines += [f"· #{i.number} {i.title}" for i in waiting[:10]]
        zone = [p for p in people.values() if p.zone_member == uid]
        stale = [p for p in zone if contact.get(p.userid) is None or contact[p.userid] < stale_before]
        if stale:
            lines.append(f"【{ctx.config.stale_contact_days}天未联系】" + "、".join(p.name for p in stale[:15])
                         + (f" 等{len(stale)}人" if len(stale) > 15 else ""))
        if not lines:
            continue
        await ctx.nudge(f"morning:{uid}:{ctx.today}", uid,
                        Text(content=f"{member.name}，早上好！今天的精密关注清单：\n" + "\n".join(lines)),
                        kind="morning")


async def item_deadlines(ctx: SweepContext) -> None:
    """First response (50%/80%/breach), resolution target, and confirmation reminders."""
    cfg = ctx.config
    people = await followups.people_by_id(ctx.session)
    secs = _secretaries(people)
    tz = ctx.now.tzinfo
    for item in await followups.open_deeds(ctx.session):
        owner = item.owner
        created = item.created_at.astimezone(tz)
        urgent = bool(item.urgent)
        if item.status == "submitted" and item.first_response_at is None and owner:
            deadline = add_working_time(created, cfg.response_limit_days)
            frac = (ctx.now - created) / (deadline - created) if deadline > created else 1.0
            ref = f"#{item.number} {item.title}"
            if frac >= 0.5:
                await ctx.nudge(f"item:{item.number}:resp50", owner,
                                Text(content=f"提醒：{ref} 还没有接单，请在 {deadline:%m月%d日 %H:%M} 前回复“接单 #{item.number}”。"),
                                kind="item_response", urgent=urgent)
            if frac >= 0.8:
                await ctx.nudge(f"item:{item.number}:resp80", owner,
                                Text(content=f"再次提醒：{ref} 即将超过首次响应时限（{deadline:%m月%d日 %H:%M}）。"),
                                kind="item_response", urgent=urgent)
            if frac >= 1.0:
                for sec in secs:
                    await ctx.nudge(f"item:{item.number}:resp_breach:{sec}", sec,
                                    Text(content=f"超时未响应：{ref}（负责人 {_name(people, owner)}）已超过首次响应时限。"),
                                    kind="item_escalate", urgent=urgent)
        if item.status in followups.OPEN_DEED and item.due_at is not None and ctx.now >= item.due_at and owner:
            await ctx.nudge(f"item:{item.number}:late", owner,
                            Text(content=f"#{item.number} {item.title} 已超过办结时限，请抓紧办理并及时反馈进度。"),
                            kind="item_late", urgent=urgent)
            late = working_days_between(item.due_at.astimezone(tz).date(), ctx.today)
            if late >= 1:
                for sec in secs:
                    await ctx.nudge(f"item:{item.number}:late_escalate:{sec}", sec,
                                    Text(content=f"逾期未办结：#{item.number} {item.title}（负责人 {_name(people, owner)}），"
                                                 f"已逾期 {late} 个工作日。"),
                                    kind="item_escalate", urgent=urgent)
        if item.status == "resolved" and item.resolved_at is not None:
            waited = working_days_between(item.resolved_at.astimezone(tz).date(), ctx.today)
            if waited >= cfg.confirm_remind_days:
                await ctx.nudge(f"item:{item.number}:confirm_remind", item.requester,
                                Text(content=f"您反映的 #{item.number} {item.title} 已处理完毕，请回复“满意”或“还没解决”，"
                                             f"您确认后才会销号。"),
                                kind="item_confirm")
            if waited >= cfg.confirm_escalate_days:
                for uid in dict.fromkeys([owner, *secs]):
                    if uid:
                        await ctx.nudge(f"item:{item.number}:confirm_escalate:{uid}", uid,
                                        Text(content=f"#{item.number} {item.title} 处理完已 {waited} 个工作日，"
                                                     f"{_name(people, item.requester)} 仍未确认。请当面问问是否满意"
                                                     f"（须本人确认才能销号）。"),
                                        kind="item_confirm_escalate")


async def incident_reminders(ctx: SweepContext) -> None:
    """Unacknowledged incidents: remind the secretary after 15 minutes, at any hour."""
    people = await followups.people_by_id(ctx.session)
    for inc in await followups.open_incidents(ctx.session):
        if ctx.now - inc.created_at.astimezone(ctx.now.tzinfo) < timedelta(minutes=15):
            continue
        for sec in _secretaries(people):
            await ctx.nudge(f"incident:{inc.number}:unacked:{sec}", sec,
                            Text(content=f"事件 #{inc.number}（{inc.title}）已过 15 分钟仍无人确认收到，请跟进。"),
                            kind="incident", urgent=True)


async def life_events(ctx: SweepContext) -> None:
    """Retirements in the roster become visit tasks ahead of time."""
    people = await followups.people_by_id(ctx.session)
    horizon = ctx.today + timedelta(days=ctx.config.retirement_notice_days)
    for p in people.values():
        if p.retire_on is None or not (ctx.today <= p.retire_on <= horizon):
            continue
        member = p.zone_member or next(iter(_secretaries(people)), None)
        if member is None or ctx.dry_run:
            continue
        due = next_working_day(p.retire_on - timedelta(days=3)) if p.retire_on - timedelta(days=3) > ctx.today else ctx.today
        await followups.ensure_task(ctx.session, person=p.userid, member=member, reason="退休",
                                    due=min(due, p.retire_on), dedupe_key=f"retire:{p.userid}:{p.retire_on}",
                                    now=ctx.now)


async def digests(ctx: SweepContext) -> None:
    """The secretary's weekly digest (first working day of the week) and monthly one."""
    if not is_working_day(ctx.today) or ctx.now.timetz().replace(tzinfo=None) < ctx.config.morning:
        return
    people = await followups.people_by_id(ctx.session)
    monday = ctx.today - timedelta(days=ctx.today.weekday())
    if next_working_day(monday) == ctx.today:
        text = await render_digest(ctx.session, "weekly", ctx.now, ctx.config.link, ctx.config.team_weights)
        year, week, _ = ctx.today.isocalendar()
        for sec in _secretaries(people):
            await ctx.nudge(f"digest:weekly:{year}-W{week:02d}:{sec}", sec, Markdown(content=text), kind="digest")
    first = ctx.today.replace(day=1)
    if next_working_day(first) == ctx.today:
        text = await render_digest(ctx.session, "monthly", ctx.now, ctx.config.link, ctx.config.team_weights)
        for sec in _secretaries(people):
            await ctx.nudge(f"digest:monthly:{ctx.today:%Y-%m}:{sec}", sec, Markdown(content=text), kind="digest")


SWEEPS = (
    incident_reminders,
    life_events,
    follow_up_reminders,
    item_deadlines,
    member_morning,
    digests,
    sweeps_assist.sweep,
    sweeps_talent.sweep,
    sweeps_teams.sweep,
    sweeps_surveys.sweep,
)


