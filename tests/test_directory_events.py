"""``change_contact`` events through the real encrypted webhook, inbox, people router and directory
worker; the mapping file's checks and how it places departments; the ``sijing directory`` commands."""

from __future__ import annotations

import asyncio
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from bot import keys
from bot.events import dedupe_key
from bot.fakewecom import SAMPLE_MAPPING, FakeWeCom
from handlers.people.mapping import DirectoryMapping, MappingFileError, Resolver, Row, read_mapping
from storage import deeds
from storage.models import DirectoryChange, InboxRow, Person
from storage.people import Role
from tests.conftest import Bot, make_settings
from tests.test_directory import branch_names, code_of, dbot, person, run, synced_with_roles

__all__ = ["dbot"]  # the fixture, shared with test_directory
ROOT = Path(__file__).resolve().parent.parent


async def test_a_new_member_arrives_by_event(dbot: Bot) -> None:
    await synced_with_roles(dbot)
    xml = dbot.fake.directory.add_member("xinyuan", "辛媛", 12)  # like WeCom now: UserID and Department only
    assert await dbot.contact(xml) == 200
    p = await person(dbot, "xinyuan")
    assert (p.name, await code_of(dbot, "xinyuan"), p.team, p.role) == ("辛媛", "运行", "运行二班", Role.EMPLOYEE)
    assert dbot.fake.to("sys") == []  # WeCom's own events get no answer
    async with dbot.app[keys.DB].session(None) as session:
        assert (await session.execute(select(func.count()).select_from(DirectoryChange))).scalar_one() == 0


async def test_a_repeated_callback_is_one_change_and_a_repeated_change_changes_nothing(dbot: Bot) -> None:
    await synced_with_roles(dbot)
    xml = dbot.fake.directory.move_member("zhengyi", 11)
    body, query = dbot.crypto.sign_body(xml, agent_id=dbot.settings.wecom_agent_id)
    for _ in range(3):  # WeCom retries with the identical payload
        assert (await dbot.post(body, query)).status == 200
    await dbot.flush()
    async with dbot.app[keys.DB].session(None) as session:
        assert (await session.execute(select(func.count()).select_from(DirectoryChange))).scalar_one() == 1
        rows = (await session.execute(select(func.count()).select_from(InboxRow))).scalar_one()
    assert await dbot.contact(xml) == 200  # the same once more: the inbox drops it
    async with dbot.app[keys.DB].session(None) as session:
        assert (await session.execute(select(func.count()).select_from(InboxRow))).scalar_one() == rows
    p = await person(dbot, "zhengyi")
    assert (p.team, p.zone_member) == ("运行一班", "wuhao")  # same branch: 联系党员 kept
    before = p.updated_at
    dbot.clock.advance(minutes=1)
    later = int(time.time()) + 60  # another callback about the same change: applied again, nothing new
    await dbot.contact(dbot.fake.directory.event("update_user", created=later, UserID="zhengyi", Department=11))
    assert (await person(dbot, "zhengyi")).updated_at == before


def test_changes_in_the_same_second_are_told_apart() -> None:
    base = {"FromUserName": "sys", "CreateTime": "1700000000", "MsgType": "event", "Event": "change_contact",
            "ChangeType": "create_user"}
    keys_ = {dedupe_key({**base, "UserID": u}) for u in ("a", "b", "c")}
    assert len(keys_) == 3 and all(len(k) < 255 for k in keys_)
    assert dedupe_key({**base, "UserID": "a"}) == dedupe_key({**base, "UserID": "a"})


async def test_many_members_created_in_one_second(dbot: Bot) -> None:
    await run(dbot)
    xmls = [dbot.fake.directory.add_member(f"new{i}", f"新人{i}", 21) for i in range(12)]
    for xml in xmls:
        body, query = dbot.crypto.sign_body(xml, agent_id=dbot.settings.wecom_agent_id)
        assert (await dbot.post(body, query)).status == 200
    await dbot.contact(xmls[0])
    async with dbot.app[keys.DB].session(None) as session:
        found = (await session.execute(select(Person.userid).where(Person.userid.like("new%")))).scalars().all()
    assert len(found) == 12


async def test_a_move_by_event_hands_open_work_over(dbot: Bot) -> None:
    await synced_with_roles(dbot)
    await dbot.chat("sunli", "食堂晚班没有热饭，希望能解决")
    await dbot.contact(dbot.fake.directory.move_member("qianwei", 31))
    assert await code_of(dbot, "qianwei") == "机关" and (await person(dbot, "qianwei")).team == "综合办公室"
    notice = dbot.fake.texts("gaoyuan")[-1]
    assert "钱伟 已调到“机关党支部”" in notice and "#1" in notice


