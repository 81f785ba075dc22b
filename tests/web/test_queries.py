"""The workbench's SQL aggregates agree with the Python definitions they count in one query."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from bot import keys
from storage import deeds, teams
from storage.care import coverage as cov
from storage.deeds import queries as q
from storage.models import Item, ItemEvent, Person, Visit
from storage.months import months_back


async def test_overview_figures_match_the_definitions(seeded):
    tz = seeded.settings.tz
    now = seeded.clock().astimezone(tz)
    months = months_back(now.date(), 12)
    async with seeded.app[keys.DB].session(1) as session:
        items = (await session.execute(select(Item))).scalars().all()
        events = (await session.execute(select(ItemEvent))).scalars().all()
        counts = await q.item_counts(session, now, tz)
        assert counts.overdue == sum(deeds.is_overdue(i, now) for i in items)
        assert counts.active == sum(i.kind == "deed" and i.status != "closed" for i in items)
        sat = await q.satisfaction_by_month(session, months, tz)
        for month, value in zip(months, sat):
            inside = [e for e in events if teams.month_start(e.at.astimezone(tz).date()) == month]
            good = sum(e.kind == "confirmed" for e in inside)
            bad = sum(e.kind in ("closed_by_hand", "reopened") for e in inside)
            assert value == (round(100 * good / (good + bad), 1) if good + bad else None), month
        incidents = await q.incidents_by_month(session, months, tz)
        assert sum(incidents) == sum(1 for i in items if i.kind == "incident"
                                     and teams.month_start(i.created_at.astimezone(tz).date()) >= months[0])


async def test_coverage_counts_each_zone_as_the_chat_describes_it(seeded):
    today = seeded.clock().astimezone(seeded.settings.tz).date()
    async with seeded.app[keys.DB].session(1) as session:
        everyone = (await session.execute(select(Person))).scalars().all()
        visits = (await session.execute(select(Visit))).scalars().all()
        found = await cov.coverage(session, today)
        page = await cov.members(session, today, limit=2, offset=1)
    last: dict[str, date] = {}
    for v in visits:
        last[v.person] = max(last.get(v.person, v.visited_on), v.visited_on)
    expected = []
    for m in sorted((p for p in everyone if p.role in ("member", "secretary")), key=lambda p: p.userid):
        zone = [p.userid for p in everyone if p.zone_member == m.userid]
        if not zone and m.role == "secretary":
            continue
        seen = [u for u in zone if u in last]
        expected.append((m.userid, len(zone), sum(last[u] >= today - timedelta(days=30) for u in seen),
                         sum(last[u] >= today - timedelta(days=90) for u in seen)))
    assert [(m.member, m.zone_size, m.visited_30, m.visited_90) for m in found.members] == expected
    assert found.unassigned == sorted((p.userid, p.name) for p in everyone if not p.zone_member
                                      and p.role != "secretary")
    assert page.total == len(expected) and [m.member for m in page.rows] == [e[0] for e in expected[1:3]]


def test_months_back_crosses_the_year() -> None:
    assert months_back(date(2026, 2, 10), 4) == [date(2025, 11, 1), date(2025, 12, 1), date(2026, 1, 1),
                                                 date(2026, 2, 1)]
