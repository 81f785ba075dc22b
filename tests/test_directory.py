"""The WeCom directory sync (通讯录) against the fake WeCom, through the real client, storage and outbox:
initial sync, renamed departments, moved and deleted members (their open work to the secretary),
unmapped departments, idempotence, batches, the mass-retirement guard, the nightly job. Both databases."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from bot import keys
from bot.app import create_app, directory_sync_job
from bot.fakewecom import SAMPLE_MAPPING, FakeDepartment, FakeMember, FakeWeCom
from bot.nlu import Parser
from bot.wecom.directory import DirectoryError, Pace, reader_for
from handlers.people.directory import DirectoryRefused, Report, sync
from handlers.people.importer import import_roster
from handlers.people.mapping import read_mapping
from storage import care, deeds, people
from storage.deeds import DeedStatus
from storage.models import AuditEntry, Person
from storage.people import Role
from tests.conftest import Bot, Clock, make_settings

ROLES = Path(__file__).parent / "data" / "directory_roles.csv"


@pytest.fixture
async def dbot(database_url: str, fake_wecom: tuple[FakeWeCom, str], aiohttp_client: Any, clock: Clock,
               parser: Parser, tmp_path: Path) -> Bot:
    """The real app with a directory mapping, and the fake WeCom's fixture organisation (no roster yet)."""
    fake, api_base = fake_wecom
    fake.directory.load_sample()
    mapping = tmp_path / "mapping.csv"
    mapping.write_text(SAMPLE_MAPPING, encoding="utf-8")
    settings = make_settings(database_url, api_base, directory_mapping=str(mapping))
    app = create_app(settings, clock=clock, run_sender=False, parser=parser)
    return Bot(await aiohttp_client(app), app, fake, settings, clock)


async def run(bot: Bot, **flags: Any) -> Report:
    db = bot.app[keys.DB]
    reader = reader_for(bot.settings, bot.app[keys.HTTP], db, pause=0, pace=Pace(per_second=None))
    report = await sync(db, reader, read_mapping(bot.settings.directory_mapping), bot.clock(), **flags)
    await bot.flush()
    return report


async def person(bot: Bot, userid: str) -> Person:
    async with bot.app[keys.DB].session(None) as session:
        found = await session.get(Person, userid)
        assert found is not None, userid
        return found


async def branch_names(bot: Bot) -> dict[str, str]:
    async with bot.app[keys.DB].session(None) as session:
        return {b.code: b.name for b in await people.branches.all_branches(session)}


async def code_of(bot: Bot, userid: str) -> str:
    async with bot.app[keys.DB].session(None) as session:
        branch = await people.branches.get(session, (await person(bot, userid)).branch_id)
        assert branch is not None
        return branch.code


async def synced_with_roles(bot: Bot) -> None:
    await run(bot)
    await import_roster(bot.app[keys.DB], ROLES, bot.clock())


async def test_initial_sync_places_everyone_by_the_mapping(dbot: Bot) -> None:
    report = await run(dbot)
    names = await branch_names(dbot)
    assert {k: names[k] for k in ("运行", "检修", "机关")} == {"运行": "运行部党支部", "检修": "检修部", "机关": "机关党支部"}
    expected = {"gaoyuan": ("运行", ""), "qianwei": ("运行", "运行一班"), "fengjuan": ("运行", "运行二班"),
                "chenhui": ("检修", ""), "zhuxin": ("检修", "检修二班"), "heping": ("机关", "综合办公室"),
                "tangning": ("机关", "财务科"), "xiaoyu": ("机关", "财务科"), "hanli": ("机关", "党委办公室")}
    for userid, (code, team) in expected.items():
        p = await person(dbot, userid)
        assert (await code_of(dbot, userid), p.team, p.role, p.active) == (code, team, Role.EMPLOYEE, True)
    assert (await person(dbot, "qianwei")).name == "钱伟" and (await person(dbot, "qianwei")).department == 11
    assert len(report.plan.create) == 16 and not report.plan.move and not report.plan.retire
    # the unmapped departments, by id and name, with the people not imported; 离退休 is marked not to import
    assert [(u.department, u.name, u.people) for u in report.unmapped] == [(1, "四精能源公司", 1), (40, "外包服务中心", 2)]
    assert report.ignored == 1
    async with dbot.app[keys.DB].session(None) as session:
        for userid in ("zongjingli", "songtao", "dingwen", "laoli"):
            assert await session.get(Person, userid) is None
    assert dbot.fake.directory.calls["user/list_id"] > 1  # paged with the cursor
    text = "\n".join(report.lines())
    assert "新增 16 人" in text and "部门 40 外包服务中心：2 人" in text and "部门 1 四精能源公司：1 人" in text


