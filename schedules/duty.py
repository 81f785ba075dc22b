"""Incident sweeps: an unacknowledged incident reaches the secretary after 15 minutes, at any hour."""

from __future__ import annotations

from datetime import timedelta

from bot.replies import Text
from schedules.context import SweepContext
from storage import duty, people
from storage.people import Role


async def incident_reminders(ctx: SweepContext) -> None:
    """Unacknowledged incidents: remind the secretary after 15 minutes, at any hour."""
    secretaries = [p.userid for p in await people.by_role(ctx.session, Role.SECRETARY)]
    for inc in await duty.open_incidents(ctx.session):
        if ctx.now - inc.created_at.astimezone(ctx.now.tzinfo) < timedelta(minutes=15):
            continue
        for sec in secretaries:
            await ctx.nudge(f"incident:{inc.number}:unacked:{sec}", sec,
                            Text(content=f"事件 #{inc.number}（{inc.title}）已过 15 分钟仍无人确认收到，请跟进。"),
                            kind="incident", urgent=True)


SWEEPS = (incident_reminders,)
