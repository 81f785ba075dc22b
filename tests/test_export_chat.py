"""The workbench from the chat, through the real webhook and the fake WeCom: ``/导出`` sends the inspection
workbook as a file (built and uploaded by the sender), ``/后台`` a one-time login link."""

from __future__ import annotations

from io import BytesIO
from typing import Any

import pytest
from openpyxl import load_workbook
from sqlalchemy import select, update

from bot import keys
from bot.app import create_app
from handlers.people import messages as msg
from handlers.people.importer import import_roster
from storage.models import AuditEntry, OutboxRow, Person
from tests.conftest import SAMPLE_ROSTER, Bot, make_settings
from tests.web.seed import MARKER, seed

SECRETARY, MEMBER, EMPLOYEE, STRANGER = "wanghaiyan", "liuzhiyong", "sunpeng", "outsider01"
PUBLIC_URL = "http://sijing.example.cn/"


@pytest.fixture
async def bot(database_url: str, fake_wecom: Any, aiohttp_client: Any, clock: Any, parser: Any) -> Bot:
    """The real app (with a public address for links) and a year of ledgers; SQLite, like every chat test."""
    fake, api_base = fake_wecom
    settings = make_settings(database_url, api_base, public_url=PUBLIC_URL)
    app = create_app(settings, clock=clock, run_sender=False, parser=parser)
    client = await aiohttp_client(app)
    await import_roster(app[keys.DB], SAMPLE_ROSTER, clock())
    await seed(app[keys.DB], clock().astimezone(settings.tz))
    return Bot(client, app, fake, settings, clock)


def _sheets(data: bytes) -> tuple[list[str], str, list[str]]:
    """Sheet names, all the cells' text, each sheet's title row."""
    wb = load_workbook(BytesIO(data))
    text = "\n".join(str(v) for ws in wb.worksheets for row in ws.iter_rows(values_only=True) for v in row if v)
    return wb.sheetnames, text, [str(ws["A1"].value) for ws in wb.worksheets]


async def _audit(bot: Bot, action: str) -> list[tuple[str, str, str]]:
    async with bot.app[keys.DB].session(1) as session:
        rows = (await session.execute(select(AuditEntry).where(AuditEntry.action == action))).scalars().all()
    return [(a.actor, a.object_id, a.detail) for a in rows]


async def test_export_sends_the_public_workbook_as_a_file(bot):
    replies = await bot.chat(SECRETARY, "/导出")
    assert len(replies) == 2 and "正在生成迎检公开台账" in replies[0]
    [(name, data)] = bot.fake.files(SECRETARY)
    assert name.endswith(".xlsx") and "公开台账" in name and bot.fake.web.uploads == 1
    assert bot.fake.to(SECRETARY)[-1]["msgtype"] == "file"
    names, text, titles = _sheets(data)
    assert {"办实事清单", "重点关注台账", "走访记录", "责任区覆盖"} <= set(names)
    assert all("截至" in t and "内部资料" not in t for t in titles)
    assert MARKER not in text  # no health or family detail, no tipster's words
    assert await bot.outbox_counts() == {"sent": 2}
    assert [a[:2] for a in await _audit(bot, "export")] == [(SECRETARY, msg.PUBLIC)]


async def test_internal_export_is_asked_for_explicitly_and_audited(bot):
    replies = await bot.chat(SECRETARY, "/导出 内部")
    assert "内部台账" in replies[0] and "审计" in replies[0]
    [(name, data)] = bot.fake.files(SECRETARY)
    names, text, titles = _sheets(data)
    assert "内部台账" in name and "后备人才" in names and MARKER in text and "内部资料" in titles[0]
    assert await _audit(bot, "export_requested") == [(SECRETARY, msg.INTERNAL, "via=chat")]
    assert [a[:2] for a in await _audit(bot, "export")] == [(SECRETARY, msg.INTERNAL)]
    assert await bot.chat(SECRETARY, "/导出 全部") == [msg.EXPORT_USAGE]


@pytest.mark.parametrize("who", [MEMBER, EMPLOYEE])
async def test_only_the_secretary_may_export(bot, who):
    for text in ("/导出", "/导出 内部"):
        assert await bot.chat(who, text) == [msg.EXPORT_DENIED]
    assert bot.fake.web.uploads == 0 and bot.fake.files(who) == []
    assert await _audit(bot, "export") == []


