"""Duty slash commands: /值班 (the secretary's rota: view the week, put someone on duty), /事件 (unclosed
incidents for the secretary and the grid leaders, one's own reports, /事件 N: one incident's history) and
/关闭 #N for an incident (办实事's /关闭 answers a deed's number)."""

from __future__ import annotations

import re

from bot.dispatcher import NOT_HANDLED, Context, Replies
from bot.format import local
from bot.replies import Text
from handlers.duty import followthrough, incidents, rota
from handlers.duty import messages as msg
from handlers.duty.router import router
from storage import deeds, duty, people
from storage.duty import IncidentStatus
from storage.people import Role, valid_phone

SECRETARY = (Role.SECRETARY.value,)
NUMBER = re.compile(r"^[#＃]?\s*(?P<n>\d{1,9})\s*(?:号)?$")
NUMBER_AND_REST = re.compile(r"^[#＃]?\s*(?P<n>\d{1,9})(?:\s*(?P<rest>.*))?$", re.S)


@router.command("/值班", roles=SECRETARY, usage="/值班 日期 账号 [电话]", summary="排班", denied=msg.DUTY_DENIED)
async def duty_command(ctx: Context) -> Replies:
    args = ctx.args.split()
    if not args:
        return Text(content=await rota.week(ctx))
    if len(args) not in (2, 3):
        return Text(content=msg.DUTY_USAGE)
    day = rota.parse_day(args[0], ctx.today)
    if day is None:
        return Text(content=msg.bad_day(args[0]))
    person = await people.find(ctx.session, args[1])
    if person is None:
        matches = await people.named(ctx.session, args[1])
        return Text(content=msg.ambiguous(args[1], matches) if matches else msg.not_in_roster(args[1]))
    phone = args[2] if len(args) == 3 else None
    if phone is not None and not valid_phone(phone):
        return Text(content=msg.bad_phone(phone))
    created = await duty.put_on_duty(ctx.session, day, person.userid, actor=ctx.userid, now=ctx.now, phone=phone)
    return Text(content=msg.scheduled(created, msg.day_label(day, ctx.today), person.name, phone)
                + await rota.week(ctx))


@router.command("/事件", hidden=True, help=[("/事件", "未处置完毕的事件", SECRETARY),
                                           ("/事件 编号", "某件事件的经过", None)])
async def incidents_command(ctx: Context) -> Replies:
    """``/事件``: the secretary sees every unclosed incident, a grid leader their team's, a reporter their own;
    ``/事件 N``: one incident's whole history, for those entitled."""
    if ctx.args:
        m = NUMBER.match(ctx.args)
        if not m:
            return Text(content=msg.INCIDENT_USAGE)
        return await _one(ctx, int(m["n"]))
    assert ctx.sender is not None
    if ctx.sender.is_secretary:
        items = await duty.incidents_in(ctx.session, duty.UNCLOSED)
    elif ctx.sender.grid_leader:
        items = await duty.incidents_in(ctx.session, duty.UNCLOSED, team=ctx.sender.team)
    elif await duty.reported_by(ctx.session, ctx.userid, limit=1):
        return await followthrough.my_reports(ctx)
    else:
        return Text(content=msg.INCIDENTS_DENIED)
    if not items:
        return Text(content=msg.NO_UNCLOSED_INCIDENTS)
    lines: list[str] = []
    for status, heading in ((IncidentStatus.OPEN, msg.open_incidents), (IncidentStatus.ACKNOWLEDGED, msg.unclosed_heading)):
        group = [it for it in items if it.status == status]
        if group:
            lines.append(heading(len(group)))
        for it in group:
            reporter = await people.name_of(ctx.session, it.requester)
            at = local(it.created_at, ctx.now.tzinfo)  # type: ignore[arg-type]
            lines.append(f"#{it.number} {msg.flag(it.urgent)}{at} {it.team or '-'} {reporter}：{it.title}")
    lines.append(msg.LIST_HINT)
    return Text(content="\n".join(lines))


async def _one(ctx: Context, n: int) -> Replies:
    item = await duty.get_incident(ctx.session, n)
    if item is not None:
        return await followthrough.show(ctx, item)
    if await deeds.get_by_number(ctx.session, n) is not None:
        return Text(content=msg.NOT_AN_INCIDENT.format(n=n))
    return Text(content=msg.incident_not_found(n))


@router.command("/关闭", hidden=True)
async def close_incident(ctx: Context) -> Replies:
    """``/关闭 #N 处置情况`` for an incident (its grid leader or the secretary); a deed's number is 办实事's."""
    m = NUMBER_AND_REST.match(ctx.args)
    if not m:
        return NOT_HANDLED
    item = await duty.get_incident(ctx.session, int(m["n"]))
    if item is None:
        return NOT_HANDLED
    outcome = (m["rest"] or "").strip(" ：:，,")
    if not outcome:
        if not await incidents.may_handle(ctx, item):
            return Text(content=msg.not_yours_to_handle(item.number, item.team))
        return Text(content=msg.need_outcome(item.number))
    return await followthrough.close(ctx, item, outcome)
