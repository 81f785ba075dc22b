"""First conversation: strangers are told whom to ask; known people get help."""

from __future__ import annotations

from tests.conftest import Bot


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
