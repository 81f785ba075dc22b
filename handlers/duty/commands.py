"""Duty slash commands: /值班 (the secretary's rota: view the week, put someone on duty) and /事件
(unacknowledged incidents, for the secretary and the grid leaders)."""

from __future__ import annotations

from bot.dispatcher import NOT_HANDLED, Context, Replies
from bot.format import local
from bot.replies import Text
from handlers.duty import messages as msg
from handlers.duty import rota
from handlers.duty.router import router
from storage import duty, people
from storage.people import Role, valid_phone

SECRETARY = (Role.SECRETARY.value,)


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


@router.command("/事件", hidden=True, help=[("/事件", "未确认的事件", SECRETARY)])
async def incident_list(ctx: Context) -> Replies:
    """Everyone may ask; the secretary sees all open incidents, a grid leader their team's."""
    if ctx.args:
        return NOT_HANDLED  # "/事件 N" is not a command (yet): the help answers it
    assert ctx.sender is not None
    if ctx.sender.is_secretary:
        items = await duty.open_incidents(ctx.session)
    elif ctx.sender.grid_leader:
        items = await duty.open_incidents(ctx.session, team=ctx.sender.team)
    else:
        return Text(content=msg.INCIDENTS_DENIED)
    if not items:
        return Text(content=msg.NO_OPEN_INCIDENTS)
    lines = [msg.open_incidents(len(items))]
    for it in items:
        reporter = await people.name_of(ctx.session, it.requester)
        at = local(it.created_at, ctx.now.tzinfo)  # type: ignore[arg-type]
        lines.append(f"#{it.number} {msg.flag(it.urgent)}{at} {it.team or '-'} {reporter}：{it.title}")
    lines.append(msg.ACK_HINT)
    return Text(content="\n".join(lines))
