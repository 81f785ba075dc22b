"""The read-only admin API: auth, filters, pagination, errors, audited care views."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from typing import Any

import pytest
from sqlalchemy import select

from bot import keys
from bot.app import create_app
from bot.fakewecom import FakeWeCom
from bot.nlu import Parser
from handlers.people.importer import import_roster
from storage import duty
from storage.db import Database
from storage.models import AuditEntry, CareEntry, Item, ItemEvent, Visit
from tests.conftest import SAMPLE_ROSTER, Bot, Clock, make_settings

AUTH = {"Authorization": "Bearer admin-secret"}
T0 = datetime(2026, 11, 25, 1, 40, tzinfo=timezone.utc)  # 09:40 Asia/Shanghai


async def _start(database_url: str, fake_wecom: tuple[FakeWeCom, str], aiohttp_client: Any, clock: Clock,
                 parser: Parser, **over: Any) -> Bot:
    fake, api_base = fake_wecom
    settings = make_settings(database_url, api_base, **over)
    app = create_app(settings, clock=clock, run_sender=False, parser=parser)
    client = await aiohttp_client(app)
    await import_roster(app[keys.DB], SAMPLE_ROSTER, clock())
    return Bot(client, app, fake, settings, clock)


@pytest.fixture
async def api_bot(database_url: str, fake_wecom: tuple[FakeWeCom, str], aiohttp_client: Any, clock: Clock,
                  parser: Parser) -> Bot:
    return await _start(database_url, fake_wecom, aiohttp_client, clock, parser)


async def _deed(db: Database, *, requester: str, owner: str, category: str, status: str, created: datetime,
                due: datetime | None = None) -> int:
    async with db.session(1) as session, session.begin():
        n = await duty.next_number(session)
        it = Item(number=n, kind="deed", category=category, requester=requester, owner=owner, team="",
                  title=f"事项{n}", text=f"事项{n}的内容", status=status, urgent=False, created_at=created,
                  updated_at=created, due_at=due)
        session.add(it)
        await session.flush()
        session.add(ItemEvent(item_id=it.id, at=created, actor=requester, kind="created", note="",
                              from_status=None, to_status=status))
        return n


async def _seed_items(db: Database) -> None:
    """#1..#5 deeds over three days, #6 an incident."""
    await _deed(db, requester="sunpeng", owner="liuzhiyong", category="canteen", status="submitted",
                created=T0 - timedelta(days=2))  # not accepted within a day: overdue
    await _deed(db, requester="wutao", owner="liuzhiyong", category="canteen", status="in_progress",
                created=T0 - timedelta(days=1), due=T0 + timedelta(days=3))
    await _deed(db, requester="majing", owner="chenjunjie", category="facilities", status="in_progress",
                created=T0 - timedelta(days=1), due=T0 - timedelta(hours=1))  # past due
    await _deed(db, requester="hefang", owner="chenjunjie", category="facilities", status="closed",
                created=T0, due=T0 - timedelta(hours=1))  # closed: never overdue
    await _deed(db, requester="linyang", owner="zhouli", category="commute", status="submitted", created=T0)
    async with db.session(1) as session, session.begin():
        await duty.create_incident(session, reporter="guoqiang", team="检修班", text="检修班配电室冒烟", urgent=True,
                                   now=T0, owner="chenjunjie", alerted=["chenjunjie", "wanghaiyan"])


async def _get(bot: Bot, path: str, headers: dict[str, str] | None = AUTH, **params: Any) -> tuple[int, Any]:
    resp = await bot.client.get(path, headers=headers, params=params)
    return resp.status, await resp.json()


# --- auth ----------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/api/items", "/api/items/1", "/api/care", "/api/visits", "/api/coverage",
                                  "/api/audit"])
async def test_every_endpoint_needs_the_token(api_bot: Bot, path: str) -> None:
    for headers in (None, {"Authorization": "Bearer wrong"}, {"Authorization": "admin-secret"},
                    {"Authorization": "Basic admin-secret"}):
        status, body = await _get(api_bot, path, headers)
        assert status == 401 and body["error"] == "unauthorized"
    status, _ = await _get(api_bot, path)
    assert status in (200, 404)


async def test_no_admin_token_configured_means_401(database_url: str, fake_wecom: tuple[FakeWeCom, str],
                                                   aiohttp_client: Any, clock: Clock, parser: Parser) -> None:
    bot = await _start(database_url, fake_wecom, aiohttp_client, clock, parser, admin_token=None)
    status, body = await _get(bot, "/api/items")
    assert status == 401 and "SIJING_ADMIN_TOKEN" in body["message"]
    resp = await bot.client.get("/api/items", headers={"Authorization": "Bearer "})
    assert resp.status == 401