async def test_a_second_run_changes_nothing_and_says_so(dbot: Bot) -> None:
    await run(dbot)
    before = {p.userid: p.updated_at for p in await _everyone(dbot)}
    gets = dbot.fake.directory.calls["user/get"]
    report = await run(dbot)
    assert not report.changed and "没有需要更新的内容" in "\n".join(report.lines())
    assert dbot.fake.directory.calls["user/get"] == gets  # nobody new: no names asked
    assert {p.userid: p.updated_at for p in await _everyone(dbot)} == before
    assert not (await run(dbot, full=True)).changed  # asking every name again finds nothing either


async def _everyone(bot: Bot) -> list[Person]:
    async with bot.app[keys.DB].session(None) as session:
        return list((await session.execute(select(Person))).scalars())


async def test_roster_fields_survive_and_the_roster_keeps_the_directorys(dbot: Bot) -> None:
    await synced_with_roles(dbot)
    dbot.fake.directory.members["zhoujie"].name = "周杰伦"
    report = await run(dbot, full=True)
    assert [t.userid for _, t in report.plan.update] == ["zhoujie"]
    p = await person(dbot, "zhoujie")
    assert (p.name, p.zone_member, str(p.retire_on), p.team) == ("周杰伦", "qianwei", "2027-03-01", "运行一班")
    chen = await person(dbot, "chenhui")
    assert (chen.role, chen.phone, chen.committee) == (Role.SECRETARY, "13700000009", True)
    assert (await person(dbot, "qianwei")).grid_leader
    # a roster import does not undo the directory's name, branch or team
    await import_roster(dbot.app[keys.DB], ROLES, dbot.clock())
    assert (await person(dbot, "zhoujie")).name == "周杰伦"


async def test_renamed_departments_rename_the_branch_and_the_team(dbot: Bot) -> None:
    await synced_with_roles(dbot)
    dbot.fake.directory.departments[20].name = "检修中心"  # its branch takes the department's name
    dbot.fake.directory.departments[11].name = "运行甲班"  # a team named like its department
    dbot.fake.directory.departments[10].name = "运行车间"  # the mapping names this branch: unchanged
    report = await run(dbot)
    assert report.plan.renamed_branches == [("检修", "检修部", "检修中心")]
    names = await branch_names(dbot)
    assert names["检修"] == "检修中心" and names["运行"] == "运行部党支部"
    assert (await person(dbot, "qianwei")).team == "运行甲班" and (await person(dbot, "sunli")).team == "运行甲班"
    assert (await person(dbot, "qianwei")).grid_leader  # the same team, renamed: still its 网格长
    assert not (await run(dbot)).changed


async def test_a_moved_member_leaves_the_open_work_with_the_old_branchs_secretary(dbot: Bot) -> None:
    await synced_with_roles(dbot)
    first = await dbot.chat("sunli", "食堂晚班没有热饭，希望能解决")  # goes to her 联系党员 qianwei
    assert "#1" in first[0]
    dbot.fake.directory.members["qianwei"].departments = [21]
    dbot.fake.directory.members["qianwei"].main = 21
    report = await run(dbot)
    assert [(s.userid, t.code) for s, t in report.plan.move] == [("qianwei", "检修")]
    moved = await person(dbot, "qianwei")
    assert (await code_of(dbot, "qianwei"), moved.team, moved.role, moved.grid_leader) == ("检修", "检修一班", Role.MEMBER, False)
    yx = (await person(dbot, "gaoyuan")).branch_id
    async with dbot.app[keys.DB].session(yx) as session:
        item = await deeds.get_by_number(session, 1)
        assert item is not None and (item.owner, item.branch_id) == ("gaoyuan", yx)  # stays in 运行
        assert item.status == DeedStatus.SUBMITTED
    for userid in ("sunli", "zhoujie"):
        assert (await person(dbot, userid)).zone_member is None
    notice = dbot.fake.texts("gaoyuan")[-1]
    assert "钱伟 已调到“检修部”" in notice and "#1" in notice and "孙丽、周杰" in notice
    assert not (await run(dbot)).changed


