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
