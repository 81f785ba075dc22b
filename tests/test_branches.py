"""Branch isolation on every read path: chat, API, export, sweeps and digest; numbers per branch."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from openpyxl import load_workbook

from bot import keys, registry
from bot.export import export_workbook
from handlers.people.importer import import_roster
from schedules.runner import run_due
from storage import deeds, people
from tests.conftest import Bot

SECOND = Path(__file__).parent / "data" / "roster_second_branch.csv"
AUTH = {"Authorization": "Bearer admin-secret"}


async def _two_branches(bot: Bot) -> None:
    await import_roster(bot.app[keys.DB], SECOND, bot.clock())


@pytest.mark.both_databases
async def test_numbers_and_records_are_per_branch(bot: Bot) -> None:
    await _two_branches(bot)
    first = await bot.chat("sunpeng", "食堂晚班没有热饭，希望能解决")
    second = await bot.chat("tangli", "财务科的打印机坏了，报销单打不出来")
    assert "编号 #1" in first[0] and "编号 #1" in second[0]  # each branch counts from 1
    # the other branch's secretary sees only hers
    board = (await bot.chat("gaojian", "/待办"))[0]
    assert "打印机" in board and "食堂" not in board and board.startswith("未办结事项共 1 件")  # counted per branch too
    assert "食堂" not in (await bot.chat("gaojian", "#1 进度"))[0]
    # the zone member of the second branch got the card, not the first branch's
    assert any("打印机" in t for t in bot.fake.texts("songwei"))
    assert not any("打印机" in t for t in bot.fake.texts("liuzhiyong"))
    async with bot.app[keys.DB].session(None) as session:
        rows = await deeds.list_items(session, limit=10)
    assert sorted((i.branch_id, i.number) for i in rows) == [(1, 1), (2, 1)]


async def test_names_resolve_within_the_branch(bot: Bot) -> None:
    await _two_branches(bot)
    # /指派 to someone of another branch: not in this branch's roster
    await bot.chat("sunpeng", "食堂晚班没有热饭，希望能解决")
    assert "名册里没有账号" in (await bot.chat("wanghaiyan", "/指派 #1 songwei"))[0]


async def test_api_export_and_digest_see_one_branch(bot: Bot, tmp_path: Path) -> None:
    await _two_branches(bot)
    await bot.chat("sunpeng", "食堂晚班没有热饭，希望能解决")
    await bot.chat("tangli", "财务科的打印机坏了，报销单打不出来")
    assert (await bot.client.get("/api/items", headers=AUTH)).status == 400  # which branch?
    one = await (await bot.client.get("/api/items", params={"branch": "机关"}, headers=AUTH)).json()
    assert [i["title"] for i in one["items"]] == ["财务科的打印机坏了，报销单打不出来"]  # (bot.nlu.summary.title)
    out = tmp_path / "台账.xlsx"
    await export_workbook(bot.app[keys.DB], out, bot.settings.tz, registry.sheet_writers(), branch="本支部")
    cells = [c for row in load_workbook(out)["办实事清单"].iter_rows(values_only=True) for c in row]
    assert "食堂晚班没有热饭" in cells and "财务科的打印机坏了，报销单打不出来" not in cells


async def test_sweeps_escalate_to_the_records_branch_secretary(bot: Bot) -> None:
    await _two_branches(bot)
    await bot.chat("tangli", "财务科的打印机坏了，报销单打不出来")
    bot.clock.advance(days=5)  # Monday: past the first-response limit, a working day
    sent = await run_due(bot.app[keys.DB], bot.clock().astimezone(bot.settings.tz) + timedelta(hours=1),
                         registry.sweeps())
    escalated = {s.recipient for s in sent if s.kind == "item_escalate"}
    assert escalated == {"gaojian"}  # not the first branch's secretary


async def test_a_roster_file_names_branches_and_keeps_zones_inside_them(bot: Bot) -> None:
    await _two_branches(bot)
    async with bot.app[keys.DB].session(None) as session:
        codes = [b.code for b in await people.branches.all_branches(session)]
        tangli = await people.get(session, "tangli")
    assert codes == ["本支部", "机关"] and tangli is not None and tangli.branch_id == 2


@pytest.mark.both_databases
async def test_ledger_coverage_and_ranking_in_chat_see_one_branch(bot: Bot) -> None:
    await _two_branches(bot)
    await bot.chat("sunpeng", "我住院了，下周一手术")
    await bot.chat("sunpeng", "是")
    await bot.chat("tangli", "我最近家里有困难")
    await bot.chat("tangli", "是")
    await bot.chat("songwei", "今天看望了冯涛")
    first = (await bot.chat("wanghaiyan", "/台账"))[0]
    second = (await bot.chat("gaojian", "/台账"))[0]
    assert "（1 人次）" in first and "孙鹏" in first and "唐丽" not in first
    assert "（1 人次）" in second and "唐丽" in second and "孙鹏" not in second and "宋伟 1" in second
    cov = (await bot.chat("gaojian", "/覆盖"))[0]
    assert "宋伟：2 / 1 / 1" in cov and "合计：2 / 1 / 1" in cov and "刘志勇" not in cov
    assert "刘志勇" in (await bot.chat("wanghaiyan", "/覆盖"))[0]
    rank = (await bot.chat("gaojian", "/排名"))[0]
    assert "财务科" in rank and "运行一班" not in rank and "宋伟" in rank
