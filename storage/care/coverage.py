"""Responsibility-zone coverage: who is in whose zone, and who was visited lately."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.care.visits import last_visits
from storage.people.models import Person


@dataclass(frozen=True)
class MemberCoverage:
    member: str
    name: str
    zone_size: int
    visited_30: int
    visited_90: int

    @property
    def pct_30(self) -> float:
        return self.visited_30 / self.zone_size if self.zone_size else 0.0

    @property
    def pct_90(self) -> float:
        return self.visited_90 / self.zone_size if self.zone_size else 0.0


@dataclass(frozen=True)
class Coverage:
    members: list[MemberCoverage]
    unassigned: list[tuple[str, str]]  # (userid, name) in nobody's zone

    @property
    def zone_total(self) -> int:
        return sum(m.zone_size for m in self.members)

    @property
    def visited_30(self) -> int:
        return sum(m.visited_30 for m in self.members)

    @property
    def visited_90(self) -> int:
        return sum(m.visited_90 for m in self.members)


async def coverage(session: AsyncSession, today: date, *, member: str | None = None) -> Coverage:
    """Coverage per member as of ``today`` (visits on or after today-30 / today-90 count)."""
    people = list((await session.execute(select(Person))).scalars())
    last = await last_visits(session)
    zones: dict[str, list[str]] = {}
    for p in people:
        if p.zone_member:
            zones.setdefault(p.zone_member, []).append(p.userid)
    rows = []
    for m in sorted((p for p in people if p.role in ("member", "secretary")), key=lambda p: p.userid):
        if member and m.userid != member:
            continue
        zone = zones.get(m.userid, [])
        if not zone and m.role == "secretary":
            continue
        v30 = sum(1 for u in zone if last.get(u) and last[u] >= today - timedelta(days=30))
        v90 = sum(1 for u in zone if last.get(u) and last[u] >= today - timedelta(days=90))
        rows.append(MemberCoverage(m.userid, m.name, len(zone), v30, v90))
    unassigned = sorted((p.userid, p.name) for p in people if not p.zone_member and p.role != "secretary")
    return Coverage(rows, unassigned if member is None else [])
