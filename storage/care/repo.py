"""精密关注 repository: the care ledger (重点关注人群台账), visits, visit tasks, tips.

Every state change is written to the audit log here, so no caller can forget it.
Audit details never carry the summary or the category (health and family details),
only what changed.

Pending tips (a colleague told us about someone else) are stored as a ``CareEntry``
with ``status='proposed'`` and ``source='tip'``: the entry already holds what an accepted
tip needs (person, category, summary, responsible member, tipster in ``created_by``).
Accepting turns it ``active``; declining turns it ``declined``. Only ``active`` entries
are part of the ledger.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage import audit
from storage.care.models import CareEntry, Visit, VisitTask
from storage.deeds.models import Item
from storage.models import Conversation
from storage.people.models import Person

CATEGORIES = ("illness", "hardship", "bereavement", "celebration", "retirement", "emotional", "other")

# Follow-up interval per category, in days (configurable: change here).
INTERVAL_DAYS: dict[str, int] = {
    "illness": 7,
    "hardship": 14,
    "bereavement": 7,
    "celebration": 30,
    "retirement": 30,
    "emotional": 7,
    "other": 14,
}
DEFAULT_INTERVAL = 14
NO_ENTRY_INTERVAL = 30  # next visit after a visit to someone not in the ledger

# Life events get a visit task for the responsible member, due this many days after today.
LIFE_EVENT_DUE_DAYS: dict[str, int] = {"illness": 1, "bereavement": 1, "celebration": 3, "retirement": 3}
TIP_DUE_DAYS: dict[str, int] = {"illness": 1, "bereavement": 1}
TIP_DUE_DEFAULT = 3

LABELS: dict[str, str] = {
    "illness": "住院/疾病",
    "hardship": "生活困难",
    "bereavement": "家中丧事",
    "celebration": "喜事（结婚/生育）",
    "retirement": "退休",
    "emotional": "情绪/心理",
    "other": "其他",
}

ITEM_CLOSED = ("closed",)
NOT_VISITED_DAYS = 30


def label(category: str | None) -> str:
    return LABELS.get(category or "other", LABELS["other"])


def interval_for(category: str | None) -> int:
    return INTERVAL_DAYS.get(category or "other", DEFAULT_INTERVAL)


# --- people -------------------------------------------------------------------


async def responsible_for(session: AsyncSession, userid: str) -> str | None:
    """The person's zone member; failing that, the (first) secretary."""
    person = await session.get(Person, userid)
    if person is not None and person.zone_member:
        return person.zone_member
    secretary = (await session.execute(
        select(Person.userid).where(Person.role == "secretary").order_by(Person.userid).limit(1)
    )).scalar_one_or_none()
    return secretary


async def named(session: AsyncSession, word: str) -> list[Person]:
    """People whose userid or name is ``word`` (userid first)."""
    by_id = await session.get(Person, word)
    if by_id is not None:
        return [by_id]
    rows = await session.execute(select(Person).where(Person.name == word).order_by(Person.userid))
    return list(rows.scalars())


async def names(session: AsyncSession, userids: Sequence[str]) -> dict[str, Person]:
    if not userids:
        return {}
    rows = await session.execute(select(Person).where(Person.userid.in_(set(userids))))
    return {p.userid: p for p in rows.scalars()}


async def has_open_question(session: AsyncSession, userid: str, now: datetime) -> str | None:
    """The kind of the person's unexpired open question, without touching it."""
    row = await session.get(Conversation, userid)
    if row is None or row.expires_at <= now:
        return None
    return row.kind


# --- entries ------------------------------------------------------------------


