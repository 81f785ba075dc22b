"""The workbench's 值班: the month's duty calendar for everyone; the secretary puts people on duty or
takes them off (as ``/值班``)."""

from __future__ import annotations

import calendar
from datetime import date, timedelta
from typing import Any

from aiohttp import web

from bot.web import permissions as perm
from bot.web.core import Ctx, add_nav, page, redirect, url
from bot.web.params import BadFilter, Query
from bot.web.tables import Table, listed, respond
from bot.web.workbook import Column
from storage import duty, people
from storage.months import month_start, next_month, previous_month
from storage.paging import Page
from storage.people import RosterEntry, valid_phone
from storage.workdays import is_working_day

WEEKDAYS = "一二三四五六日"
COLUMNS = (Column("日期", "date"), Column("星期", width=6), Column("值班人", width=10), Column("电话", width=14),
           Column("备注", "wrap", 30))
EDITS = "排班只有支部书记可以操作。"


def _month(ctx: Ctx) -> date:
    return ctx.q.month("month") or month_start(ctx.today)


def duty_table(ctx: Ctx, first: date) -> Table:
    last = next_month(first) - timedelta(days=1)

    async def fetch(limit: int | None, offset: int) -> Page[Any]:
        rows = await duty.between(ctx.session, first, last)
        names = await people.names(ctx.session, [r.userid for r in rows])
        return listed([[r.day, f"周{WEEKDAYS[r.day.weekday()]}", names.get(r.userid, r.userid), r.phone, r.note]
                       for r in rows], limit, offset)
    return Table("duty", f"{first.year}年{first.month}月值班表", COLUMNS, fetch, paged=False)


@page(perm.anyone)
async def month_view(ctx: Ctx) -> web.StreamResponse:
    first = _month(ctx)
    rows = await duty.between(ctx.session, first, next_month(first) - timedelta(days=1))
    names = await people.names(ctx.session, [r.userid for r in rows])
    by_day: dict[date, list[Any]] = {}
    for r in rows:
        by_day.setdefault(r.day, []).append((names.get(r.userid, r.userid), r.phone, r.userid, r.note))
    weeks = calendar.Calendar(firstweekday=0).monthdatescalendar(first.year, first.month)
    cells = [[(d, d.month == first.month, is_working_day(d), by_day.get(d, [])) for d in week] for week in weeks]
    roster = await people.staff(ctx.session) if ctx.viewer.secretary else []
    return await respond(ctx, "duty/month.html", [duty_table(ctx, first)], title=f"{first.year}年{first.month}月值班",
                         weeks=cells, weekdays=WEEKDAYS, today=ctx.today, roster=roster, edit=ctx.viewer.secretary,
                         month=first, prev=url("duty", month=f"{previous_month(first):%Y-%m}"),
                         next=url("duty", month=f"{next_month(first):%Y-%m}"))


async def _form(ctx: Ctx) -> tuple[date, RosterEntry, Query]:
    form = Query(await ctx.request.post())  # type: ignore[arg-type]
    day = form.day("day")
    account = form.text("userid")
    if day is None or account is None:
        raise BadFilter("请填写日期和值班人。")
    person = await people.find(ctx.session, account)
    if person is None:
        raise BadFilter(f"名册中没有“{account}”（同名的请写账号）。")
    return day, person, form


@page(perm.secretary, EDITS)
async def put_on_duty(ctx: Ctx) -> web.StreamResponse:
    day, person, form = await _form(ctx)
    phone, note = form.text("phone", 20), form.text("note", 128)
    if phone is not None and not valid_phone(phone):
        await ctx.notice(f"⚠ 电话“{phone}”格式不对，没有保存。")
        return redirect(url("duty", month=f"{day:%Y-%m}"))
    created = await duty.put_on_duty(ctx.session, day, person.userid, actor=ctx.userid, now=ctx.now, phone=phone,
                                     note=note)
    await ctx.notice(f"{'已排班' if created else '已更新'}：{day:%m月%d日} {person.name}")
    return redirect(url("duty", month=f"{day:%Y-%m}"))


@page(perm.secretary, EDITS)
async def take_off_duty(ctx: Ctx) -> web.StreamResponse:
    day, person, _ = await _form(ctx)
    if await duty.take_off_duty(ctx.session, day, person.userid, actor=ctx.userid, now=ctx.now):
        await ctx.notice(f"已取消 {day:%m月%d日} {person.name} 的值班。")
    return redirect(url("duty", month=f"{day:%Y-%m}"))


def setup(app: web.Application) -> None:
    app.router.add_get("/duty", month_view)
    app.router.add_post("/duty", put_on_duty)
    app.router.add_post("/duty/remove", take_off_duty)
    add_nav(app, "值班", "duty", perm.anyone, order=40)
