"""Handing a leaver's open work over (storage.people.handover), on both databases: every kind of open
work moves with an audit line, what is done stays, another branch is untouched, nobody to take it
leaves it and counts it."""

from __future__ import annotations

from datetime import date, datetime, timezone

from sqlalchemy import select

from storage import assist, deeds
from storage.care import tasks
from storage.care.entries import create_entry
from storage.care.lifecycle import CareSource
from storage.db import create_database
from storage.deeds.routing import set_route
from storage.duty.incidents import create_incident
from storage.models import AuditEntry, CareEntry, Item, Person, Project, Routing, VisitTask
from storage.people import RosterEntry, branches, upsert
from storage.people.handover import hand_over, secretary_of

NOW = datetime(2026, 11, 25, 2, 0, tzinfo=timezone.utc)


async def _branch_with_work(db) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    async with db.session(None) as session, session.begin():
        one = (await branches.ensure(session, "甲", "甲支部", NOW)).id
        two = (await branches.ensure(session, "乙", "乙支部", NOW)).id
        await upsert(session, [RosterEntry("shuji", "书记", "secretary", branch_id=one),
                               RosterEntry("dangyuan", "党员", "member", branch_id=one),
                               RosterEntry("qunzhong", "群众", "employee", zone_member="dangyuan", branch_id=one),
                               RosterEntry("yi", "乙书记", "secretary", branch_id=two)], NOW)
    for branch in (one, two):
        async with db.session(branch) as session, session.begin():
            item = await deeds.create(session, now=NOW, requester="qunzhong", owner="dangyuan", text="食堂没有热饭")
            await deeds.accept(session, item, now=NOW, actor="dangyuan")
            done = await deeds.create(session, now=NOW, requester="qunzhong", owner="dangyuan", text="已经好了")
            await deeds.close_by_hand(session, done, now=NOW, actor="shuji", reason="重复")
            await create_incident(session, reporter="qunzhong", team="", text="漏水", urgent=True, now=NOW,
                                  owner="dangyuan")
            entry = await create_entry(session, NOW, person="qunzhong", category="illness", responsible="dangyuan",
                                       summary="住院", source=CareSource.MEMBER, created_by="dangyuan")
            await tasks.add_task(session, NOW, person="qunzhong", member="dangyuan", entry_id=entry.id, reason="tip",
                                 due_date=date(2026, 12, 1), dedupe_key=f"k{branch}", actor="dangyuan")
            await assist.create(session, now=NOW, actor="shuji", title="班组建设", target_type="team", target="一班",
                                goal="", criteria="", lead="dangyuan", members=[], deadline=None)
            await set_route(session, "canteen", "dangyuan", now=NOW, actor="shuji")
    return one, two


async def test_every_kind_of_open_work_goes_to_the_secretary(database_url: str) -> None:
    db = create_database(database_url)
    try:
        one, two = await _branch_with_work(db)
        async with db.session(None) as session, session.begin():
            secretary = await secretary_of(session, one, besides="dangyuan")
            assert secretary == "shuji" and await secretary_of(session, one, besides="shuji") is None
            done = await hand_over(session, "dangyuan", secretary, NOW, branch=one)
        assert (done.items, done.care, done.tasks, done.routes, done.zone) == ([1, 3], 1, 1, 1, ["群众"])
        assert done.projects == ["帮扶1号「班组建设」"]
        async with db.session(one) as session:
            owners = {i.number: (i.owner, i.status) for i in (await session.execute(select(Item))).scalars()}
            assert owners == {1: ("shuji", "submitted"), 2: ("dangyuan", "closed"), 3: ("shuji", "open")}
            for model, column in ((CareEntry, "responsible"), (VisitTask, "member"), (Project, "lead"), (Routing, "owner")):
                assert {getattr(r, column) for r in (await session.execute(select(model))).scalars()} == {"shuji"}
            assert (await session.get(Person, "qunzhong")).zone_member is None  # type: ignore[union-attr]
            actions = {a.action for a in (await session.execute(select(AuditEntry).where(AuditEntry.actor == "directory"))).scalars()}
            assert actions == {"item_assigned", "hand_over", "zone_member"}
        async with db.session(two) as session:  # the other branch's records are not touched
            assert {i.owner for i in (await session.execute(select(Item))).scalars()} == {"dangyuan"}
    finally:
        await db.dispose()


async def test_with_nobody_to_take_it_the_work_stays_and_is_counted(database_url: str) -> None:
    db = create_database(database_url)
    try:
        one, _ = await _branch_with_work(db)
        async with db.session(None) as session, session.begin():
            done = await hand_over(session, "dangyuan", None, NOW, branch=one)
        assert done.work and done.items == [1, 3] and done.care == 1
        async with db.session(one) as session:
            assert {i.owner for i in (await session.execute(select(Item))).scalars()} == {"dangyuan"}
            assert {r.owner for r in (await session.execute(select(Routing))).scalars()} == {"dangyuan"}
    finally:
        await db.dispose()