@pytest.mark.parametrize("how", ["sync", "event"])
async def test_a_deleted_member_hands_open_work_to_the_branch_secretary(dbot: Bot, how: str) -> None:
    await synced_with_roles(dbot)
    await dbot.chat("sunli", "食堂晚班没有热饭，希望能解决")
    yx = (await person(dbot, "gaoyuan")).branch_id
    async with dbot.app[keys.DB].session(yx) as session, session.begin():
        entry = await care.create_entry(session, dbot.clock(), person="zhoujie", category="illness",
                                        responsible="qianwei", summary="住院", source=care.CareSource.MEMBER,
                                        created_by="qianwei")
    xml = dbot.fake.directory.delete_member("qianwei")
    if how == "sync":
        assert [s.userid for s in (await run(dbot)).plan.retire] == ["qianwei"]
    else:
        assert await dbot.contact(xml) == 200
    gone = await person(dbot, "qianwei")
    assert not gone.active and gone.role == Role.MEMBER  # kept: their records still name them
    async with dbot.app[keys.DB].session(yx) as session:
        item = await deeds.get_by_number(session, 1)
        assert item is not None and item.owner == "gaoyuan"
        assert (await care.get_entry(session, entry.id)).responsible == "gaoyuan"  # type: ignore[union-attr]
        assert [p.userid for p in await people.by_role(session, Role.MEMBER)] == ["wuhao"]  # no longer listed
        audited = (await session.execute(select(AuditEntry).where(AuditEntry.actor == "directory"))).scalars()
        assert {a.action for a in audited} >= {"item_assigned", "hand_over", "zone_member"}
    notice = dbot.fake.texts("gaoyuan")[-1]
    assert "钱伟 已不在企业微信通讯录中" in notice and "#1" in notice and "精密关注 1 条" in notice
    assert "孙丽、周杰" in notice
    assert not (await run(dbot)).changed


async def test_an_unmapped_department_is_reported_and_its_people_not_imported(dbot: Bot) -> None:
    await run(dbot)
    dbot.fake.directory.add_department(60, 1, "新能源项目部")
    dbot.fake.directory.add_member("xinren", "辛仁", 60)
    dbot.fake.directory.move_member("tangning", 60)  # someone already synced goes there: left as is
    report = await run(dbot)
    assert (60, "新能源项目部", 2) in [(u.department, u.name, u.people) for u in report.unmapped]
    assert report.kept == ["唐宁"] and not report.plan.changed
    async with dbot.app[keys.DB].session(None) as session:
        assert await session.get(Person, "xinren") is None
    assert (await person(dbot, "tangning")).active


async def test_a_dry_run_reports_and_writes_nothing(dbot: Bot) -> None:
    report = await run(dbot, dry_run=True)
    assert len(report.plan.create) == 16 and report.applied is None and "预演" in report.lines()[0]
    assert await _everyone(dbot) == []


async def test_too_many_leavers_at_once_are_refused_unless_forced(dbot: Bot) -> None:
    big = dbot.fake.directory.populate(2, 3, 10)
    (Path(dbot.settings.directory_mapping or "")).write_text(SAMPLE_MAPPING + big.split("\n", 1)[1], encoding="utf-8")
    dbot.fake.directory.page_size = 50
    await run(dbot)
    for userid in [u for u in dbot.fake.directory.members if u.startswith("u0x")]:
        del dbot.fake.directory.members[userid]  # 30 of 75 gone at once: a mapping or permission mistake?
    with pytest.raises(DirectoryRefused, match="超过 20%"):
        await run(dbot)
    assert (await person(dbot, "u0x0x0")).active
    assert len((await run(dbot, force=True)).plan.retire) == 30
    assert not (await person(dbot, "u0x0x0")).active


