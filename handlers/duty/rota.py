"""Who is on duty, as the chat shows it: a day's lines, the coming week, whom to call instead."""

from __future__ import annotations

from datetime import date, timedelta

from bot.dispatcher import Context
from bot.nlu.dates import find_dates
from handlers.duty import messages as msg
from handlers.duty.importer import DAY, written_day
from storage import duty, people
from storage.people import Role

WEEK_DAYS = 7


def parse_day(token: str, today: date) -> date | None:
    """2026-11-25, 2026/11/25, 今天, 明天, 11月28日, 周五 … ; ``None`` if not a date."""
    token = token.strip()
    if DAY.match(token):
        return written_day(token)  # None for 2026-02-30
    hits = find_dates(token, today)
    if len(hits) == 1 and hits[0][0] == 0 and hits[0][1] is not None:
        return hits[0][1]
    return None


async def lines(ctx: Context, day: date) -> list[str]:
    """One line per person on duty on ``day``: name, phone (the rota's, else the roster's), note."""
    out = []
    for e in await duty.on_day(ctx.session, day):
        p = await people.get(ctx.session, e.userid)
        out.append(msg.on_duty(p.name if p else e.userid, e.phone or (p.phone if p else ""), e.note))
    return out


async def week(ctx: Context) -> str:
    out = [f"未来 {WEEK_DAYS} 天值班："]
    for i in range(WEEK_DAYS):
        day = ctx.today + timedelta(days=i)
        names = await lines(ctx, day)
        out.append(f"{msg.day_label(day, ctx.today)}：{'；'.join(names) if names else msg.NOT_ON_DUTY}")
    return "\n".join(out)


async def secretaries_contact(ctx: Context) -> str:
    secs = await people.by_role(ctx.session, Role.SECRETARY)
    return "、".join(msg.secretary_contact(s) for s in secs) if secs else msg.NO_SECRETARY_CONTACT
