"""First conversation: strangers are told whom to ask; known people get help."""

from __future__ import annotations

from typing import Any

import pytest

from bot import keys
from bot.app import create_app
from bot.nlu import Parser
from handlers.people.importer import import_roster
from tests.conftest import SAMPLE_ROSTER, Bot, Clock, make_settings


async def test_stranger_is_told_whom_to_ask(bot: Bot) -> None:
    replies = await bot.chat("nobody42", "你好，我想反映个问题")
    assert len(replies) == 1
    assert "名册" in replies[0] and "王海燕" in replies[0]


async def test_known_person_gets_help(bot: Bot) -> None:
    replies = await bot.chat("lixuemei", "嗯嗯")
    assert len(replies) == 1 and "四精助手" in replies[0]


async def test_non_text_gets_a_polite_answer(bot: Bot) -> None:
    xml = ("<xml><ToUserName>c</ToUserName><FromUserName>wutao</FromUserName><CreateTime>1700000000</CreateTime>"
           "<MsgType>image</MsgType><PicUrl>http://x/y.jpg</PicUrl><MediaId>m</MediaId><MsgId>4242</MsgId>"
           "<AgentID>1000002</AgentID></xml>")
    body, query = bot.crypto.sign_body(xml)
    assert (await bot.post(body, query)).status == 200
    await bot.flush()
    assert "文字" in bot.fake.texts("wutao")[0]


async def test_healthz_reports_backlog_and_last_processed(bot: Bot) -> None:
    resp = await bot.client.get("/healthz")
    data = await resp.json()
    assert resp.status == 200 and data["database"] == "ok" and data["last_processed_at"] is None
    await bot.chat("wutao", "你好")
    data = await (await bot.client.get("/healthz")).json()
    assert data["sender_backlog"] == 0 and data["last_processed_at"].endswith("+08:00")


# --- yes / no in everyday words (bot.nlu.answers through bot.dialog.yes_no) -------------------

async def _care_entries(bot: Bot) -> list[tuple[str, str]]:
    from sqlalchemy import select

    from bot import keys
    from storage.models import CareEntry
    async with bot.app[keys.DB].session(1) as s:
        return [(e.person, e.status) for e in (await s.execute(select(CareEntry))).scalars()]


async def test_consent_in_everyday_words_registers(bot: Bot) -> None:
    asked = await bot.chat("sunpeng", "我父亲下周三住院做手术")
    assert "是否登记到重点关注台账" in asked[0]
    done = await bot.chat("sunpeng", "嗯 可以吧")
    assert "已登记" in done[0] and "刘志勇" in done[0]
    assert await _care_entries(bot) == [("sunpeng", "active")]


async def test_refusal_in_everyday_words_stores_nothing(bot: Bot) -> None:
    await bot.chat("zhaoyufei", "我最近家里困难，孩子上学交不起学费")
    answer = await bot.chat("zhaoyufei", "算了 不用登记了")
    assert answer == ["好的，不登记。有需要随时找我或 张敏。"]
    assert await _care_entries(bot) == []


async def test_unsure_answer_is_asked_again_once_then_kept_open(bot: Bot) -> None:
    asked = await bot.chat("sunpeng", "我父亲下周三住院做手术")
    again = await bot.chat("sunpeng", "我想想")
    assert len(again) == 1 and "没太明白" in again[0] and asked[0] in again[0]
    kept = await bot.chat("sunpeng", "嗯…不知道")
    assert len(kept) == 1 and "先给您留着" in kept[0] and "是否登记" not in kept[0]
    assert await _care_entries(bot) == []
    done = await bot.chat("sunpeng", "行吧👌")
    assert "已登记" in done[0]
    assert await _care_entries(bot) == [("sunpeng", "active")]


# --- the clarification card (bot.clarify) ---------------------------------------------------------

UNCLEAR = "这个到底算谁的啊 我也搞不清楚"


async def test_unclear_message_gets_a_clarification_card_not_the_help(bot: Bot) -> None:
    asked = await bot.chat("lixuemei", UNCLEAR)
    joined = "\n".join(asked)
    assert "您是想" in joined and "[反映问题/提建议]" in joined and "1. 反映问题/提建议" in joined
    assert "报告走访" not in joined  # an employee reports no visits
    assert "四精助手。可以直接用一句话" not in joined


async def test_the_choice_routes_the_message_as_that_intent(bot: Bot) -> None:
    await bot.chat("lixuemei", UNCLEAR)
    done = await bot.click("lixuemei", "clarify:deed")
    assert any("#1" in t for t in done), done
    again = await bot.click("lixuemei", "clarify:deed")
    assert again == ["这个选择已经过期了。请把想说的事重新发给我，一句话说清楚就行。"]


async def test_a_number_answers_the_card_too(bot: Bot) -> None:
    asked = await bot.chat("liuzhiyong", UNCLEAR)
    assert "3. 报告走访" in "\n".join(asked)  # a member may report a visit
    none = await bot.chat("liuzhiyong", "6")
    assert len(none) == 1 and "一句话" in none[0]


