"""What happens to an incident, whichever way it was asked for (a report, a card button, "收到 #N",
"收到 马上过去" with one incident waiting).

The lifecycle is storage's (``storage.duty.acknowledge`` locks the row and refuses, in Chinese, what
is no longer open); here: who is alerted, who may acknowledge and handle it, and who is told what.
Progress, closing and reading are in ``followthrough``.
"""

from __future__ import annotations

from bot.cards import button_card
from bot.dispatcher import Context, Replies
from bot.replies import Reply, Text
from handlers.duty import messages as msg
from handlers.duty.states import ACK, IncidentCard
from storage import deeds, duty, people
from storage.deeds.models import Item
from storage.people import Role


async def alert_list(ctx: Context, team: str, reporter: str) -> list[str]:
    """The team's grid leaders, then the secretaries; never the reporter."""
    out: list[str] = []
    leaders = await people.grid_leaders(ctx.session, team) if team else []
    for p in [*leaders, *await people.by_role(ctx.session, Role.SECRETARY)]:
        if p.userid != reporter and p.userid not in out:
            out.append(p.userid)
    return out


async def report(ctx: Context, text: str, urgent: bool) -> Replies:
    """Log the incident and alert the grid leaders and the secretaries at once, with a 收到 button."""
    assert ctx.sender is not None
    team = ctx.sender.team
    alerted = await alert_list(ctx, team, ctx.userid)
    item = await duty.create_incident(ctx.session, reporter=ctx.userid, team=team, text=text, urgent=urgent,
                                      now=ctx.now, owner=alerted[0] if alerted else None, alerted=alerted)
    n = item.number
    flagged = msg.flag(item.urgent)
    origin = ctx.sender.label
    recipients = [p for p in [await people.get(ctx.session, uid) for uid in alerted] if p is not None]
    replies: list[Reply] = [Text(content=msg.reported(n, recipients))]
    for p in recipients:
        replies.append(button_card(
            p.userid, title=f"{flagged}突发事件 #{n}", desc=f"{origin}报告：{text}",
            buttons=[("收到", IncidentCard(ACK, n).pack())], task_prefix=f"incident-{n}",
            fallback=msg.alert_fallback(n, flagged, origin, text)))
    return replies


async def may_handle(ctx: Context, item: Item) -> bool:
    """The secretary, a grid leader of the incident's team, or whoever acknowledged it."""
    assert ctx.sender is not None
    if ctx.sender.is_secretary:
        return True
    if item.team and any(p.userid == ctx.userid for p in await people.grid_leaders(ctx.session, item.team)):
        return True
    return await duty.acknowledged_by(ctx.session, item) == ctx.userid


async def waiting_for_me(ctx: Context) -> list[Item]:
    """Open incidents the sender may acknowledge: all of them for the secretary, a grid leader's team's."""
    assert ctx.sender is not None
    if ctx.sender.is_secretary:
        return await duty.open_incidents(ctx.session)
    if ctx.sender.grid_leader and ctx.sender.team:
        return [i for i in await duty.open_incidents(ctx.session, team=ctx.sender.team) if i.requester != ctx.userid]
    return []


async def handling(ctx: Context) -> list[Item]:
    """Unclosed incidents the sender is handling: those they acknowledged, and a grid leader's team's."""
    assert ctx.sender is not None
    team = ctx.sender.team if ctx.sender.grid_leader and ctx.sender.team else None
    out = []
    for item in await duty.incidents_in(ctx.session, duty.UNCLOSED):
        if item.requester == ctx.userid:
            continue
        if (team is not None and item.team == team) or await duty.acknowledged_by(ctx.session, item) == ctx.userid:
            out.append(item)
    return out


async def acknowledge(ctx: Context, number: int) -> Replies:
    """A grid leader of the incident's team or a secretary says 收到: the reporter and the others are told."""
    assert ctx.sender is not None
    item = await duty.get_incident(ctx.session, number)
    if item is None:
        if await deeds.get_by_number(ctx.session, number) is not None:  # a deed's number (an old card, a typo)
            return Text(content=msg.NOT_AN_INCIDENT.format(n=number))
        return Text(content=msg.incident_not_found(number))
    if item.requester == ctx.userid:
        return Text(content=msg.own_report(number))
    if not await may_handle(ctx, item):
        return Text(content=msg.not_yours_to_acknowledge(number, item.team or ""))
    await duty.acknowledge(ctx.session, item, ctx.userid, ctx.now)  # Refused when someone was first
    me = msg.who(ctx.sender)
    replies: list[Reply] = [
        Text(content=msg.acknowledged(number, await people.name_of(ctx.session, item.requester))),
        Text(to=item.requester, content=msg.acknowledged_to_reporter(number, me)),
    ]
    for uid in await alert_list(ctx, item.team, item.requester):
        if uid != ctx.userid:
            replies.append(Text(to=uid, content=msg.acknowledged_to_others(number, me)))
    return replies
