"""值班: the month's duty calendar for everyone; the secretary puts people on duty or takes them off."""

from __future__ import annotations

import calendar
import re
from datetime import date, timedelta
from typing import Any

from aiohttp import web

from bot.web import permissions as perm
from bot.web.core import Ctx, add_nav, page, redirect, url
from bot.web.params import BadFilter, Query
from bot.web.queries import duty as q
from bot.web.queries.deeds import next_month
from bot.web.queries.people import find, names_for, staff
from bot.web.tables import Table, respond
from bot.web.workbook import Column
from schedules.workdays import is_working_day
from storage import audit, duty
from storage.models import Person

PHONE = re.compile(r"^[0-9+\- ]{3,20}$")  # as the chat's /值班 accepts
WEEKDAYS = "一二三四五六日"
COLUMNS = (Column("日期", "date"), Column("星期", width=6), Column("值班人", width=10), Column("电话", width=14),
           Column("备注", "wrap", 30))


def _month(ctx: Ctx) -> date:
    return ctx.q.month("month") or date(ctx.today.year, ctx.today.month, 1)


def duty_table(ctx: Ctx, first: date) -> Table:
    last = next_month(first) - timedelta(days=1)

    async def fetch(limit: int | None, offset: int) -> tuple[list[Any], int]:
        rows = await duty.between(ctx.session, first, last)
        names = await names_for(ctx.session, [r.userid for r in rows])
        out = [[r.day, f"周{WEEKDAYS[r.day.weekday()]}", names.get(r.userid, r.userid), r.phone, r.note] for r in rows]
        return out[offset: None if limit is None else offset + limit], len(out)
    return Table("duty", f"{first.year}年{first.month}月值班表", COLUMNS, fetch, paged=False)


@page(perm.anyone)
async def month_view(ctx: Ctx) -> web.StreamResponse:
    first = _month(ctx)
    last = next_month(first) - timedelta(days=1)
    rows = await duty.between(ctx.session, first, last)
    names = await names_for(ctx.session, [r.userid for r in rows])
    by_day: dict[date, list[Any]] = {}
    for r in rows:
        by_day.setdefault(r.day, []).append((names.get(r.userid, r.userid), r.phone, r.userid, r.note))
    weeks = calendar.Calendar(firstweekday=0).monthdatescalendar(first.year, first.month)
    cells = [[(d, d.month == first.month, is_working_day(d), by_day.get(d, [])) for d in week] for week in weeks]
    roster = await staff(ctx.session) if ctx.viewer.secretary else []
    prev = date(first.year - (first.month == 1), (first.month - 2) % 12 + 1, 1)
    return await respond(ctx, "duty/month.html", [duty_table(ctx, first)], title=f"{first.year}年{first.month}月值班",
                         weeks=cells, weekdays=WEEKDAYS, today=ctx.today, roster=roster, edit=ctx.viewer.secretary,
                         month=first,
                         prev=url("duty", month=f"{prev:%Y-%m}"), next=url("duty", month=f"{next_month(first):%Y-%m}"))


async def _form(ctx: Ctx) -> tuple[date, Person, Query]:
    form = Query(await ctx.request.post())  # type: ignore[arg-type]
    day = form.day("day")
    account = form.text("userid")
    if day is None or account is None:
        raise BadFilter("请填写日期和值班人。")
    person = await find(ctx.session, account)
    if person is None:
        raise BadFilter(f"名册中没有“{account}”（同名的请写账号）。")
    return day, person, form


@page(perm.secretary, "排班只有支部书记可以操作。")
async def put_on_duty(ctx: Ctx) -> web.StreamResponse:
    day, person, form = await _form(ctx)
    phone, note = form.text("phone", 20), form.text("note", 128)
    if phone is not None and not PHONE.match(phone):
        await ctx.notice(f"⚠ 电话“{phone}”格式不对，没有保存。")
        return redirect(url("duty", month=f"{day:%Y-%m}"))
    created = await duty.upsert(ctx.session, day, person.userid, phone=phone, note=note)
    await audit.record(ctx.session, ctx.now, ctx.viewer.userid, "create" if created else "update", "duty",
                       f"{day.isoformat()}:{person.userid}", "phone" if phone else "")
    await ctx.notice(f"{'已排班' if created else '已更新'}：{day:%m月%d日} {person.name}")
    return redirect(url("duty", month=f"{day:%Y-%m}"))


@page(perm.secretary, "排班只有支部书记可以操作。")
async def take_off_duty(ctx: Ctx) -> web.StreamResponse:
    day, person, _ = await _form(ctx)
    if await q.remove(ctx.session, day, person.userid):
        await audit.record(ctx.session, ctx.now, ctx.viewer.userid, "delete", "duty", f"{day.isoformat()}:{person.userid}")
        await ctx.notice(f"已取消 {day:%m月%d日} {person.name} 的值班。")
    return redirect(url("duty", month=f"{day:%Y-%m}"))


def setup(app: web.Application) -> None:
    app.router.add_get("/duty", month_view)
    app.router.add_post("/duty", put_on_duty)
    app.router.add_post("/duty/remove", take_off_duty)
    add_nav(app, "值班", "duty", perm.anyone, order=40)