async def create_entry(session: AsyncSession, now: datetime, *, person: str, category: str, responsible: str,
                       summary: str, source: str, created_by: str, due: date | None = None,
                       status: str = "active", sensitive: bool = True) -> CareEntry:
    """Add a ledger entry (or a proposed one, for a tip). ``due`` wins when it is sooner."""
    category = category if category in CATEGORIES else "other"
    interval = interval_for(category)
    next_follow_up = None
    if status == "active":
        next_follow_up = now.date() + timedelta(days=interval)
        if due is not None and now.date() <= due < next_follow_up:
            next_follow_up = due
    entry = CareEntry(person=person, category=category, responsible=responsible, status=status,
                      sensitive=sensitive, interval_days=interval, next_follow_up=next_follow_up,
                      summary=summary, source=source, created_by=created_by, created_at=now)
    session.add(entry)
    await session.flush()
    action = "proposed" if status == "proposed" else "created"
    await audit.record(session, now, created_by, action, "care_entry", entry.id,
                       f"status={status} source={source} responsible={responsible}")
    return entry


async def get_entry(session: AsyncSession, entry_id: int) -> CareEntry | None:
    return await session.get(CareEntry, entry_id)


async def accept_tip(session: AsyncSession, now: datetime, entry: CareEntry, actor: str) -> CareEntry:
    """A proposed entry joins the ledger."""
    entry.status = "active"
    entry.next_follow_up = now.date() + timedelta(days=entry.interval_days)
    await session.flush()
    await audit.record(session, now, actor, "accepted", "care_entry", entry.id, "status=proposed->active")
    return entry


async def decline_tip(session: AsyncSession, now: datetime, entry: CareEntry, actor: str) -> None:
    entry.status = "declined"
    entry.resolved_at = now
    await session.flush()
    await audit.record(session, now, actor, "declined", "care_entry", entry.id, "status=proposed->declined")


async def resolve_entry(session: AsyncSession, now: datetime, entry: CareEntry, actor: str) -> None:
    entry.status = "resolved"
    entry.resolved_at = now
    await session.flush()
    await audit.record(session, now, actor, "resolved", "care_entry", entry.id, "status=active->resolved")
    for task in await open_tasks(session, person=entry.person):
        if task.entry_id == entry.id:
            await _finish_task(session, now, task, actor, "cancelled")


async def open_tips(session: AsyncSession, responsible: str) -> list[CareEntry]:
    rows = await session.execute(select(CareEntry).where(
        CareEntry.status == "proposed", CareEntry.responsible == responsible).order_by(CareEntry.id))
    return list(rows.scalars())


async def active_entry(session: AsyncSession, person: str) -> CareEntry | None:
    """The person's most recent active entry."""
    rows = await session.execute(select(CareEntry).where(
        CareEntry.person == person, CareEntry.status == "active").order_by(CareEntry.id.desc()).limit(1))
    return rows.scalar_one_or_none()


async def active_entries_of(session: AsyncSession, person: str) -> list[CareEntry]:
    rows = await session.execute(select(CareEntry).where(
        CareEntry.person == person, CareEntry.status == "active").order_by(CareEntry.id))
    return list(rows.scalars())


async def ledger(session: AsyncSession, *, responsible: str | None = None,
                 due_by: date | None = None) -> list[CareEntry]:
    """Active entries (all, or those one member is responsible for), soonest follow-up first."""
    stmt = select(CareEntry).where(CareEntry.status == "active")
    if responsible is not None:
        stmt = stmt.where(CareEntry.responsible == responsible)
    if due_by is not None:
        stmt = stmt.where(CareEntry.next_follow_up.is_not(None), CareEntry.next_follow_up <= due_by)
    rows = await session.execute(stmt.order_by(CareEntry.next_follow_up, CareEntry.id))
    return list(rows.scalars())


async def record_views(session: AsyncSession, now: datetime, viewer: str, entries: Sequence[CareEntry],
                       where: str) -> None:
    """Audit each sensitive entry shown to ``viewer``."""
    for entry in entries:
        if entry.sensitive:
            await audit.record(session, now, viewer, "view", "care_entry", entry.id, f"via={where}")


# --- tasks ----------------------------------------------------------------------


