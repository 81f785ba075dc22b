"""Incident sweeps: nobody acknowledged it (the secretary after 15 minutes, at any hour); acknowledged but
not closed (whoever acknowledged it after 4 hours, then the secretary after 12)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timezone
from statistics import median

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.replies import Text
from schedules.config import ScheduleConfig
from schedules.context import SweepContext, warn
from storage import duty
from storage.models import Item, ItemEvent
from storage.duty import IncidentStatus
from storage.duty.lifecycle import UNACKNOWLEDGED_AFTER, UNCLOSED_ESCALATE_AFTER, UNCLOSED_REMIND_AFTER


def unclosed_reminder(n: int, title: str, hours: int) -> str:
    return (f"事件 #{n}（{title}）确认收到已超过 {hours} 小时，还没有处置结果。处置完毕请回复“#{n} 已处理，…”写明情况；"
            f"还在处置请回复“#{n} 进展情况”。")


def unclosed_escalation(n: int, title: str, by: str, hours: int) -> str:
    return f"事件 #{n}（{title}）已由{by}确认 {hours} 小时仍未处置完毕，请跟进。发“/事件 {n}”查看经过。"


async def incident_reminders(ctx: SweepContext) -> None:
    """Unacknowledged incidents: remind the secretary after 15 minutes, at any hour."""
    secretaries = await ctx.secretaries()
    minutes = int(UNACKNOWLEDGED_AFTER.total_seconds() // 60)
    unacked = (IncidentStatus.OPEN,)
    for inc in await ctx.across("duty.open", lambda s: duty.incidents_by_branch(s, unacked),
                                lambda: duty.open_incidents(ctx.session), []):
        if ctx.now - inc.created_at.astimezone(ctx.now.tzinfo) < UNACKNOWLEDGED_AFTER:
            continue
        for sec in secretaries:
            await ctx.nudge(f"incident:{inc.number}:unacked:{sec}", sec,
                            Text(content=f"事件 #{inc.number}（{inc.title}）已过 {minutes} 分钟仍无人确认收到，请跟进。"),
                            kind="incident", urgent=True)


async def unclosed_incidents(ctx: SweepContext) -> None:
    """Acknowledged, not closed: remind whoever acknowledged it, then tell the secretaries (urgent ones at any hour)."""
    secretaries = await ctx.secretaries()
    remind_h = int(UNCLOSED_REMIND_AFTER.total_seconds() // 3600)
    escalate_h = int(UNCLOSED_ESCALATE_AFTER.total_seconds() // 3600)
    acked = (IncidentStatus.ACKNOWLEDGED,)
    rows = await ctx.across("duty.acknowledged", lambda s: duty.incidents_by_branch(s, acked),
                            lambda: duty.incidents_in(ctx.session, acked), [])

    async def one() -> Mapping[int, ItemEvent]:
        return await duty.acknowledgements(ctx.session, [i.id for i in rows])

    acks = await ctx.across("duty.acks", lambda s: duty.acknowledgements_by_branch(s, acked), one, {})
    for inc in rows:
        ack = acks.get(inc.id)
        if ack is None:
            continue
        waited = ctx.now - ack.at.astimezone(ctx.now.tzinfo)
        if waited < UNCLOSED_REMIND_AFTER:
            continue
        urgent = bool(inc.urgent)
        await ctx.nudge(f"incident:{inc.number}:unclosed:{ack.actor}", ack.actor,
                        Text(content=unclosed_reminder(inc.number, inc.title, remind_h)),
                        kind="incident_unclosed", urgent=urgent)
        if waited < UNCLOSED_ESCALATE_AFTER:
            continue
        by = (await ctx.names({ack.actor})).get(ack.actor, ack.actor) if ack.actor else "支部"  # people.name_of
        for sec in secretaries:
            if sec == ack.actor:
                continue
            await ctx.nudge(f"incident:{inc.number}:unclosed-escalate:{sec}", sec,
                            Text(content=unclosed_escalation(inc.number, inc.title, by, escalate_h)),
                            kind="incident_unclosed", urgent=urgent)


async def digest_lines(session: AsyncSession, start: datetime, end: datetime, now: datetime,
                       config: ScheduleConfig | None = None) -> list[str]:
    """Incidents reported in [start, end): how many, how many acknowledged and how fast; still open now."""
    rows = (await session.execute(select(Item.created_at, Item.first_response_at).where(
        Item.kind == duty.KIND, Item.created_at >= start.astimezone(timezone.utc),
        Item.created_at < end.astimezone(timezone.utc)))).all()
    still = len(await duty.incidents_in(session, (IncidentStatus.OPEN, IncidentStatus.ACKNOWLEDGED)))
    waits = [(acked - made).total_seconds() / 60 for made, acked in rows if acked is not None]
    fast = f"（确认用时中位数 {median(waits):.0f} 分钟）" if waits else ""
    return [f"**突发事件**：新报告 {len(rows)} 起，已确认 {len(waits)} 起{fast}，目前未处置完毕 {warn(still)} 起"]


SWEEPS = (incident_reminders, unclosed_incidents)