async def test_a_failed_upload_is_retried(bot):
    bot.fake.fail_uploads(-1)  # WeCom busy
    await bot.chat(SECRETARY, "/导出")
    assert bot.fake.files(SECRETARY) == [] and bot.fake.web.uploads == 1
    async with bot.app[keys.DB].session(1) as session:
        row = (await session.execute(select(OutboxRow).where(OutboxRow.msg_type == "file"))).scalar_one()
    assert row.status == "pending" and row.error_code == -1
    bot.clock.advance(seconds=30)
    await bot.flush()
    assert len(bot.fake.files(SECRETARY)) == 1 and bot.fake.web.uploads == 2


async def test_a_slow_build_goes_on_while_others_are_answered(bot):
    import asyncio

    bot.app[keys.SENDER].build_wait = 0  # as if the branch were large: the pass does not wait for the file
    await bot.chat(SECRETARY, "/导出")
    assert bot.fake.files(SECRETARY) == []
    assert await bot.chat(MEMBER, "/导出") == [msg.EXPORT_DENIED]  # everyone else is answered meanwhile
    for _ in range(100):  # the build finishes in the background; the row is retried
        await asyncio.sleep(0.05)
        bot.clock.advance(seconds=30)
        await bot.flush()
        if bot.fake.files(SECRETARY):
            break
    [(name, data)] = bot.fake.files(SECRETARY)
    assert "公开台账" in name and MARKER not in _sheets(data)[1]
    assert await bot.outbox_counts() == {"sent": 3} and bot.fake.web.uploads == 1


async def test_a_failed_build_tells_the_secretary_in_chinese(bot):
    assert await bot.say(SECRETARY, "/导出 内部") == 200
    await bot.app[keys.PROCESSOR].drain()
    async with bot.app[keys.DB].session(1) as session, session.begin():  # no longer secretary when it is built
        await session.execute(update(Person).where(Person.userid == SECRETARY).values(role="member"))
    await bot.flush()
    texts = bot.fake.texts(SECRETARY)
    assert texts[-1] == msg.EXPORT_FAILED.format(which=msg.INTERNAL)
    assert bot.fake.web.uploads == 0 and await _audit(bot, "export") == []
    assert await bot.outbox_counts() == {"sent": 2}


def _link(bot: Bot, who: str) -> str:
    card = bot.fake.to(who)[-1]
    assert card["msgtype"] == "textcard"
    url = card["textcard"]["url"]
    assert url.startswith(f"{PUBLIC_URL}web/login/link/")
    return url[len(PUBLIC_URL) - 1:]


async def test_login_link_logs_in_once_within_ten_minutes(bot):
    [card] = await bot.chat(EMPLOYEE, "/后台")
    assert "10 分钟" in card and "你反映的和负责的事项" in card
    path = _link(bot, EMPLOYEE)
    assert (await bot.client.get(path)).status == 200  # opening it (a link preview) does not use it up
    r = await bot.client.post(path, allow_redirects=False)
    assert r.status == 303 and r.headers["Location"] == "/web/"
    assert (await bot.client.get("/web/items", allow_redirects=False)).status == 200
    bot.client.session.cookie_jar.clear()
    r = await bot.client.post(path, allow_redirects=False)
    assert r.status == 403 and "/后台" in await r.text()
    await bot.chat(EMPLOYEE, "/后台")
    late = _link(bot, EMPLOYEE)
    bot.clock.advance(minutes=11)
    assert (await bot.client.post(late, allow_redirects=False)).status == 403
    assert (await bot.client.get("/web/items", allow_redirects=False)).status == 303
    assert [a[0] for a in await _audit(bot, "login")] == [EMPLOYEE]


async def test_everyone_in_the_roster_gets_a_link_for_what_they_may_see(bot):
    [member] = await bot.chat(MEMBER, "/后台")
    [secretary] = await bot.chat(SECRETARY, "/工作台")
    assert "责任区" in member and "全部台账" in secretary
    assert _link(bot, MEMBER) != _link(bot, SECRETARY)
    stranger = await bot.chat(STRANGER, "/后台")
    assert stranger and "名册" in stranger[0] and bot.fake.to(STRANGER)[-1]["msgtype"] == "text"