async def test_a_renamed_account_keeps_its_roster_entry_and_its_work(dbot: Bot) -> None:
    await synced_with_roles(dbot)
    await dbot.chat("sunli", "食堂晚班没有热饭，希望能解决")
    assert await dbot.contact(dbot.fake.directory.change_userid("qianwei", "qianwei2")) == 200
    new = await person(dbot, "qianwei2")
    assert (new.name, new.role, new.phone, new.grid_leader, new.active) == ("钱伟", Role.MEMBER, "13700000002", True, True)
    assert not (await person(dbot, "qianwei")).active
    assert (await person(dbot, "sunli")).zone_member == "qianwei2"
    async with dbot.app[keys.DB].session(new.branch_id) as session:
        item = await deeds.get_by_number(session, 1)
        assert item is not None and item.owner == "qianwei2"
    assert not any("钱伟" in t for t in dbot.fake.texts("gaoyuan"))  # nothing for the secretary to do
    assert not (await run(dbot)).changed


async def test_department_events_rename_branches_and_teams(dbot: Bot) -> None:
    await synced_with_roles(dbot)
    await dbot.contact(dbot.fake.directory.rename_department(21, "检修甲班"))
    assert (await person(dbot, "hanmei")).team == "检修甲班" and (await person(dbot, "yangfan")).team == "检修甲班"
    await dbot.contact(dbot.fake.directory.rename_department(20, "检修中心"))
    assert (await branch_names(dbot))["检修"] == "检修中心"
    await dbot.contact(dbot.fake.directory.add_department(23, 20, "检修三班"))  # empty: nothing to do
    await dbot.contact(dbot.fake.directory.add_member("sanban", "叁班", 23))
    assert (await person(dbot, "sanban")).team == "检修三班"
    assert not (await run(dbot)).changed


async def test_a_stale_delete_does_not_retire_someone_wecom_still_has(dbot: Bot) -> None:
    await run(dbot)
    await dbot.contact(dbot.fake.directory.event("delete_user", UserID="sunli"))
    assert (await person(dbot, "sunli")).active


async def test_without_a_mapping_the_events_are_ignored(bot: Bot) -> None:
    bot.fake.directory.load_sample()
    assert await bot.contact(bot.fake.directory.add_member("xinyuan", "辛媛", 12)) == 200
    assert bot.fake.to("sys") == []  # not "not in the roster"
    async with bot.app[keys.DB].session(None) as session:
        assert await session.get(Person, "xinyuan") is None


# -- the mapping file ----------------------------------------------------------------------------