@pytest.fixture
async def opted_in(database_url: str, fake_wecom: tuple[Any, str], aiohttp_client: Any, clock: Clock,
                   parser: Parser) -> Bot:
    """The bot with ``SIJING_NLU_EXAMPLES`` on."""
    fake, api_base = fake_wecom
    settings = make_settings(database_url, api_base, nlu_examples=True)
    app = create_app(settings, clock=clock, run_sender=False, parser=parser)
    client = await aiohttp_client(app)
    await import_roster(app[keys.DB], SAMPLE_ROSTER, clock())
    return Bot(client, app, fake, settings, clock)


async def _examples(bot: Bot) -> list[Any]:
    from sqlalchemy import select

    from storage.models import NluExample
    async with bot.app[keys.DB].session(1) as s:
        return list((await s.execute(select(NluExample))).scalars())


async def test_examples_are_not_kept_unless_opted_in(bot: Bot) -> None:
    await bot.chat("lixuemei", UNCLEAR)
    await bot.chat("lixuemei", "1")
    assert await _examples(bot) == []


async def test_examples_are_kept_when_opted_in_with_names_redacted(opted_in: Bot) -> None:
    await opted_in.chat("lixuemei", "这个到底算谁的啊 孙鹏和小王也搞不清楚 电话13912345678")
    await opted_in.chat("lixuemei", "1")
    [row] = await _examples(opted_in)
    assert row.intent == "deed_request" and row.role == "employee"
    assert "孙鹏" not in row.text and "小王" not in row.text and "13912345678" not in row.text
    assert "某某" in row.text and "[电话]" in row.text and "算谁的" in row.text


async def test_sijing_nlu_examples_exports_them_as_json_lines(opted_in: Bot, tmp_path: Any) -> None:
    import json
    import subprocess
    import sys

    await opted_in.chat("lixuemei", UNCLEAR)
    await opted_in.click("lixuemei", "clarify:care")
    url = opted_in.settings.database_url
    if not url.startswith("sqlite"):
        pytest.skip("the export reads the same database; checked on SQLite")
    out = tmp_path / "examples.jsonl"
    done = subprocess.run([sys.executable, "-m", "bot.cli", "nlu", "examples", "--out", str(out)], capture_output=True,
                          text=True, timeout=120, env={"PATH": "/usr/bin:/bin", "SIJING_DATABASE_URL": url})
    assert done.returncode == 0, done.stderr
    [row] = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert row["intent"] == "care_need" and row["text"] == UNCLEAR and row["predicted"] != "care_need"


def test_an_unsure_parse_that_would_record_something_is_asked_about() -> None:
    """``Parse.confidence`` (when the parser gives one) below the floor: the card comes before any record;
    never for an incident, an urgent report or a message with a number."""
    from dataclasses import dataclass

    from bot.clarify import CONFIDENCE_FLOOR, unsure
    from bot.nlu import Intent, Parse

    @dataclass(frozen=True)
    class Scored(Parse):
        confidence: float = 1.0

    def scored(intent: Intent, confidence: float, **over: Any) -> Scored:
        fields = {"category": None, "polarity": None, "persons": (), "due": None, "ref": None, "urgent": False}
        return Scored(intent, **{**fields, **over}, confidence=confidence)  # type: ignore[arg-type]

    low = CONFIDENCE_FLOOR - 0.1
    assert unsure(scored(Intent.DEED_REQUEST, low)) and unsure(scored(Intent.CARE_NEED, low))
    assert not unsure(scored(Intent.DEED_REQUEST, CONFIDENCE_FLOOR + 0.1))
    assert not unsure(scored(Intent.INCIDENT_REPORT, low)) and not unsure(scored(Intent.DEED_REQUEST, low, urgent=True))
    assert not unsure(scored(Intent.STATUS_QUERY, low)) and not unsure(scored(Intent.DEED_REQUEST, low, ref=3))
    assert not unsure(Parse(Intent.DEED_REQUEST, None, None, (), None, None, False))  # no confidence given: sure


def test_the_chosen_reading_keeps_what_was_found() -> None:
    from bot.clarify import BY_KEY, parse_as
    from bot.nlu import Intent

    stored = {"intent": "other", "category": "emotional", "persons": ["sunpeng"], "due": "2026-12-02", "ref": None,
              "urgent": False}
    care = parse_as(BY_KEY["care"], stored)
    assert (care.intent, care.category, care.persons, str(care.due)) == (Intent.CARE_NEED, "emotional", ("sunpeng",),
                                                                          "2026-12-02")
    status = parse_as(BY_KEY["status"], stored)
    assert status.intent == Intent.STATUS_QUERY and status.category is None
    assert parse_as(BY_KEY["incident"], stored).urgent
