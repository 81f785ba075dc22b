"""The callback endpoint: verification, refusal of bad input, store-before-ack, dedupe."""

from __future__ import annotations

import asyncio
from typing import Any

from sqlalchemy import func, select

from bot import keys
from bot.app import create_app
from bot.wecom.crypto import WeComCrypto
from storage.models import InboxRow
from tests.conftest import Bot, make_settings, random_key

VECTOR = dict(
    msg_signature="5c45ff5e21c57e6ad56bac8758b79b1d9ac89fd3",
    timestamp="1409659589",
    nonce="263014780",
    echostr="P9nAzCzyDtyTWESHep1vC5X9xho/qYX3Zpb4yKa9SKld1DsH3Iyt3tP3zNdtp+4RPcs8TgAE7OaBO+FZXvnaqQ==",
)


async def inbox_rows(bot: Bot) -> int:
    async with bot.app[keys.DB].sessions() as session:
        return int((await session.execute(select(func.count()).select_from(InboxRow))).scalar_one())


async def test_url_verification_with_documented_vector(tmp_path: Any, aiohttp_client: Any, parser: Any) -> None:
    settings = make_settings(
        f"sqlite+aiosqlite:///{tmp_path / 'v.db'}",
        "http://127.0.0.1:9/cgi-bin/",
        wecom_token="QDG6eK",
        wecom_corp_id="wx5823bf96d3bd56c7",
        wecom_aes_key="jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C",
    )
    client = await aiohttp_client(create_app(settings, run_sender=False, parser=parser))
    resp = await client.get("/wecom/callback", params=VECTOR)
    assert resp.status == 200
    assert await resp.text() == "1616140317555161061"
    assert resp.content_type == "text/plain"
    forged = dict(VECTOR, msg_signature="0" * 40)
    assert (await client.get("/wecom/callback", params=forged)).status == 403
    assert (await client.get("/wecom/callback", params={"echostr": "x"})).status == 400


async def test_valid_text_is_stored_and_answered(bot: Bot) -> None:
    replies = await bot.chat("sunpeng", "你好")
    assert len(replies) == 1 and "四精助手" in replies[0]
    assert await inbox_rows(bot) == 1


async def test_forged_signature_is_refused_and_not_stored(bot: Bot) -> None:
    body, query = bot.text_body("sunpeng", "hi")
    query["msg_signature"] = "f" * 40
    resp = await bot.post(body, query)
    assert resp.status == 403
    assert await inbox_rows(bot) == 0


async def test_wrong_corp_id_is_refused(bot: Bot) -> None:
    other = WeComCrypto(bot.settings.wecom_token, bot.settings.wecom_aes_key, "wwSOMEONEELSE")
    from bot.demo import text_xml

    body, query = other.sign_body(text_xml("wwSOMEONEELSE", "sunpeng", "hi", 1, "1"))
    resp = await bot.post(body, query)
    assert resp.status == 403
    assert await inbox_rows(bot) == 0


async def test_wrong_aes_key_is_a_bad_request(bot: Bot) -> None:
    from bot.demo import text_xml

    for _ in range(5):  # a wrong key fails in different ways: try several
        other = WeComCrypto(bot.settings.wecom_token, random_key(), bot.settings.wecom_corp_id)
        body, query = other.sign_body(text_xml(bot.settings.wecom_corp_id, "sunpeng", "hi", 1, "1"))
        resp = await bot.post(body, query)
        assert resp.status == 400
    assert await inbox_rows(bot) == 0


async def test_malformed_bodies(bot: Bot) -> None:
    body, query = bot.text_body("sunpeng", "hi")
    for bad in (b"not xml at all", b"<xml><Encrypt>", b"<xml><ToUserName>x</ToUserName></xml>", b""):
        assert (await bot.post(bad, query)).status == 400
    doctype = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><xml><Encrypt>&a;</Encrypt></xml>'
    assert (await bot.post(doctype, query)).status == 400
    assert (await bot.client.post("/wecom/callback", data=body)).status == 400  # no query
    assert await inbox_rows(bot) == 0


async def test_oversized_body_is_413(bot: Bot) -> None:
    _body, query = bot.text_body("sunpeng", "hi")
    big = b"<xml><Encrypt>" + b"A" * (bot.settings.max_body_bytes + 10) + b"</Encrypt></xml>"
    assert (await bot.post(big, query)).status == 413

    async def chunks():  # type: ignore[no-untyped-def]
        for _ in range(20):
            yield b"A" * 8192
    resp = await bot.client.post("/wecom/callback", params=query, data=chunks())
    assert resp.status == 413
    assert await inbox_rows(bot) == 0


