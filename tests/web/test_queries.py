"""The workbench's SQL aggregates agree with the storage modules' Python definitions."""

from __future__ import annotations

from sqlalchemy import select

from bot import keys
from bot.web.queries import overview as q
from bot.web.queries.people import coverage, coverage_totals
from storage import reports, teams
from storage.coverage import coverage as reference_coverage
from storage.models import Item, ItemEvent


async def test_overview_figures_match_the_definitions(seeded):
    tz = seeded.settings.tz
    now = seeded.clock().astimezone(tz)
    months = q.months_back(now.date(), 12)
    async with seeded.app[keys.DB].sessions() as session:
        items = (await session.execute(select(Item))).scalars().all()
        events = (await session.execute(select(ItemEvent))).scalars().all()
        counts = await q.item_counts(session, now, tz)
        assert counts.overdue == sum(reports.is_overdue(i, now) for i in items)
        assert counts.active == sum(i.kind == "deed" and i.status != "closed" for i in items)
        ref = await reference_coverage(session, now.date())
        rows, total = await coverage(session, now.date())
        assert [(m.member, m.zone_size, m.visited_30, m.visited_90) for m in rows] == \
            [(m.member, m.zone_size, m.visited_30, m.visited_90) for m in ref.members] and total == len(ref.members)
        assert await coverage_totals(session, now.date()) == (ref.zone_total, ref.visited_30, ref.visited_90)
        sat = await q.satisfaction(session, months, tz)
        for month, value in zip(months, sat):
            inside = [e for e in events if teams.month_start(e.at.astimezone(tz).date()) == month]
            good = sum(e.kind == "confirmed" for e in inside)
            bad = sum(e.kind in ("closed_by_hand", "reopened") for e in inside)
            assert value == (round(100 * good / (good + bad), 1) if good + bad else None), month
        incidents = await q.incidents(session, months, tz)
        assert sum(incidents) == sum(1 for i in items if i.kind == "incident"
                                     and teams.month_start(i.created_at.astimezone(tz).date()) >= months[0])


def test_months_back_crosses_the_year() -> None:
    from datetime import date

    assert q.months_back(date(2026, 2, 10), 4) == [date(2025, 11, 1), date(2025, 12, 1), date(2026, 1, 1),
                                                   date(2026, 2, 1)]
