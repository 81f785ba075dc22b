"""The committee view end to end: /支部 and /争先 for committee officers only, read-only and audited, pages
within WeCom's 2048 bytes, /api/branches, the committee digest once per deployment; branches stay isolated."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import event, select

from bot import keys, registry
from handlers.people.importer import import_roster
from schedules.runner import run_due
from storage import committee, teams
from storage.committee import BranchComponent as C
from storage.models import AuditEntry, CareEntry
from storage.people import branches
from tests.conftest import Bot
from tests.test_teams import _ledger as team_ledger

DATA = Path(__file__).parent / "data"
SECOND = DATA / "roster_second_branch.csv"
OFFICERS = DATA / "roster_committee.csv"  # 李伟 (liwei): a party member of 机关 and a committee officer
AUTH = {"Authorization": "Bearer admin-secret"}
TZ = ZoneInfo("Asia/Shanghai")
OFFICER = "liwei"
WRITES = re.compile(r"^\s*(INSERT INTO|UPDATE|DELETE FROM)\s+\"?(\w+)", re.IGNORECASE)
PIPELINE = {"inbox", "outbox", "audit", "conversations", "conversation_offers"}


async def _org(bot: Bot) -> None:
    await import_roster(bot.app[keys.DB], SECOND, bot.clock())
    await import_roster(bot.app[keys.DB], OFFICERS, bot.clock())


async def _deeds(bot: Bot) -> None:
    await bot.chat("sunpeng", "食堂晚班没有热饭，希望能解决")
    await bot.chat("tangli", "财务科的打印机坏了，报销单打不出来")


async def _late_in_jiguan(bot: Bot) -> None:
    """本支部's request accepted, 机关's not: two days on, only 机关's is overdue."""
    assert "#1" in (await bot.chat("liuzhiyong", "接单 #1"))[0]
    bot.clock.advance(days=2)


async def _audit(bot: Bot) -> list[AuditEntry]:
    async with bot.app[keys.DB].session(None) as s:
        rows = await s.execute(select(AuditEntry).where(AuditEntry.action == "committee_view").order_by(AuditEntry.id))
        return list(rows.scalars())


def _line(text: str, code: str) -> str:
    return next(line for line in text.splitlines() if re.match(rf"^\d+\. {re.escape(code)} ", line))


async def test_an_officer_sees_every_branch(bot: Bot) -> None:
    await _org(bot)
    await _deeds(bot)
    text = (await bot.chat(OFFICER, "/支部"))[0]
    assert "共 2 个支部 20 人" in text and "排序：逾期事项多的在前" in text
    assert _line(text, "本支部").startswith("1. 本支部 15人 覆盖0% 未办结1 逾期0")
    assert "机关 5人 覆盖0% 未办结1 逾期0" in _line(text, "机关")
    board = (await bot.chat(OFFICER, "/争先"))[0]
    assert "2026年第4季度支部争先（截至11月25日）" in board and "权重：责任区覆盖0.2" in board
    assert "-. 本支部" in board and "-. 机关" in board  # too little activity to be ranked yet
    # the officer is still a party member of 机关 for everything else: a request is numbered there
    assert "编号 #2" in (await bot.chat(OFFICER, "机关办公室的空调坏了，太冷"))[0]


async def test_nobody_else_may_use_the_committee_view(bot: Bot) -> None:
    await _org(bot)
    await _deeds(bot)
    for user in ("wanghaiyan", "gaojian", "songwei", "sunpeng"):  # two secretaries, a member, an employee
        for command in ("/支部", "/支部 机关", "/支部 2", "/争先", "/争先 上季度"):
            reply = await bot.chat(user, command)
            assert len(reply) == 1 and "只有党委工作人员可以使用" in reply[0] and "支部书记请用本支部的命令" in reply[0]
    assert await _audit(bot) == []
    assert "/支部" in (await bot.chat(OFFICER, "/没有这个"))[0]
    assert "/支部" not in (await bot.chat("wanghaiyan", "/没有这个"))[0]