async def add_task(session: AsyncSession, now: datetime, *, person: str, member: str, entry_id: int | None,
                   reason: str, due_date: date, dedupe_key: str | None, actor: str) -> VisitTask | None:
    """A visit someone should make; ``None`` when one with the same ``dedupe_key`` exists."""
    if dedupe_key is not None:
        found = (await session.execute(
            select(VisitTask.id).where(VisitTask.dedupe_key == dedupe_key))).scalar_one_or_none()
        if found is not None:
            return None
    task = VisitTask(person=person, member=member, entry_id=entry_id, reason=reason, due_date=due_date,
                     status="open", created_at=now, dedupe_key=dedupe_key)
    session.add(task)
    await session.flush()
    await audit.record(session, now, actor, "created", "visit_task", task.id, f"member={member} reason={reason}")
    return task


def first_visit_key(entry_id: int) -> str:
    """One first-visit task per entry, whichever path (life event, tip) creates it."""
    return f"care-entry:{entry_id}:first-visit"


async def open_tasks(session: AsyncSession, *, person: str | None = None, member: str | None = None,
                     due_by: date | None = None) -> list[VisitTask]:
    stmt = select(VisitTask).where(VisitTask.status == "open")
    if person is not None:
        stmt = stmt.where(VisitTask.person == person)
    if member is not None:
        stmt = stmt.where(VisitTask.member == member)
    if due_by is not None:
        stmt = stmt.where(VisitTask.due_date <= due_by)
    rows = await session.execute(stmt.order_by(VisitTask.due_date, VisitTask.id))
    return list(rows.scalars())


async def _finish_task(session: AsyncSession, now: datetime, task: VisitTask, actor: str, status: str) -> None:
    task.status = status
    task.done_at = now
    await session.flush()
    await audit.record(session, now, actor, status, "visit_task", task.id, f"status=open->{status}")


# --- visits ---------------------------------------------------------------------


async def record_visit(session: AsyncSession, now: datetime, *, member: str, person: str, visited_on: date,
                       summary: str, next_date: date | None) -> tuple[Visit, CareEntry | None, date]:
    """Store a visit; move the entry's next follow-up; close this member's open tasks for the person.

    ``next_date`` wins when given; otherwise today + the entry's interval (30 days without an entry).
    Returns the visit, the entry it belongs to (if any) and the next follow-up date.
    """
    entry = await active_entry(session, person)
    if next_date is None:
        days = entry.interval_days if entry is not None else NO_ENTRY_INTERVAL
        next_date = now.date() + timedelta(days=days)
    visit = Visit(person=person, member=member, entry_id=entry.id if entry else None, visited_on=visited_on,
                  summary=summary, next_date=next_date, created_at=now)
    session.add(visit)
    await session.flush()
    await audit.record(session, now, member, "visit_recorded", "visit", visit.id,
                       f"entry={entry.id if entry else '-'}")
    if entry is not None:
        entry.next_follow_up = next_date
        await session.flush()
        await audit.record(session, now, member, "follow_up_set", "care_entry", entry.id, f"next={next_date}")
    for task in await open_tasks(session, person=person, member=member):
        await _finish_task(session, now, task, member, "done")
    return visit, entry, next_date


async def last_visits(session: AsyncSession, userids: Sequence[str]) -> dict[str, date]:
    """The latest visit date per person (people never visited are missing)."""
    if not userids:
        return {}
    rows = await session.execute(select(Visit.person, func.max(Visit.visited_on))
                                 .where(Visit.person.in_(set(userids))).group_by(Visit.person))
    return {person: day for person, day in rows.all()}


async def not_visited(session: AsyncSession, userids: Sequence[str], today: date,
                      days: int = NOT_VISITED_DAYS) -> list[str]:
    """Those of ``userids`` not visited in the last ``days`` days."""
    last = await last_visits(session, userids)
    cutoff = today - timedelta(days=days)
    return [u for u in userids if u not in last or last[u] < cutoff]


# --- items (read-only) ---------------------------------------------------------------


async def open_items_owned(session: AsyncSession, owner: str) -> list[Item]:
    """Items (deeds, incidents) assigned to ``owner`` that are not closed."""
    rows = await session.execute(select(Item).where(Item.owner == owner, Item.status.not_in(ITEM_CLOSED))
                                 .order_by(Item.number))
    return list(rows.scalars())