# --- items ---------------------------------------------------------------------


async def test_items_filters_and_pagination(api_bot: Bot) -> None:
    await _seed_items(api_bot.app[keys.DB])
    status, body = await _get(api_bot, "/api/items")
    assert status == 200 and body["total"] == 6 and body["limit"] == 50 and body["offset"] == 0
    assert [i["number"] for i in body["items"]] == [1, 2, 3, 4, 5, 6]
    first = body["items"][0]
    assert first["requester_name"] == "孙鹏" and first["owner_name"] == "刘志勇" and first["status_cn"]
    assert first["created_at"] == "2026-11-23T09:40:00+08:00"

    _, body = await _get(api_bot, "/api/items", limit=2, offset=2)
    assert [i["number"] for i in body["items"]] == [3, 4] and body["total"] == 6 and body["limit"] == 2

    _, body = await _get(api_bot, "/api/items", owner="liuzhiyong")
    assert [i["number"] for i in body["items"]] == [1, 2]
    _, body = await _get(api_bot, "/api/items", category="facilities", status="in_progress,closed")
    assert [i["number"] for i in body["items"]] == [3, 4]
    _, body = await _get(api_bot, "/api/items", kind="incident")
    assert [(i["number"], i["status"], i["urgent"]) for i in body["items"]] == [(6, "open", True)]
    _, body = await _get(api_bot, "/api/items", overdue="true")
    assert [i["number"] for i in body["items"]] == [1, 3] and all(i["overdue"] for i in body["items"])
    _, body = await _get(api_bot, "/api/items", overdue="false")
    assert [i["number"] for i in body["items"]] == [2, 4, 5, 6]
    _, body = await _get(api_bot, "/api/items", **{"from": "2026-11-24", "to": "2026-11-24"})
    assert [i["number"] for i in body["items"]] == [2, 3]
    _, body = await _get(api_bot, "/api/items", **{"from": "2026-11-25T09:00:00+08:00"})
    assert [i["number"] for i in body["items"]] == [4, 5, 6]


async def test_item_detail_with_history_and_404(api_bot: Bot) -> None:
    await _seed_items(api_bot.app[keys.DB])
    status, body = await _get(api_bot, "/api/items/6")
    assert status == 200 and body["kind"] == "incident" and body["requester_name"] == "郭强"
    assert [(h["kind"], h["actor"], h["at"]) for h in body["history"]] == [
        ("reported", "guoqiang", "2026-11-25T09:40:00+08:00")]
    status, body = await _get(api_bot, "/api/items/99")
    assert status == 404 and body["error"] == "not_found" and "#99" in body["message"]
    status, body = await _get(api_bot, "/api/items/abc")
    assert status == 400


async def test_item_via_chat_shows_up(api_bot: Bot) -> None:
    await api_bot.chat("sunpeng", "检修班配电室着火了，快来人")
    await api_bot.click("liuzhiyong", "incident:ack:1")
    _, body = await _get(api_bot, "/api/items/1")
    assert body["status"] == "acknowledged" and body["team"] == "运行一班"
    assert [h["kind"] for h in body["history"]] == ["reported", "acknowledged"]


@pytest.mark.parametrize("params, words", [
    ({"limit": "0"}, "limit"), ({"limit": "201"}, "limit"), ({"limit": "x"}, "limit"), ({"offset": "-1"}, "offset"),
    ({"status": "done"}, "status"), ({"kind": "other"}, "kind"), ({"overdue": "maybe"}, "overdue"),
    ({"from": "2026-13-01"}, "from"), ({"from": "2026-11-25", "to": "2026-11-20"}, "from"),
    ({"colour": "red"}, "colour"), ({"owner": ""}, "owner"),
])
async def test_bad_item_parameters_are_400(api_bot: Bot, params: dict[str, str], words: str) -> None:
    status, body = await _get(api_bot, "/api/items", **params)
    assert status == 400 and body["error"] == "bad_request" and words in body["message"]


# --- care, visits, coverage, audit -------------------------------------------------