@pytest.mark.both_databases
async def test_committee_views_write_nothing_but_their_audit_lines(bot: Bot) -> None:
    await _org(bot)
    await _deeds(bot)
    async with bot.app[keys.DB].session(2) as s, s.begin():
        tangli = CareEntry(person="tangli", category="illness", responsible="songwei", interval_days=14,
                           summary="母亲住院手术", created_by="songwei", created_at=bot.clock(),
                           next_follow_up=date(2026, 12, 1))
        s.add(tangli)
    written: list[str] = []

    def seen(_conn, _cursor, statement, *_args) -> None:  # type: ignore[no-untyped-def]
        if m := WRITES.match(statement):
            written.append(m[2].lower())

    engine = bot.app[keys.DB].engine.sync_engine
    event.listen(engine, "before_cursor_execute", seen)
    try:
        texts = [(await bot.chat(OFFICER, command))[0] for command in ("/支部", "/支部 机关", "/争先")]
        status = (await bot.client.get("/api/branches", headers=AUTH)).status
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    assert status == 200
    assert set(written) <= PIPELINE and "audit" in written
    detail = texts[1]
    assert "重点关注 1 人（只显示人数）" in detail
    assert not any(word in text for text in texts for word in ("母亲", "住院", "唐丽", "生病", "疾病"))
    lines = [(a.actor, a.object_type, a.object_id, a.branch_id) for a in await _audit(bot)]
    assert lines == [(OFFICER, "branches", "page 1/1", None), (OFFICER, "branch", "2", 2),
                     (OFFICER, "branch_ranking", "2026年第4季度", None), ("api", "branches", "api 2026年第4季度", None)]


async def test_one_branch_in_detail(bot: Bot) -> None:
    await _org(bot)
    await _deeds(bot)
    await _late_in_jiguan(bot)  # not accepted within a day: overdue
    text = (await bot.chat(OFFICER, "/支部 机关"))[0]
    assert text.startswith("【机关支部】代号 机关（截至11月27日）")
    assert "书记：高建；党委工作人员：李伟" in text and "人数 5，党员 3：高建、宋伟、李伟" in text
    assert "办实事未办结 1 件，逾期 1 件：\n· 机关-1 财务科的打印机坏了，报销单打不出来（负责人 宋伟，超过一天未接单）" in text
    assert "支部争先 " in text and "未参与排名" in text
    assert (await bot.chat(OFFICER, "/支部 机关支部"))[0] == (await bot.chat(OFFICER, "/支部 机关"))[0]
    assert (await bot.chat(OFFICER, "/支部 没有的"))[0] == "没有“没有的”这个支部。发“/支部”看支部列表。"
    listing = (await bot.chat(OFFICER, "/支部"))[0]
    assert _line(listing, "机关").startswith("1. 机关 ")  # the most overdue first
    assert "逾期1" in _line(listing, "机关") and "逾期0" in _line(listing, "本支部")


async def test_pages_fit_wecom_and_list_every_branch_once_by_need(bot: Bot) -> None:
    await _org(bot)
    await _deeds(bot)
    await _late_in_jiguan(bot)
    async with bot.app[keys.DB].session(None) as s, s.begin():
        for i in range(150):
            await branches.ensure(s, f"第{i:03d}号基层党支部代号很长", f"第{i:03d}支部", bot.clock())
    seen: list[str] = []
    page = 1
    while True:
        reply = (await bot.chat(OFFICER, f"/支部 {page}"))[0]
        if reply.startswith("只有"):
            break
        assert len(reply.encode("utf-8")) <= 2048 and not reply.endswith("…")
        assert f"第 {page}/" in reply.splitlines()[0]
        seen += [m[1] for m in re.finditer(r"^\d+\. (\S+) ", reply, re.MULTILINE)]
        page += 1
    assert page > 3 and reply == f"只有 {page - 1} 页。"
    assert len(seen) == len(set(seen)) == 152 and seen[0] == "机关"  # its overdue deed: first
    by_coverage = (await bot.chat(OFFICER, "/支部 覆盖"))[0]
    assert "排序：责任区覆盖低的在前" in by_coverage
    ranking = [(await bot.chat(OFFICER, f"/争先 {n}"))[0] for n in (1, 2)]
    assert all(len(r.encode("utf-8")) <= 2048 for r in ranking) and "第 2/" in ranking[1]


async def test_ranking_quarters(bot: Bot) -> None:
    await _org(bot)
    assert (await bot.chat(OFFICER, "/争先 2027Q1"))[0] == "2027年第1季度还没到，没有排名。"
    assert "看不懂季度" in (await bot.chat(OFFICER, "/争先 明年"))[0]
    assert (await bot.chat(OFFICER, "/争先 上季度"))[0].startswith("2026年第3季度支部争先，第 1/1 页")


async def test_api_lists_every_branch(bot: Bot) -> None:
    await _org(bot)
    await _deeds(bot)
    assert (await bot.client.get("/api/branches")).status == 401
    resp = await bot.client.get("/api/branches", headers=AUTH, params={"order": "overdue", "limit": "1"})
    body = await resp.json()
    assert resp.status == 200 and body["total"] == 2 and len(body["items"]) == 1 and body["label"] == "2026年第4季度"
    assert body["totals"]["people"] == 20 and body["totals"]["open_deeds"] == 2
    item = body["items"][0]
    assert set(item["components"]) == {k.value for k in committee.COMPONENTS} and item["ranked"] is False
    assert (await bot.client.get("/api/branches", headers=AUTH, params={"branch": "机关"})).status == 400
    bad = await bot.client.get("/api/branches", headers=AUTH, params={"quarter": "2027Q1"})
    assert bad.status == 400 and "还没到" in (await bad.json())["message"]
    assert (await bot.client.get("/api/branches", headers=AUTH, params={"quarter": "2026Q3"})).status == 200