def _mapping(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "m.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_every_bad_row_is_named_in_chinese(tmp_path: Path) -> None:
    path = _mapping(tmp_path, "部门ID,支部代号,支部名称,班组\n"
                              "abc,运行,,\n"           # 2
                              "10,运行,运行部党支部,下级\n"  # 3 fine
                              "10,检修,,\n"            # 4 duplicate
                              "11,,,\n"                # 5 nothing said
                              "12,运 行,,\n"           # 6 a space in the code
                              "13,运行,另一个名字,\n"    # 7 another name for 运行
                              "14,-,,班组甲\n"          # 8 not imported, yet a team
                              "15,,机关党支部,\n"        # 9 a name without a code
                              "16,一二三四五六七八九十一二三四五六七,,\n"  # 10 too long
                              ",,,\n")                # blank: skipped
    with pytest.raises(MappingFileError) as caught:
        read_mapping(path)
    errors = {e.row: e.reason for e in caught.value.errors}
    assert sorted(errors) == [2, 4, 5, 6, 7, 8, 9, 10]
    assert "部门ID“abc”不是正整数" in errors[2]
    assert "与第 3 行重复" in errors[4]
    assert "既没有支部代号也没有班组" in errors[5]
    assert "不含空格" in errors[6] and "不超过 16 个字" in errors[10]
    assert "第 3 行的支部名称是“运行部党支部”" in errors[7]
    assert "不导入（-）的部门不能再填支部名称或班组" in errors[8]
    assert "填了支部名称却没有支部代号" in errors[9]


def test_files_without_the_department_column_or_rows_are_refused(tmp_path: Path) -> None:
    with pytest.raises(MappingFileError, match="缺少列: department"):
        read_mapping(_mapping(tmp_path, "支部代号,班组\n运行,\n"))
    with pytest.raises(MappingFileError, match="没有任何部门"):
        read_mapping(_mapping(tmp_path, "部门ID,支部代号\n"))
    with pytest.raises(MappingFileError, match="文件不存在"):
        read_mapping(tmp_path / "nope.csv")


def test_an_excel_mapping_reads_like_a_csv(tmp_path: Path) -> None:
    wb = Workbook()
    ws = wb.active
    for row in [("部门ID", "支部代号", "支部名称", "班组"), (10, "运行", "运行部党支部", "下级"), (31.0, None, None, "综合办公室")]:
        ws.append(row)
    wb.save(tmp_path / "m.xlsx")
    rows = read_mapping(tmp_path / "m.xlsx").rows
    assert rows[10].code == "运行" and rows[31].team == "综合办公室"


def test_how_departments_are_placed(tmp_path: Path) -> None:
    mapping = read_mapping(_mapping(tmp_path, SAMPLE_MAPPING + "33,,,\u73ed\u7ec4\u4e59\n60,,,*\n"))
    parents = {1: 0, 10: 1, 11: 10, 111: 11, 20: 1, 21: 20, 30: 1, 31: 30, 32: 30, 33: 30, 40: 1, 50: 1, 51: 50, 60: 1}
    resolver = Resolver(mapping, parents)
    names = {10: "运行部", 11: "运行一班", 20: "检修部", 21: "检修一班", 32: "财务科", 60: "孤班"}

    def at(d: int) -> tuple[str, str, str] | None:
        p = resolver.place(d, names)
        return None if p is None else (p.code, p.branch_name, p.team)

    assert at(10) == ("运行", "运行部党支部", "")  # people of the branch's own department: no team
    assert at(11) == at(111) == ("运行", "运行部党支部", "运行一班")  # 下级: each sub-department, with its own below
    assert at(21) == ("检修", "检修部", "检修一班")  # no branch name given: the department's
    assert at(31) == ("机关", "机关党支部", "综合办公室") and at(32) == ("机关", "机关党支部", "财务科")
    assert at(33) == ("机关", "机关党支部", "班组乙")
    assert at(1) is None and at(40) is None  # unmapped
    assert at(50) is None and at(51) is None and resolver.spec(51) is not None  # not imported (and not unmapped)
    assert at(60) is None and resolver.spec(60) is None  # a team with no branch above it: unmapped
    assert resolver.names_needed([11, 21, 32]) == {11, 20, 21, 32}
    assert resolver.subtree(10) == {10, 11, 111}


def test_a_name_wecom_does_not_give_comes_from_the_file() -> None:
    mapping = DirectoryMapping({5: Row(2, 5, "甲", "", "*", "甲车间"), 6: Row(3, 6, "", "", "*")})
    placed = Resolver(mapping, {5: 1, 6: 5}).place(6, {})
    assert placed is not None and (placed.branch_name, placed.team) == ("甲车间", "部门6")


# -- the commands ----------------------------------------------------------------------------------


async def _sijing(*args: str, env: dict[str, str]) -> tuple[int, str, str]:
    proc = await asyncio.create_subprocess_exec(sys.executable, "-m", "bot.cli", *args, cwd=ROOT,
                                                env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    out, err = await asyncio.wait_for(proc.communicate(), 120)
    return int(proc.returncode or 0), out.decode(), err.decode()


def _env(settings: Any) -> dict[str, str]:
    return {"PATH": "/usr/bin:/bin", "SIJING_DATABASE_URL": settings.database_url,
            "SIJING_WECOM_CORP_ID": settings.wecom_corp_id, "SIJING_WECOM_AGENT_ID": str(settings.wecom_agent_id),
            "SIJING_WECOM_SECRET": settings.wecom_secret, "SIJING_WECOM_TOKEN": settings.wecom_token,
            "SIJING_WECOM_AES_KEY": settings.wecom_aes_key, "SIJING_WECOM_API_BASE": settings.wecom_api_base}


async def test_the_sync_command(database_url: str, fake_wecom: tuple[FakeWeCom, str], tmp_path: Path) -> None:
    fake, api_base = fake_wecom
    fake.directory.load_sample()
    env = _env(make_settings(database_url, api_base))
    mapping = _mapping(tmp_path, SAMPLE_MAPPING)
    code, out, err = await _sijing("directory", "sync", "--dry-run", "--mapping", str(mapping), env=env)
    assert code == 0, err
    assert "预演" in out and "新增 16 人" in out and "部门 40 外包服务中心：2 人" in out
    code, out, err = await _sijing("directory", "sync", env={**env, "SIJING_DIRECTORY_MAPPING": str(mapping)})
    assert code == 0 and "通讯录同步完成" in out and "新增 16 人" in out, err
    code, out, _ = await _sijing("directory", "sync", "--mapping", str(mapping), env=env)
    assert "没有需要更新的内容" in out
    code, _, err = await _sijing("directory", "sync", env=env)
    assert code == 1 and "SIJING_DIRECTORY_MAPPING" in err


async def test_the_check_command(tmp_path: Path) -> None:
    env = {"PATH": "/usr/bin:/bin", "SIJING_DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}"}
    code, out, _ = await _sijing("directory", "check", "--mapping", str(_mapping(tmp_path, SAMPLE_MAPPING)), env=env)
    assert code == 0 and "7 个部门，3 个支部" in out
    code, _, err = await _sijing("directory", "check", "--mapping", str(_mapping(tmp_path, "部门ID,班组\nx,甲\n")), env=env)
    assert code == 1 and "第 2 行" in err and "不是正整数" in err