async def test_decrypted_payload_with_doctype_is_refused(bot: Bot) -> None:
    inner = '<!DOCTYPE x [<!ENTITY a "b">]><xml><FromUserName>&a;</FromUserName><MsgType>text</MsgType></xml>'
    body, query = bot.crypto.sign_body(inner)
    assert (await bot.post(body, query)).status == 400
    assert await inbox_rows(bot) == 0


async def test_a_message_that_mentions_a_doctype_is_text_not_a_declaration(bot: Bot) -> None:
    """What a person types is CDATA: "<!DOCTYPE html>" in it is stored and answered, not refused (and lost)."""
    body, query = bot.text_body("sunpeng", "网页打不开，源码第一行是 <!DOCTYPE html> <!ENTITY 这种", msg_id="doc1")
    assert (await bot.post(body, query)).status == 200
    await bot.flush()
    assert await inbox_rows(bot) == 1
    assert len(bot.fake.to("sunpeng")) >= 1


async def test_a_comment_cannot_hide_a_dtd(bot: Bot) -> None:
    inner = '<!-- <a --><!DOCTYPE x [<!ENTITY a "b">]><xml><FromUserName>&a;</FromUserName></xml>'
    body, query = bot.crypto.sign_body(inner)
    assert (await bot.post(body, query)).status == 400
    assert await inbox_rows(bot) == 0


async def test_three_identical_retries_make_one_row_and_one_reply(bot: Bot) -> None:
    body, query = bot.text_body("sunpeng", "在吗", msg_id="777")
    for _ in range(3):
        assert (await bot.post(body, query)).status == 200
    await bot.flush()
    assert await inbox_rows(bot) == 1
    assert len(bot.fake.to("sunpeng")) == 1


async def test_concurrent_duplicates_make_one_unit_of_work(bot: Bot) -> None:
    body, query = bot.text_body("sunpeng", "在吗", msg_id="888")
    statuses = await asyncio.gather(*(bot.post(body, query) for _ in range(12)))
    assert {r.status for r in statuses} == {200}
    await bot.flush()
    assert await inbox_rows(bot) == 1
    assert len(bot.fake.to("sunpeng")) == 1
    assert bot.app[keys.PROCESSOR].processed == 1


async def test_stored_before_acknowledged(bot: Bot) -> None:
    """When the 200 arrives the row is already committed (even if processing never ran)."""
    bot.app[keys.PROCESSOR].submit = lambda *_a, **_k: None  # type: ignore[method-assign]
    assert await bot.say("sunpeng", "有件事") == 200
    assert await inbox_rows(bot) == 1


async def test_events_are_deduplicated_on_their_fields(bot: Bot) -> None:
    xml = ("<xml><ToUserName>c</ToUserName><FromUserName>sunpeng</FromUserName><CreateTime>1700000000</CreateTime>"
           "<MsgType>event</MsgType><Event>enter_agent</Event><EventKey></EventKey><AgentID>1000002</AgentID></xml>")
    body, query = bot.crypto.sign_body(xml)
    for _ in range(3):
        assert (await bot.post(body, query)).status == 200
    await bot.flush()
    assert await inbox_rows(bot) == 1
    assert bot.fake.to("sunpeng") == []  # opening the app says nothing


async def test_one_persons_messages_are_handled_in_order(bot: Bot) -> None:
    order: list[int] = []
    processor = bot.app[keys.PROCESSOR]
    original = processor._dispatcher.dispatch  # noqa: SLF001

    async def tracking(ctx: Any) -> Any:
        await asyncio.sleep(0.01 if ctx.inbox_id % 2 else 0)
        order.append(ctx.inbox_id)
        return await original(ctx)

    processor._dispatcher.dispatch = tracking  # type: ignore[method-assign]  # noqa: SLF001
    for i in range(6):
        assert await bot.say("sunpeng", f"消息{i}") == 200
        assert await bot.say("wutao", f"消息{i}") == 200
    await bot.flush()
    assert len(order) == 12 and processor.processed == 12
    async with bot.app[keys.DB].sessions() as session:
        owners = dict((await session.execute(select(InboxRow.id, InboxRow.from_user))).all())
    for user in ("sunpeng", "wutao"):
        mine = [i for i in order if owners[i] == user]
        assert mine == sorted(mine) and len(mine) == 6

