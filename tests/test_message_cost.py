"""What one processed message costs in SQL statements, on a small org: a regression test, not a timing.

The per-message path reads the row, its sender, the roster's version, the open question, whether anything
waits for them and their open items (the parse's) in one statement (``storage.inbox.claim_next``); the replies
go in one INSERT. The bounds
below are what each kind costs now on PostgreSQL (SQLite marks the row done in a statement of its own: +1).
The parser's names follow roster changes by reading only the people that changed.
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timezone
from typing import Any

import pytest
from sqlalchemy import event

from bot import keys
from storage import people
from tests.conftest import Bot

# kind -> (sender, text, statements at most on PostgreSQL)
MESSAGES = {
    "chat": ("sunpeng", "你好", 3),  # lock, claim (open items read along), reply
    "help": ("sunpeng", "/帮助", 3),  # a command: no open items looked up for the parse
    "report": ("lixuemei", "三楼卫生间水龙头漏水好几天了", 5),  # asks which category: a question opens
    "mine": ("liuzhiyong", "/我的", 8),  # the member's care ledger read once
    "items": ("wanghaiyan", "/待办", 5),
    "visit": ("liuzhiyong", "今天看望了孙鹏，聊了聊家里情况，一切都好", 17),  # the visit, its tasks, their audit
}


class Statements:
    """Counts the statements the engine sends while it is on."""

    def __init__(self, bot: Bot) -> None:
        self.n = 0
        self.sql: list[str] = []
        event.listen(bot.app[keys.DB].engine.sync_engine, "before_cursor_execute", self._count)

    def _count(self, _conn: Any, _cursor: Any, statement: str, *_a: Any) -> None:
        self.n += 1
        self.sql.append(" ".join(statement.split()))


async def processed(bot: Bot, counter: Statements, user: str, text: str) -> int:
    """Store ``text`` from ``user`` (not processed: the processor is held), then process it alone: its statements."""
    processor = bot.app[keys.PROCESSOR]
    processor.active = False
    try:
        assert await bot.say(user, text) == 200
        counter.n, counter.sql[:] = 0, []
        assert await processor.process_next(user) is not None
        return counter.n
    finally:
        processor.active = True


@pytest.mark.both_databases
async def test_each_kind_of_message_costs_a_bounded_number_of_statements(bot: Bot, db_kind: str) -> None:
    counter = Statements(bot)
    extra = 0 if db_kind == "postgresql" else 1  # SQLite: no UPDATE … RETURNING in a CTE
    for kind, (user, text, most) in MESSAGES.items():
        await processed(bot, counter, user, text)  # the first time may open or close a question
        await bot.flush()
        n = await processed(bot, counter, user, text)
        assert n <= most + extra, (kind, n, counter.sql)
        await bot.flush()


@pytest.mark.both_databases
async def test_a_renamed_person_reaches_the_parser_with_one_more_read(bot: Bot, clock: Any) -> None:
    counter = Statements(bot)
    services = bot.app[keys.SERVICES]
    await processed(bot, counter, "liuzhiyong", "你好")
    size = services.parser.roster_size
    async with bot.app[keys.DB].sessions() as session, session.begin():
        old = await people.get(session, "sunpeng")
        assert old is not None
        await people.upsert(session, [people.RosterEntry(**{**old.__dict__, "name": "孙大鹏"})], clock())
    await processed(bot, counter, "liuzhiyong", "今天看望了孙大鹏，一切都好")
    # one read of who changed since the parser's version, and no read of the whole roster
    assert sum("people.roster_version >" in s for s in counter.sql) == 1, counter.sql
    assert not [s for s in counter.sql if " FROM people" in s and " WHERE " not in s], counter.sql
    assert services.parser.roster_size == size
    parse = services.parser.parse("孙大鹏说食堂太咸", sender="liuzhiyong", today=clock().date())
    assert parse.persons == ("sunpeng",)
    assert services.parser.parse("孙鹏说食堂太咸", sender="liuzhiyong", today=clock().date()).persons == ()


async def test_a_large_roster_change_is_applied_in_the_background(bot: Bot, clock: Any) -> None:
    services = bot.app[keys.SERVICES]
    await bot.chat("liuzhiyong", "你好")  # the sample roster, imported after start-up, reaches the parser
    size = services.parser.roster_size
    assert size == 15
    names = [f"{s}{g}" for s in "赵钱孙李周吴郑王冯陈" for g in ("一鸣", "二虎", "三强", "四海", "五岳", "六顺", "七星",
                                                             "八方", "九州", "十全", "百川", "千里", "万山", "红旗",
                                                             "建设", "援朝", "卫东", "向阳", "东升", "立新", "光明",
                                                             "胜利", "国庆", "秋菊", "春梅", "夏荷", "冬雪", "晓燕",
                                                             "海波", "志刚")]
    async with bot.app[keys.DB].sessions() as session, session.begin():
        await people.upsert(session, [people.RosterEntry(f"new{i:03d}", name, "employee", "检修班", branch_id=1)
                                      for i, name in enumerate(names)], datetime.now(timezone.utc))
    assert len(names) == 300
    await bot.chat("liuzhiyong", "你好")  # sees the new version: too many to apply in the message
    task = services._sync
    assert task is not None
    await asyncio.wait_for(task, 30)
    assert services.parser.roster_size == size + 300
    assert services.parser.parse("赵一鸣说食堂太咸", sender="liuzhiyong", today=clock().date()).persons == ("new000",)


@pytest.mark.both_databases
async def test_a_name_is_read_once_per_roster_version(bot: Bot, clock: Any) -> None:
    """``people.name_of`` notes what it read as of the roster's version read with the sender: the next
    transaction at that version asks the database nothing; a rename moves the version, and the new name is read."""
    from storage.scope import set_branch

    counter = Statements(bot)
    db = bot.app[keys.DB]

    async def name_seen_by_sunpeng() -> tuple[str, int]:
        async with db.sessions() as session, session.begin():
            sender = await people.get(session, "sunpeng")  # reads the roster's version along with the sender
            assert sender is not None
            set_branch(session, sender.branch_id)
            counter.n = 0
            return await people.name_of(session, "liuzhiyong"), counter.n

    first, reads = await name_seen_by_sunpeng()
    assert reads == 1
    assert await name_seen_by_sunpeng() == (first, 0)
    async with db.sessions() as session, session.begin():
        old = await people.get(session, "liuzhiyong")
        assert old is not None
        await people.upsert(session, [people.RosterEntry(**{**old.__dict__, "name": "刘大勇"})], clock())
    assert await name_seen_by_sunpeng() == ("刘大勇", 1)
    assert await name_seen_by_sunpeng() == ("刘大勇", 0)
    async with db.sessions() as session, session.begin():  # another branch's session does not see them
        sender = await people.get(session, "sunpeng")
        assert sender is not None
        set_branch(session, sender.branch_id + 1000)
        assert await people.name_of(session, "liuzhiyong") == "liuzhiyong"


@pytest.mark.both_databases
async def test_open_items_read_with_the_row_are_what_their_own_query_counts(bot: Bot, clock: Any) -> None:
    """The parse's open-item count comes with the claimed row (``storage.inbox.claim_next``): the same count as
    ``storage.deeds.open_count`` asks for, and only once (a later count in the transaction asks again)."""
    from storage import deeds, inbox
    from storage.scope import set_branch

    db = bot.app[keys.DB]
    async with db.sessions() as session, session.begin():
        sender = await people.get(session, "lixuemei")
        assert sender is not None
        set_branch(session, sender.branch_id)
        for requester, owner in (("lixuemei", "liuzhiyong"), ("lixuemei", "liuzhiyong"), ("sunpeng", "lixuemei")):
            await deeds.create(session, now=clock(), requester=requester, owner=owner, text="三楼卫生间水龙头漏水")
    processor = bot.app[keys.PROCESSOR]
    processor.active = False
    try:
        assert await bot.say("lixuemei", "你好") == 200
        async with db.sessions() as session, session.begin():
            await inbox.lock_person(session, "lixuemei")
            claimed = await inbox.claim_next(session, "lixuemei", clock())
            assert claimed is not None and claimed.person is not None
            set_branch(session, claimed.person.branch_id)
            counter = Statements(bot)
            read_along = await deeds.open_count(session, "lixuemei")
            assert counter.n == 0
            asked = await deeds.open_count(session, "lixuemei")
            assert counter.n == 1
            assert read_along == asked >= 3
            await session.rollback()
    finally:
        processor.active = True