async def test_committee_digest_goes_to_officers_once_per_deployment(bot: Bot) -> None:
    await _org(bot)
    await _deeds(bot)
    db = bot.app[keys.DB]
    monday = datetime(2026, 11, 30, 8, 13, tzinfo=TZ)
    sent = await run_due(db, monday, registry.sweeps())
    mine = [s for s in sent if s.kind == "committee_digest"]
    assert [s.recipient for s in mine] == [OFFICER]  # one run for the deployment, not one per branch
    text = mine[0].text
    assert text.startswith("## 党委周报\n统计范围：2026年11月23日（周一） 至 2026年11月29日（周日）")
    assert len(text.encode("utf-8")) <= 2048
    assert "**全委**：2 个支部，20 人" in text and "办实事未办结 2 件" in text
    assert "**本期**：按时回访 —，满意办结 —，及时响应" in text
    assert "**支部争先**（2026年第4季度至今）：暂无支部达到排名所需的活动量" in text
    assert "**逾期最多**：" in text and "机关 1 件" in text and "本支部 1 件" in text
    secretaries = {s.recipient for s in sent if s.kind == "digest"}
    assert secretaries == {"wanghaiyan", "gaojian"} and OFFICER not in secretaries
    assert not any("党委周报" in s.text or "支部争先" in s.text for s in sent if s.kind == "digest")
    assert [s for s in await run_due(db, monday + timedelta(hours=1), registry.sweeps())
            if s.kind == "committee_digest"] == []
    monthly = [s for s in await run_due(db, datetime(2026, 12, 1, 8, 13, tzinfo=TZ), registry.sweeps())
               if s.kind == "committee_digest"]
    assert len(monthly) == 1 and monthly[0].text.startswith("## 党委月报\n统计范围：2026年11月1日（周日） 至 2026年11月30日（周一）")
    async with db.session(None) as s:
        lines = (await s.execute(select(AuditEntry.object_id, AuditEntry.branch_id)
                                 .where(AuditEntry.action == "committee_digest"))).all()
    assert lines == [("weekly:2026-W49", None), ("monthly:2026-12", None)]


async def test_the_digest_ranks_top_and_bottom(bot: Bot) -> None:
    await _org(bot)
    db = bot.app[keys.DB]
    async with db.session(None) as s, s.begin():
        board = await committee.quarter(s, date(2026, 10, 1), bot.clock().astimezone(TZ), TZ)
    assert all(not b.ranked for b in board.branches)
    from schedules import committee as digest

    for i in range(8):
        board.branches.append(committee.BranchFigures(10 + i, f"支部{i}", f"支部{i}", parts={C.VISITS: committee.Part(1, 9)},
                                                      score=90.0 - i))
    lines = digest._ranking_lines(committee.Overview(board.start, board.end, board.as_of, board.label, board.weights,
                                                     committee.rank(board.branches)), complete=True)  # type: ignore[arg-type]
    assert lines[0] == "**支部争先**（2026年第4季度）：前列 1. 支部0 90.0分；2. 支部1 89.0分；3. 支部2 88.0分"
    assert lines[1] == "后列 6. 支部5 85.0分；7. 支部6 84.0分；8. 支部7 83.0分"
    assert lines[2] == "未参与排名 2 个支部（活动量不足 5 项）"


@pytest.mark.both_databases
async def test_branch_components_add_up_the_team_scores(bot: Bot) -> None:
    """The same ledger, counted per team in Python (精益班组) and per branch in SQL: the same numbers."""
    await team_ledger(bot)
    db = bot.app[keys.DB]
    now = bot.clock().astimezone(TZ)
    start, end = teams.month_bounds(date(2026, 10, 1), TZ)
    async with db.session(1) as s:
        r = await teams.ranking(s, date(2026, 10, 1), TZ, now=now)
    async with db.session(None) as s:
        board = await committee.overview(s, start, end, now, TZ)
    mine = board.find(1)
    assert mine is not None
    for key in ("visits", "satisfaction", "response", "incidents"):
        num = sum(t.components[key].num for t in r.teams)
        den = sum(t.components[key].den for t in r.teams)
        assert (mine.part(C(key)).num, mine.part(C(key)).den) == (num, den), key
    assert mine.part(C.PARTICIPATION).num == 2  # sunpeng and liuzhiyong came