LAUGHS = ('<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">'
          + "".join(f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">' for i in range(8))
          + ']><xml><Encrypt>&i;</Encrypt></xml>')


async def test_dtds_are_refused_in_every_encoding_before_any_parse(bot: Bot) -> None:
    """A billion-laughs envelope in UTF-16/32 (with or without a byte-order mark), or declared in another
    encoding, never reaches an XML parser: it is refused as a bad request."""
    _body, query = bot.text_body("sunpeng", "hi")
    bodies = [LAUGHS.encode(codec) for codec in ("utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-32-le")]
    bodies.append(LAUGHS.replace("UTF-16", "ISO-8859-1").encode("latin-1"))
    bodies.append(b"\xef\xbb\xbf" + LAUGHS.replace("UTF-16", "UTF-8").encode())
    bodies.append(LAUGHS.replace("UTF-16", "UTF-8").replace("DOCTYPE", "doctype").encode())
    for body in bodies:
        resp = await bot.post(body, query)
        assert resp.status == 400, body[:40]
    assert await inbox_rows(bot) == 0
    assert (await bot.post(*bot.text_body("sunpeng", "hi"))).status == 200  # and valid callbacks still pass


async def test_the_signature_is_checked_over_the_raw_encrypt_value(bot: Bot) -> None:
    """The envelope is scanned, not parsed: the signature is over the Encrypt text as sent, with or without CDATA."""
    body, query = bot.text_body("sunpeng", "hi")
    encrypt = body.split(b"<Encrypt><![CDATA[")[1].split(b"]]>")[0]
    plain = b"<xml><ToUserName>x</ToUserName><Encrypt>" + encrypt + b"</Encrypt></xml>"
    assert (await bot.post(plain, query)).status == 200
    twice = body.replace(b"</xml>", b"<Encrypt>" + encrypt + b"</Encrypt></xml>")
    assert (await bot.post(twice, query)).status == 400
    tampered = body.replace(encrypt[:8], encrypt[:8][::-1])
    assert (await bot.post(tampered, query)).status == 403
    assert await inbox_rows(bot) == 1


async def test_pathological_envelopes_are_refused_without_backtracking(bot: Bot) -> None:
    """Bodies built to make a scanner backtrack (long runs inside an unclosed element) are refused at once;
    a quadratic scan of 64 KiB would take minutes, so the test would time out rather than pass."""
    _body, query = bot.text_body("sunpeng", "hi")
    room = bot.settings.max_body_bytes - 64
    for filler in (b" ", b"A", b"<Encrypt>", b"<Encrypt> A", b"<![CDATA[A"):
        body = b"<xml><Encrypt>" + filler * (room // len(filler))
        resp = await bot.post(body[: bot.settings.max_body_bytes], query)
        assert resp.status == 400
    assert await inbox_rows(bot) == 0


async def test_a_backlog_is_stored_acknowledged_and_reported(bot: Bot) -> None:
    """Past the threshold callbacks are still stored and answered 200; /healthz says "backlogged" until
    the processor has caught up."""
    processor = bot.app[keys.PROCESSOR]
    processor.backlog_rows = 3
    submit = processor.submit
    processor.submit = lambda *_a, **_k: None  # type: ignore[method-assign]  # processing falls behind
    for i in range(5):
        assert await bot.say("sunpeng", f"第{i}条") == 200
    assert await inbox_rows(bot) == 5
    health = await (await bot.client.get("/healthz")).json()
    assert health["status"] == "backlogged" and health["inbox_pending"] == 5
    assert health["inbox_oldest_pending_s"] >= 0
    processor.submit = submit  # type: ignore[method-assign]
    assert await processor.recover() == 1
    await bot.flush()
    health = await (await bot.client.get("/healthz")).json()
    assert health["status"] == "ok" and health["inbox_pending"] == 0
    assert len(bot.fake.to("sunpeng")) == 5


async def test_the_idle_gate_never_holds_work_back_for_long() -> None:
    """Under callbacks that never pause, a waiter is let through once the gate has been busy for
    ``max_busy``; with a pause it goes at the pause."""
    from bot.gate import IdleGate

    gate = IdleGate(max_busy=0.05)
    gate.enter()  # a stream of callbacks that never pauses
    await asyncio.wait_for(gate.quiet(at_most=3600), timeout=30)  # would wait an hour if the gate starved work
    await asyncio.sleep(0.06)
    assert gate.busy
    await asyncio.wait_for(gate.quiet(at_most=3600), timeout=1)  # busy too long already: no wait at all
    gate.leave()
    waiter = asyncio.create_task(IdleGate(max_busy=3600).quiet(at_most=3600))
    await asyncio.wait_for(waiter, timeout=30)  # an idle gate never waits


async def test_an_app_that_owns_its_process_freezes_what_it_loaded(tmp_path: Any, aiohttp_client: Any,
                                                                  parser: Any) -> None:
    """``sijing serve`` / ``sijing worker``: once started, the parser's objects are out of the collector's
    sight; an app among many (every other test here) freezes nothing."""
    import gc

    from bot.app import owns_process

    settings = make_settings(f"sqlite+aiosqlite:///{tmp_path / 'o.db'}", "http://127.0.0.1:9/cgi-bin/")
    await aiohttp_client(create_app(settings, run_sender=False, parser=parser))
    assert gc.get_freeze_count() == 0
    try:
        await aiohttp_client(owns_process(create_app(settings, run_sender=False, parser=parser)))
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