async def _seed_care(db: Database) -> None:
    async with db.session(1) as session, session.begin():
        session.add_all([
            CareEntry(person="sunpeng", category="illness", responsible="liuzhiyong", status="active", sensitive=True,
                      interval_days=7, next_follow_up=date(2026, 12, 2), summary="父亲住院", source="self",
                      created_by="sunpeng", created_at=T0),
            CareEntry(person="majing", category="celebration", responsible="chenjunjie", status="active",
                      sensitive=False, interval_days=30, summary="结婚", source="member", created_by="chenjunjie",
                      created_at=T0),
            CareEntry(person="wutao", category="hardship", responsible="liuzhiyong", status="resolved", sensitive=True,
                      interval_days=14, summary="家庭困难", source="tip", created_by="lixuemei", created_at=T0),
        ])
        await session.flush()
        session.add_all([
            Visit(person="sunpeng", member="liuzhiyong", entry_id=1, visited_on=date(2026, 11, 20), summary="医院探望",
                  created_at=T0),
            Visit(person="majing", member="chenjunjie", entry_id=None, visited_on=date(2026, 11, 24), summary="谈心",
                  created_at=T0),
        ])


async def _audit(bot: Bot, **where: str) -> list[AuditEntry]:
    async with bot.app[keys.DB].session(1) as session:
        stmt = select(AuditEntry).order_by(AuditEntry.id)
        for k, v in where.items():
            stmt = stmt.where(getattr(AuditEntry, k) == v)
        return list((await session.execute(stmt)).scalars())


async def test_care_list_filters_and_audits_sensitive_views(api_bot: Bot) -> None:
    await _seed_care(api_bot.app[keys.DB])
    status, body = await _get(api_bot, "/api/care")
    assert status == 200 and body["total"] == 3
    assert body["items"][0]["person_name"] == "孙鹏" and body["items"][0]["responsible_name"] == "刘志勇"
    assert body["items"][0]["next_follow_up"] == "2026-12-02"
    views = await _audit(api_bot, actor="api")
    assert sorted(v.object_id for v in views) == ["1", "3"]  # the non-sensitive entry 2 is not audited
    assert all(v.action == "view" and v.object_type == "care_entry" for v in views)

    _, body = await _get(api_bot, "/api/care", status="active", responsible="liuzhiyong")
    assert [c["id"] for c in body["items"]] == [1]
    _, body = await _get(api_bot, "/api/care", category="celebration")
    assert [c["id"] for c in body["items"]] == [2]
    assert len(await _audit(api_bot, actor="api")) == 3
    status, body = await _get(api_bot, "/api/care", status="sad")
    assert status == 400 and "status" in body["message"]


async def test_visits_filters_and_audit(api_bot: Bot) -> None:
    await _seed_care(api_bot.app[keys.DB])
    _, body = await _get(api_bot, "/api/visits")
    assert [v["id"] for v in body["items"]] == [2, 1] and body["items"][0]["member_name"] == "陈俊杰"
    _, body = await _get(api_bot, "/api/visits", member="liuzhiyong")
    assert [v["id"] for v in body["items"]] == [1]
    _, body = await _get(api_bot, "/api/visits", **{"from": "2026-11-21", "to": "2026-11-24"})
    assert [v["id"] for v in body["items"]] == [2]
    _, body = await _get(api_bot, "/api/visits", person="sunpeng")
    assert body["total"] == 1
    assert [(a.object_type, a.object_id) for a in await _audit(api_bot, actor="api")] == [("visit", "1")] * 3
    status, _ = await _get(api_bot, "/api/visits", **{"from": "yesterday"})
    assert status == 400


async def test_coverage_and_audit_listing(api_bot: Bot) -> None:
    await _seed_care(api_bot.app[keys.DB])
    _, body = await _get(api_bot, "/api/coverage")
    assert body["as_of"] == "2026-11-25"
    by = {m["member"]: m for m in body["items"]}
    assert by["liuzhiyong"]["zone_size"] == 3 and by["liuzhiyong"]["visited_30"] == 1
    assert body["zone_total"] == 11 and body["visited_30"] == 2
    _, body = await _get(api_bot, "/api/coverage", member="chenjunjie")
    assert [m["name"] for m in body["items"]] == ["陈俊杰"]

    await _get(api_bot, "/api/care")
    _, body = await _get(api_bot, "/api/audit", actor="api", object_type="care_entry")
    assert body["total"] == 2 and body["items"][0]["at"] == "2026-11-25T09:40:00+08:00"
    _, body = await _get(api_bot, "/api/audit", **{"from": "2026-11-26"})
    assert body["total"] == 0
    _, body = await _get(api_bot, "/api/audit", limit=1, offset=1, actor="api")
    assert len(body["items"]) == 1 and body["items"][0]["object_id"] == "3"
