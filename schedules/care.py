"""精密关注 sweeps: follow-up reminders and escalation, members' morning lists, retirements; digest lines."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from bot.format import month_day as _day
from schedules.config import ScheduleConfig
from schedules.context import SweepContext, lateness, pct, warn
from storage import care
from storage import people as roster
from storage.care import CareCategory, followups
from storage.care.summary import coverage_totals
from storage.deeds import WORKING
from storage.deeds import queries as deed_queries
from storage.deeds.queries import OpenDeed
from storage.people import bulk as people_bulk
from storage.workdays import is_working_day, next_working_day, previous_working_day

ACTOR = "schedule"  # who the audit log says created a visit task ahead of a retirement


FOLLOW_UPS = "care.follow_ups"  # SweepContext.shared: read once for the reminders and the morning lists
STALE = "care.follow_ups.stale"  # SweepContext.shared: a task was added since the run's read of every branch


async def _follow_ups(ctx: SweepContext) -> list[followups.FollowUp]:
    if ctx.shared.get(STALE):  # this branch's sweeps added a task: read what it sees now
        return await ctx.once(FOLLOW_UPS, lambda: followups.follow_ups(ctx.session))
    return await ctx.across(FOLLOW_UPS, followups.follow_ups_by_branch, lambda: followups.follow_ups(ctx.session), [])


def _name(names: dict[str, str], userid: str | None) -> str:
    return names.get(userid, userid) if userid else "（未指定）"


async def deed_queries_open(ctx: SweepContext) -> list[OpenDeed]:
    """The branch's open deeds (``schedules.deeds``' too: one read of every branch per run)."""
    return await ctx.across(deed_queries.OPEN_DEEDS, deed_queries.open_deeds_by_branch,
                            lambda: deed_queries.open_deeds(ctx.session), [])


async def follow_up_reminders(ctx: SweepContext) -> None:
    """Due-day reminders, repeated overdue reminders, and escalation to the secretary."""
    cfg = ctx.config
    fus = await _follow_ups(ctx)
    people = await ctx.names({u for f in fus for u in (f.person, f.member)})  # only those named
    secretaries: list[str] | None = None
    for f in fus:
        who = _name(people, f.person)
        if ctx.today <= f.due:
            if ctx.today >= previous_working_day(f.due):  # a day off's follow-up: the working day before
                when = "今天" if f.due == ctx.today else _day(f.due)
                await ctx.say(f"fu:{f.key}:due:{f.due}", f.member,
                              f"回访提醒：{when}应回访 {who}（{f.what}）。回访后发一句“已看望{who}……”即可记录。",
                              kind="followup_due")
            continue
        behind = lateness(f.due, ctx.today, cfg.overdue_repeat_days)
        if behind is None:
            continue
        late, period = behind
        await ctx.say(f"fu:{f.key}:overdue:{f.due}:{period}", f.member,
                      f"回访逾期：{who}（{f.what}）原定 {_day(f.due)} 回访，已逾期 {late} 个工作日，请尽快联系。",
                      kind="followup_overdue")
        if late >= cfg.escalate_after_days:
            if secretaries is None:
                secretaries = await ctx.secretaries()
            for sec in secretaries:
                if sec == f.member:
                    continue
                await ctx.say(f"fu:{f.key}:escalate:{f.due}:{sec}", sec,
                              f"回访逾期提醒：{_name(people, f.member)} 负责的 {who}（{f.what}）"
                              f"原定 {_day(f.due)} 回访，已逾期 {late} 个工作日。",
                              kind="followup_escalate")


async def member_morning(ctx: SweepContext) -> None:
    """A working-day morning list per member: visits due and overdue, items waiting, stale contacts."""
    if not is_working_day(ctx.today) or ctx.now.timetz().replace(tzinfo=None) < ctx.config.morning:
        return
    staff = sorted([*await ctx.by_role("member"), *await ctx.secretary_entries()], key=lambda p: p.userid)
    fus: dict[str, list[followups.FollowUp]] = {}
    for f in await _follow_ups(ctx):
        if f.due <= ctx.today:
            fus.setdefault(f.member, []).append(f)
    deeds: dict[str, list[OpenDeed]] = {}
    for i in await deed_queries_open(ctx):
        if i.owner and i.status in WORKING:
            deeds.setdefault(i.owner, []).append(i)
    stale_before = ctx.today - timedelta(days=ctx.config.stale_contact_days)

    async def stale_here() -> dict[str, list[roster.RosterEntry]]:  # this branch on its own: zones, then their visits
        zones = await roster.zones(ctx.session, [m.userid for m in staff])
        contact = await care.last_visits(ctx.session, [p.userid for zone in zones.values() for p in zone])
        return {m: [p for p in zone if contact.get(p.userid) is None or contact[p.userid] < stale_before]
                for m, zone in zones.items()}

    stale_by: Mapping[str, Sequence[roster.RosterEntry | people_bulk.Named]] = await ctx.across(
        f"care.stale:{stale_before}", lambda s: care.stale_zones_by_branch(s, stale_before), stale_here, {})
    names = await ctx.names({f.person for due in fus.values() for f in due})
    for member in staff:
        uid = member.userid
        lines: list[str] = []
        due = fus.get(uid, [])
        if due:
            lines.append("【今日及逾期回访】")
            lines += [f"· {_name(names, f.person)}（{f.what}）{'今天' if f.due == ctx.today else '逾期，原定' + _day(f.due)}"
                      for f in due[:10]]
        waiting = deeds.get(uid, [])
        if waiting:
            lines.append("【待办事项】")
            lines += [f"· #{i.number} {i.title}" for i in waiting[:10]]
        stale = stale_by.get(uid, [])
        if stale:
            lines.append(f"【{ctx.config.stale_contact_days}天未联系】" + "、".join(p.name for p in stale[:15])
                         + (f" 等{len(stale)}人" if len(stale) > 15 else ""))
        if not lines:
            continue
        await ctx.say(f"morning:{uid}:{ctx.today}", uid,
                      f"{member.name}，早上好！今天的精密关注清单：\n" + "\n".join(lines),
                      kind="morning")


async def life_events(ctx: SweepContext) -> None:
    """Retirements in the roster become visit tasks ahead of time."""
    horizon = ctx.today + timedelta(days=ctx.config.retirement_notice_days)
    fallback: list[str] | None = None
    for p in await ctx.across(f"care.retiring:{ctx.today}:{horizon}",
                              lambda s: people_bulk.retiring_by_branch(s, ctx.today, horizon),
                              lambda: roster.retiring(ctx.session, ctx.today, horizon), []):
        assert p.retire_on is not None
        if p.zone_member is None and fallback is None:
            fallback = (await ctx.secretaries())[:1]
        member = p.zone_member or next(iter(fallback or []), None)
        if member is None or ctx.dry_run:
            continue
        due = next_working_day(p.retire_on - timedelta(days=3)) if p.retire_on - timedelta(days=3) > ctx.today else ctx.today
        await care.add_task(ctx.session, ctx.now, person=p.userid, member=member, entry_id=None,
                            reason=CareCategory.RETIREMENT, due_date=min(due, p.retire_on),
                            dedupe_key=f"retire:{p.userid}:{p.retire_on}", actor=ACTOR)
        ctx.shared.pop(FOLLOW_UPS, None)  # a new task: the follow-ups are read again (this branch's own read)
        ctx.shared[STALE] = True


async def digest_lines(session: AsyncSession, start: datetime, end: datetime, now: datetime,
                       config: ScheduleConfig | None = None) -> list[str]:
    """Zone coverage, visits done, follow-ups overdue, who visited and who did not."""
    today: date = now.date()
    cov = await coverage_totals(session, today)
    figures = await followups.visit_figures(session, start, end, today)
    idle_members = [p for p in await roster.by_role(session, "member") if p.userid not in figures.visits_by_member]
    everyone = await roster.names(session, figures.visits_by_member)
    cov_pct = cov.visited_30 / cov.zone_total if cov.zone_total else None
    lines = [
        f"**责任区覆盖**：近30天走访 {cov.visited_30}/{cov.zone_total} 人（{pct(cov_pct)}）"
        + (f"，未划入责任区 {cov.unassigned} 人" if cov.unassigned else ""),
        f"**回访**：完成 {figures.visits} 次，逾期未回访 {warn(figures.followups_overdue)} 项",
    ]
    members = sorted(((everyone.get(m, m), n) for m, n in figures.visits_by_member.items()), key=lambda x: -x[1])
    idle = [p.name for p in idle_members]
    if members:
        lines.append("**党员走访**：" + "，".join(f"{name} {n}" for name, n in members[:8]))
    if idle:
        lines.append(f"**本期未走访**：{'、'.join(idle[:10])}" + (f" 等{len(idle)}人" if len(idle) > 10 else ""))
    return lines


SWEEPS = (life_events, follow_up_reminders, member_morning)