async def test_thousands_of_members_in_batches_and_in_seconds(dbot: Bot) -> None:
    mapping = dbot.fake.directory.populate(10, 10, 30)  # 3000 members, 10 branches, 100 teams
    Path(dbot.settings.directory_mapping or "").write_text(mapping, encoding="utf-8")
    dbot.fake.directory.page_size = 1000
    started = time.monotonic()
    report = await run(dbot)
    first = time.monotonic() - started
    assert len(report.plan.create) == 3000 and len(report.plan.new_branches) == 10
    started = time.monotonic()
    again = await run(dbot)
    second = time.monotonic() - started
    assert not again.changed and again.calls.get("user/get", 0) == 0
    assert (await person(dbot, "u9x9x29")).team == "第10部10班"
    print(f"\n3000 members: first sync {first:.1f}s, unchanged second sync {second:.1f}s")
    assert first < 30 and second < 10


async def test_the_nightly_job_syncs_through_the_app(dbot: Bot) -> None:
    await directory_sync_job(dbot.app)
    assert (await person(dbot, "qianwei")).team == "运行一班"


async def test_wecom_errors_are_retried_or_explained(dbot: Bot) -> None:
    dbot.fake.directory.failures.extend([-1, 45033])  # busy, then too many at once: retried
    assert len((await run(dbot)).plan.create) == 16
    dbot.fake.expire_tokens()  # a token WeCom no longer takes: fetched again
    assert not (await run(dbot)).changed
    dbot.fake.directory.failures.append(60020)
    with pytest.raises(DirectoryError, match="企业可信IP"):
        await run(dbot)
    dbot.fake.directory.add_member("secret1", "保密", 11)
    dbot.fake.directory.refused["secret1"] = 60011  # this one member may not be read: skipped, the rest goes on
    dbot.fake.directory.add_member("open1", "公开", 11)
    report = await run(dbot)
    assert report.unreadable == 1 and len(report.plan.create) == 1 and "不允许读取" in "\n".join(report.lines())


async def test_calls_are_paced_under_wecoms_limits() -> None:
    pace = Pace(per_second=200.0, per_hour=30)
    started = asyncio.get_running_loop().time()
    for _ in range(20):
        await pace.turn()
    assert asyncio.get_running_loop().time() - started >= 19 / 200.0 * 0.9
    pace.hold(0.05)
    before = asyncio.get_running_loop().time()
    await pace.turn()
    assert asyncio.get_running_loop().time() - before >= 0.04


async def test_an_upgraded_single_branch_roster_joins_the_directory(bot: Bot, tmp_path: Path) -> None:
    """The sample roster (branch 1, 本支部, never synced) and a directory with the same people: mapped
    to a new code they would all move, which is refused; mapped to 本支部 they stay, with their roles."""
    directory = bot.fake.directory
    directory.departments[1] = FakeDepartment(1, 0, "公司")
    for dept, name in ((10, "一支部"), (11, "运行一班"), (12, "运行二班"), (13, "检修班"), (14, "综合办公室")):
        directory.departments[dept] = FakeDepartment(dept, 1 if dept == 10 else 10, name)
    teams = {"运行一班": 11, "运行二班": 12, "检修班": 13, "综合办公室": 14}
    async with bot.app[keys.DB].session(None) as session:
        roster = await people.all_people(session)
    for p in roster:
        directory.members[p.userid] = FakeMember(p.userid, p.name, [teams[p.team]], teams[p.team])
    mapping = tmp_path / "m.csv"
    mapping.write_text("部门ID,支部代号,班组\n10,一支部,下级\n", encoding="utf-8")
    bot.settings = bot.settings.replace(directory_mapping=str(mapping))
    with pytest.raises(DirectoryRefused, match="本支部"):
        await run(bot)
    mapping.write_text("部门ID,支部代号,班组\n10,本支部,下级\n", encoding="utf-8")
    report = await run(bot)
    assert not report.plan.move and not report.plan.create and len(report.plan.update) == len(roster)
    p = await person(bot, "liuzhiyong")
    assert (p.branch_id, p.team, p.role, p.grid_leader, p.department) == (1, "运行一班", Role.MEMBER, True, 11)
    assert (await person(bot, "sunpeng")).zone_member == "liuzhiyong"
    assert not (await run(bot)).changed
