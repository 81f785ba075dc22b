"""Pushes people are glad to get: one message per push, cards updated in place, coalescing, quiet hours."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date, timezone
from pathlib import Path

import pytest
from sqlalchemy import delete, select

from bot import keys
from bot.fakecards import cards_of
from schedules import pushes
from schedules.config import ScheduleConfig
from storage.db import Database
from storage.models import Item, Nudge, OutboxRow
from tests.conftest import Bot
from tests.test_schedules import TZ, add, at, db, entry, item, run_due

__all__ = ["db"]  # the fixture, shared with tests/test_schedules.py


async def _rows(bot: Bot, user: str) -> list[OutboxRow]:
    async with bot.app[keys.DB].sessions() as session:
        return list((await session.execute(select(OutboxRow).where(OutboxRow.recipient == user)
                                           .order_by(OutboxRow.id))).scalars())


# --- one message per push ---------------------------------------------------------------------------


async def test_a_card_goes_alone_and_its_text_only_if_wecom_refuses_it(bot: Bot) -> None:
    await bot.chat("sunpeng", "食堂晚班没有热饭，希望能解决")
    assert [m["msgtype"] for m in bot.fake.to("liuzhiyong")] == ["template_card"]
    assert all("fallback" not in m for m in bot.fake.sent)  # the text fallback never reaches WeCom with the card

    cards_of(bot.fake).refuse_next()  # WeCom refuses the next card (e.g. a client that cannot take it)
    await bot.chat("sunpeng", "宿舍热水器坏了好几天了")
    got = bot.fake.to("liuzhiyong")
    assert [m["msgtype"] for m in got] == ["template_card", "text"]
    assert "接单 #2" in got[-1]["text"]["content"]
    refused, fallback = (await _rows(bot, "liuzhiyong"))[-2:]
    assert (refused.status, refused.error_code, fallback.dedupe_key) == ("failed", 40058, f"fallback:{refused.id}")


# --- cards updated in place -----------------------------------------------------------------------


async def test_a_pressed_card_shows_what_it_did_and_cannot_be_pressed_again(bot: Bot) -> None:
    await bot.chat("sunpeng", "食堂晚班没有热饭，希望能解决")
    answer = await bot.click("liuzhiyong", "deed:accept:1")
    assert len(answer) == 1 and "#1" in answer[0]
    cards = cards_of(bot.fake)
    assert cards.replaced("liuzhiyong") == ["已接单 · 11-25 09:40"]
    [update] = cards.updates
    assert update["response_code"].startswith("rc") and update["userids"] == ["liuzhiyong"]
    # the answer went first, then the update
    rows = await _rows(bot, "liuzhiyong")
    assert [r.msg_type for r in rows][-2:] == ["text", "update_template_card"]
    assert all(r.status == "sent" for r in rows)

    # the same button again (an older copy of the card): already handled, explained, shown stale
    again = await bot.click("liuzhiyong", "deed:accept:1")
    assert len(again) == 1 and "#1" in again[0]
    assert cards.replaced("liuzhiyong")[-1].startswith("已失效 · ")
    # the incident alert: whoever was second is told who was first, and their card shows it is stale
    await bot.chat("sunpeng", "检修班配电室着火了，快来人")
    await bot.click("liuzhiyong", "incident:ack:2")
    late = await bot.click("wanghaiyan", "incident:ack:2")
    assert "确认过了" in late[0] and cards.replaced("liuzhiyong")[-1].startswith("已确认收到 · ")
    assert cards.replaced("wanghaiyan") == ["已失效 · 11-25 09:40"]
    n = len(cards.updates)

    # pressing 查看 changes nothing: the card stays as it is
    await bot.click("liuzhiyong", "deed:view:1")
    assert len(cards.updates) == n

    # an old button of another version: a short explanation, the card shows it is stale
    stale = await bot.click("liuzhiyong", "deed:frobnicate:1")
    assert len(stale) == 1 and "失效" in stale[0]
    assert cards.replaced("liuzhiyong")[-1] == "已失效 · 11-25 09:40"
    assert json.loads((await _rows(bot, "liuzhiyong"))[-1].body)["button"]["replace_name"].startswith("已失效")


# --- coalescing -----------------------------------------------------------------------------------


async def _outbox(db: Database, user: str) -> list[OutboxRow]:
    async with db.sessions() as session:
        return list((await session.execute(select(OutboxRow).where(OutboxRow.recipient == user)
                                           .order_by(OutboxRow.id))).scalars())


def _content(row: OutboxRow) -> str:
    body = json.loads(row.body)
    return str(body[body["msgtype"]]["content"])


async def test_forty_due_reminders_for_one_member_are_one_message(db: Database) -> None:
    await add(db, *[entry(p, "liuzhiyong", date(2026, 11, 25)) for p in ["sunpeng", "wutao"] * 20])
    swept = await run_due(db, at(2026, 11, 25, 9, 13))
    assert sum(1 for s in swept if s.recipient == "liuzhiyong") == 41  # 40 follow-ups and the morning list
    [row] = await _outbox(db, "liuzhiyong")
    text = _content(row)
    assert text.startswith("今天有 41 件事需要您：\n· 回访提醒：今天应回访")
    assert "……还有" in text and "发“/待办”查看全部。" in text and len(text.encode()) <= 2048
    [push] = [p for p in swept.pushes if p.recipient == "liuzhiyong"]
    assert (push.label, len(push.carried), push.urgent) == ("合并提醒", 41, False)
    assert await run_due(db, at(2026, 11, 25, 9, 23)) == []  # all 41 recorded as sent


async def test_the_secretarys_escalations_become_one_list(db: Database) -> None:
    created = at(2026, 11, 19, 9, 0).astimezone(timezone.utc)  # a week ago, never answered
    await add(db, *[item(n, "submitted", created) for n in range(1, 13)])
    await add(db, *[Item(number=100 + n, kind="incident", category="other", requester="sunpeng", owner="",
                         team="运行一班", title=f"事件{n}", text="着火", status="open", urgent=True,
                         created_at=created, updated_at=created) for n in range(1, 4)])
    swept = await run_due(db, at(2026, 11, 25, 9, 13))
    rows = await _outbox(db, "wanghaiyan")
    urgent, listed = [_content(r) for r in rows]
    assert urgent.startswith("紧急：有 3 件事需要您马上处理：") and urgent.count("事件 #") == 3
    # the twelve escalations as one list, then her own morning list
    assert listed.startswith("今天有 13 件事需要您：\n【需要您关注】\n· 超时未响应：#1 事项1")
    assert listed.count("超时未响应") == 12 and "【您的待办】\n王海燕，早上好！" in listed
    assert [p.urgent for p in swept.pushes if p.recipient == "wanghaiyan"] == [True, False]
    first, second = rows
    assert first.next_attempt_at <= second.next_attempt_at  # incidents at once, the list with jitter
    assert len(await _outbox(db, "liuzhiyong")) == 1  # the owner's 24 reminders: one message too


async def test_no_one_gets_more_than_the_daily_cap(db: Database) -> None:
    config = ScheduleConfig(daily_pushes=2)
    for i, hour in enumerate((9, 11, 14)):
        await add(db, entry(f"p{i}", "liuzhiyong", date(2026, 11, 25)))
        await run_due(db, at(2026, 11, 25, hour, 3), config=config)
    assert len(await _outbox(db, "liuzhiyong")) == 2  # the third waits for tomorrow
    await run_due(db, at(2026, 11, 26, 9, 3), config=config)
    rows = await _outbox(db, "liuzhiyong")
    assert len(rows) == 3 and "p2" in _content(rows[-1])


async def test_a_survey_reminder_alone_waits_for_the_morning_list(db: Database) -> None:
    from storage.models import Survey, SurveyRecipient
    opened = at(2026, 11, 20, 10, 0).astimezone(timezone.utc)
    await add(db, Survey(id=1, number=1, title="食堂意见", status="open", created_by="wanghaiyan",
                         created_at=opened, opened_at=opened))
    await add(db, SurveyRecipient(survey_id=1, userid="hefang", status="pending"))
    assert [s for s in await run_due(db, at(2026, 11, 25, 14, 3)) if s.recipient == "hefang"] == []  # it waits
    swept = await run_due(db, at(2026, 11, 26, 8, 13))
    assert [s.kind for s in swept if s.recipient == "hefang"] == ["survey_remind"]


# --- quiet hours ----------------------------------------------------------------------------------


async def test_a_training_announced_at_night_reaches_people_in_the_morning_once(bot: Bot) -> None:
    from datetime import datetime

    from tests.test_talent import NEW_TRAINING, _with_lecturer

    await _with_lecturer(bot)
    bot.clock.now = datetime(2026, 11, 26, 4, 33, tzinfo=TZ).astimezone(timezone.utc)  # Thursday 04:33
    out = await bot.chat("wanghaiyan", NEW_TRAINING)
    assert "已发布培训1" in out[0] and "已通知 14 人" in out[0]  # the secretary is answered at once
    before = len(bot.fake.sent)
    night = [r for r in await _all_rows(bot) if r.created_at >= bot.clock.now and r.recipient != "wanghaiyan"]
    invited = {r.recipient for r in night}
    cards = [r.recipient for r in night if r.msg_type == "template_card"]
    assert len(invited) == 14 and sorted(cards) == sorted(set(cards)) and len(bot.fake.sent) == before  # none yet
    local = [r.next_attempt_at.astimezone(TZ) for r in night]
    assert all(datetime(2026, 11, 26, 8, 1, tzinfo=TZ) <= t <= datetime(2026, 11, 26, 8, 12, tzinfo=TZ) for t in local)
    assert len(set(local)) > 1  # jittered, not all at one instant

    async with bot.app[keys.DB].sessions() as session:  # each counts against its recipient's daily cap
        from schedules.pushes import pushes_today
        today = await pushes_today(session, datetime(2026, 11, 26, 9, 0, tzinfo=TZ))
    assert all(today[u][0] >= 1 for u in invited) and "wanghaiyan" not in today

    bot.clock.now = datetime(2026, 11, 26, 8, 15, tzinfo=TZ).astimezone(timezone.utc)
    await bot.flush()
    bot.clock.advance(hours=1)
    await bot.flush()
    assert sorted(m["touser"] for m in bot.fake.sent[before:]) == sorted(r.recipient for r in night)  # each once


async def test_someone_who_writes_at_night_gets_the_answer_and_what_waited_for_them(bot: Bot) -> None:
    from datetime import datetime

    from tests.test_talent import NEW_TRAINING, _with_lecturer

    await _with_lecturer(bot)
    bot.clock.now = datetime(2026, 11, 26, 4, 33, tzinfo=TZ).astimezone(timezone.utc)
    await bot.chat("wanghaiyan", NEW_TRAINING)
    assert not [m for m in bot.fake.to("sunpeng") if m["msgtype"] == "template_card"]  # held to the morning
    bot.clock.advance(minutes=30)
    answer = await bot.chat("sunpeng", "/我的")  # awake: not held behind the announcement
    assert answer and [m["msgtype"] for m in bot.fake.to("sunpeng")][-2:][0] == "template_card"


async def test_an_urgent_report_at_night_still_goes_at_once(bot: Bot) -> None:
    from datetime import datetime

    bot.clock.now = datetime(2026, 11, 26, 3, 10, tzinfo=TZ).astimezone(timezone.utc)
    await bot.chat("sunpeng", "检修班配电室着火了，快来人")
    assert [m["msgtype"] for m in bot.fake.to("liuzhiyong")] == ["template_card"]  # the incident alert


async def test_an_item_sent_at_night_is_due_after_the_morning_not_at_night(db: Database) -> None:
    from datetime import datetime

    created = datetime(2026, 11, 25, 4, 27, tzinfo=TZ).astimezone(timezone.utc)  # Wednesday 04:27
    await add(db, item(1, "submitted", created))
    assert [s for s in await run_due(db, at(2026, 11, 25, 16, 3)) if s.kind == "item_response"] == []  # 8 of 24 h
    [late] = [s for s in await run_due(db, at(2026, 11, 26, 6, 3), config=ScheduleConfig())
              if s.recipient == "liuzhiyong"] or [None]
    assert late is None  # 06:03 is quiet: nothing, and the deadline is not now either
    [r] = [s for s in await run_due(db, at(2026, 11, 26, 8, 3)) if s.kind == "item_response"]
    assert "（11月26日 08:00）" in r.text and "已超过首次响应时限" in r.text  # Thursday 08:00, not 04:27


async def test_a_reminder_late_because_the_server_was_down_goes_once_with_its_age(db: Database) -> None:
    created = at(2026, 11, 19, 9, 0).astimezone(timezone.utc)  # Thursday; nothing ran until Wednesday
    await add(db, item(1, "submitted", created))
    swept = await run_due(db, at(2026, 11, 25, 9, 13))
    [reminder] = [s for s in swept if s.kind == "item_response"]
    assert reminder.key == "item:1:resp80" and "已提交 6 天，已超过首次响应时限" in reminder.text
    assert not any(s.text.startswith("再次提醒") for s in swept)
    again = await run_due(db, at(2026, 11, 25, 9, 23))
    assert [s for s in again if s.kind == "item_response"] == []  # the earlier stage is not sent after it


async def _all_rows(bot: Bot) -> list[OutboxRow]:
    async with bot.app[keys.DB].sessions() as session:
        return list((await session.execute(select(OutboxRow).order_by(OutboxRow.id))).scalars())


# --- what operators see -----------------------------------------------------------------------------


async def test_run_due_dry_run_prints_each_message_whole_by_recipient_in_chinese(tmp_path: Path) -> None:
    from storage.db import create_database
    from storage.migrate import upgrade
    from handlers.people.importer import import_roster
    from tests.conftest import SAMPLE_ROSTER

    url = f"sqlite+aiosqlite:///{tmp_path / 'd.db'}"
    database = create_database(url)
    await upgrade(database)
    await import_roster(database, SAMPLE_ROSTER, at(2026, 1, 1))
    created = at(2026, 11, 19, 9, 0).astimezone(timezone.utc)
    await add(database, *[item(n, "submitted", created) for n in (1, 2)],
              entry("sunpeng", "liuzhiyong", date(2026, 11, 25), category="bereavement"))
    await database.dispose()
    env = {"PATH": "/usr/bin:/bin", "SIJING_DATABASE_URL": url}
    out = subprocess.run([sys.executable, "-m", "bot.cli", "schedules", "run-due", "--dry-run",
                          "--now", "2026-11-25T09:13+08:00"], capture_output=True, text=True, timeout=120, env=env,
                         cwd=Path(__file__).resolve().parent.parent)
    assert out.returncode == 0, out.stderr
    text = out.stdout
    assert "将发送" in text and "== 刘志勇（liuzhiyong）· 1 条 ==" in text and "== 王海燕（wanghaiyan）· 1 条 ==" in text
    block = text.split("== 刘志勇（liuzhiyong）· 1 条 ==\n", 1)[1].split("\n== ", 1)[0]
    assert block.startswith("[待接单、回访提醒、早间清单 · 4 项 · 11-25 09:")
    assert "今天有 4 件事需要您：" in block and "· 回访提醒：今天应回访 孙鹏（家中丧事）" in block  # whole, every line
    assert "【30天未联系】" in block  # the morning list's last line: nothing cut
    for code in ("item_response", "followup_due", "morning", "bereavement", "[item", "b1:"):
        assert code not in text
    database = create_database(url)
    async with database.sessions() as session:  # dry: nothing recorded, nothing queued
        assert (await session.execute(select(OutboxRow))).first() is None
    await database.dispose()


async def test_the_digest_counts_incidents_and_what_the_sweeps_sent(db: Database) -> None:
    from bot import registry
    from schedules.digest import render_digest

    created = at(2026, 11, 23, 9, 0).astimezone(timezone.utc)  # Monday
    await add(db, *[Item(number=100 + n, kind="incident", category="other", requester="sunpeng", owner="",
                         team="运行一班", title=f"事件{n}", text="着火", status="open", urgent=True,
                         created_at=created, updated_at=created) for n in range(1, 4)])
    swept = await run_due(db, at(2026, 11, 25, 9, 13))
    async with db.session(1) as session:
        text = await render_digest(session, "week_to_date", at(2026, 11, 25, 15, 20), registry.digest_sections())
    assert "**突发事件**：新报告 3 起，已确认 0 起，目前未处置完毕 <font color=\"warning\">3</font> 起" in text
    assert f"**提醒推送**：{len(swept)} 项提醒合并为 {len(swept.pushes)} 条消息发出" in text
    assert len(swept.pushes) < len(swept)
    assert "优秀" not in text.replace("没有班组达到优秀标准", "")  # all-zero teams: nobody excellent


async def test_what_comes_due_right_after_a_push_waits_for_the_window_and_goes_merged(db: Database) -> None:
    await add(db, entry("sunpeng", "liuzhiyong", date(2026, 11, 25)))
    await run_due(db, at(2026, 11, 25, 9, 3))
    await add(db, entry("wutao", "liuzhiyong", date(2026, 11, 25)), entry("lixuemei", "liuzhiyong", date(2026, 11, 25)))
    assert [s for s in await run_due(db, at(2026, 11, 25, 9, 8)) if s.recipient == "liuzhiyong"] == []  # 5 min later
    later = [s for s in await run_due(db, at(2026, 11, 25, 9, 13)) if s.recipient == "liuzhiyong"]
    assert len(later) == 2
    rows = await _outbox(db, "liuzhiyong")
    assert len(rows) == 2 and _content(rows[-1]).startswith("今天有 2 件事需要您：")


# --- recording what goes: in parts, and when another process recorded it first ------------------------


async def _ledger(db: Database) -> set[str]:
    async with db.sessions() as session:
        return set((await session.execute(select(Nudge.key))).scalars())


async def _busy_morning(db: Database) -> None:
    created = at(2026, 11, 19, 9, 0).astimezone(timezone.utc)
    await add(db, *[entry(p, "liuzhiyong", date(2026, 11, 25)) for p in ["sunpeng", "wutao"] * 5],
              *[item(n, "submitted", created) for n in range(1, 8)])


async def test_a_run_recorded_in_many_parts_records_and_queues_everything_once(
        db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pushes, "ROWS_AT_ONCE", 2)  # a part per message or so: each recorded while the next is built
    await _busy_morning(db)
    swept = await run_due(db, at(2026, 11, 25, 9, 13))
    assert len(swept.pushes) >= 3
    ledger = await _ledger(db)
    assert {s.stored for s in swept} <= ledger
    assert sum(k.startswith("push:") for k in ledger) == len(swept.pushes)
    async with db.sessions() as session:
        queued = (await session.execute(select(OutboxRow.recipient).order_by(OutboxRow.id))).scalars().all()
    assert sorted(queued) == sorted(p.recipient for p in swept.pushes for _ in p.reply.payloads())
    assert await run_due(db, at(2026, 11, 25, 9, 23)) == []


async def test_what_another_process_recorded_a_moment_ago_is_neither_sent_again_nor_half_recorded(
        db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    await _busy_morning(db)
    first = await run_due(db, at(2026, 11, 25, 9, 13))
    [mine] = [p for p in first.pushes if p.recipient == "liuzhiyong" and len(p.carried) > 1]
    gone = {d.stored for d in mine.carried[1:]}
    async with db.sessions() as session, session.begin():  # as if the other process had recorded only the first
        await session.execute(delete(Nudge).where(Nudge.key.in_(gone)))
    before, outbox_before = await _ledger(db), len(await _outbox(db, "liuzhiyong"))

    async def nothing_seen(_session: object, _keys: object) -> set[str]:
        return set()  # the check came before the other process's record: only the insert can tell

    async def no_pushes_yet(_session: object, _now: object) -> dict[str, tuple[int, object]]:
        return {}  # (else the message just sent holds what follows for a while: nothing would be planned)

    monkeypatch.setattr(pushes, "_seen", nothing_seen)
    monkeypatch.setattr(pushes, "pushes_today", no_pushes_yet)
    again = await run_due(db, at(2026, 11, 25, 9, 13))
    assert [p for p in again.pushes if p.recipient == "liuzhiyong"] == []
    assert await _ledger(db) == before  # what this run wrote of a message it did not send is taken back
    assert len(await _outbox(db, "liuzhiyong")) == outbox_before


async def test_a_delivery_that_fails_midway_leaves_no_nudge_without_its_message_and_the_next_run_sends_the_rest(
        db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    """On PostgreSQL each part is its own transaction (the parts already recorded stay, with their messages);
    on SQLite the delivery is one. Either way, a nudge is recorded only with the message carrying it."""
    monkeypatch.setattr(pushes, "ROWS_AT_ONCE", 2)
    await _busy_morning(db)
    real, calls = pushes.insert_rows, [0]

    async def failing(session, model, rows, **kw):  # type: ignore[no-untyped-def]
        if model is OutboxRow:
            calls[0] += 1
            if calls[0] == 3:
                raise RuntimeError("the database went away")
        return await real(session, model, rows, **kw)

    monkeypatch.setattr(pushes, "insert_rows", failing)
    with pytest.raises(RuntimeError):
        await run_due(db, at(2026, 11, 25, 9, 13))
    monkeypatch.setattr(pushes, "insert_rows", real)

    async def consistent() -> set[str]:
        stamps = {k for k in await _ledger(db) if k.startswith("push:")}
        async with db.sessions() as session:
            keys = (await session.execute(select(OutboxRow.dedupe_key))).scalars().all()
        assert stamps == {k.removeprefix("nudge:").rsplit(":", 1)[0] for k in keys}
        return stamps

    before = await consistent()
    rest = await run_due(db, at(2026, 11, 25, 9, 13))
    after = await consistent()
    assert len(after) == len(before) + len(rest.pushes) and rest.pushes
    assert await run_due(db, at(2026, 11, 25, 9, 13)) == []
