"""Wrong-kind, missing, foreign and malformed numbers in every command that takes one, through the webhook.

Branch 1 (the test roster) has deed #1, incident #2, 帮扶1号, 培训1, 活动1 and 问卷 #1; branch 2 has
deeds #1–#7 ("打印机…"), so #7 exists only there. Each row says what the sender typed and what the
answer must say (the kind of number expected, or that there is no such one); no answer may be the
apology for an internal error, the generic help, or reveal the other branch's record.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from bot import keys
from bot.processor import APOLOGY
from handlers.people.importer import import_roster
from storage import deeds, duty, gatherings
from storage.models import InboxRow
from tests.conftest import Bot

SECOND = Path(__file__).parent / "data" / "roster_second_branch.csv"
SECRETARY, MEMBER, EMPLOYEE = "wanghaiyan", "liuzhiyong", "sunpeng"
FOREIGN = "打印机"
ONE_LINE = ("/帮扶 新建 运行二班班组建设 对象=运行二班 目标=倒班疲劳问题明显改善 成员=张敏,陈俊杰 截止=2026-12-31 "
            "里程碑=12月10日:摸底;12月20日:整改 标准=班组满意度不低于90%")


async def _seed(bot: Bot) -> None:
    await import_roster(bot.app[keys.DB], SECOND, bot.clock())
    now = bot.clock()
    db = bot.app[keys.DB]
    async with db.session(1) as s, s.begin():
        await deeds.create(s, now=now, requester=EMPLOYEE, owner=MEMBER, text="车间照明坏了", category="facilities")
        await duty.create_incident(s, reporter=EMPLOYEE, team="运行一班", text="配电室冒烟", urgent=True, now=now,
                                   owner=MEMBER, alerted=[MEMBER, SECRETARY])
        for kind in ("training", "activity"):
            await gatherings.create(s, kind=kind, title="电工培训" if kind == "training" else "羽毛球赛",
                                    starts_at=now + timedelta(days=3), place="三楼会议室", capacity=10,
                                    created_by=SECRETARY, now=now)
    async with db.session(2) as s, s.begin():
        for i in range(7):
            await deeds.create(s, now=now, requester="tangli", owner="songwei", text=f"{FOREIGN}坏了第{i}台",
                               category="facilities")
    assert "已新建帮扶1号" in (await bot.chat(SECRETARY, ONE_LINE))[0]
    assert "已新建问卷 #1" in (await bot.chat(SECRETARY, "/问卷 新建 食堂意见"))[0]
    await bot.chat(SECRETARY, "单选 食堂满意度如何？ 满意/一般/不满意")
    await bot.chat(SECRETARY, "完成")


# (who, what they type, fragments the answer must contain)
CASES: list[tuple[str, str, tuple[str, ...]]] = [
    (MEMBER, "#1 收到", ("已接单 #1",)),  # first: rows below reassign #1
    # /指派: a deed's number and an account
    (SECRETARY, "/指派 #2 zhouli", ("#2 是突发事件", "不是办实事")),
    (SECRETARY, "/指派 #99 zhouli", ("没有找到编号 #99",)),
    (SECRETARY, "/指派 #7 zhouli", ("没有找到编号 #7",)),
    (SECRETARY, "/指派 zhouli", ("用法：/指派 #N 账号",)),
    (SECRETARY, "/指派 #abc zhouli", ("用法：/指派 #N 账号",)),
    (SECRETARY, "/指派 #1", ("用法：/指派 #N 账号",)),
    (SECRETARY, "/指派", ("用法：/指派 #N 账号",)),
    (SECRETARY, "/指派 #99999999999 zhouli", ("#N",)),
    (SECRETARY, "/指派 #１ zhouli", ("周丽",)),
    (SECRETARY, "/指派 #1 nobody", ("名册里没有账号“nobody”",)),
    # /关闭: a deed (with a reason) or an incident (with what was done)
    (SECRETARY, "/关闭 #99 已处理", ("没有找到编号 #99",)),
    (SECRETARY, "/关闭 #7 已处理", ("没有找到编号 #7",)),
    (SECRETARY, "/关闭", ("用法：/关闭 #N 原因",)),
    (SECRETARY, "/关闭 已经处理好了", ("用法：/关闭 #N 原因",)),
    (SECRETARY, "/关闭 #99999999999 已处理", ("#N",)),
    (SECRETARY, "/关闭 #1", ("必须写明原因",)),
    (SECRETARY, "/关闭 #2", ("#2",)),
    (MEMBER, "/关闭 #1 已修好", ("只有支部书记",)),
    # /事件 N: an incident's number
    (SECRETARY, "/事件 1", ("#1", "不是突发事件")),
    (SECRETARY, "/事件 99", ("#99",)),
    (SECRETARY, "/事件 7", ("#7",)),
    (SECRETARY, "/事件 abc", ("/事件",)),
    (SECRETARY, "/事件 99999999999", ("/事件",)),
    # 帮扶 projects
    (SECRETARY, "/帮扶 99", ("99",)),
    (SECRETARY, "/帮扶 abc", ("/帮扶",)),
    (SECRETARY, "/帮扶 9999999", ("/帮扶",)),
    (SECRETARY, "/帮扶 评估 99 达成 全员通过", ("99",)),
    (SECRETARY, "/帮扶 评估 abc", ("/帮扶 评估",)),
    (SECRETARY, "/帮扶 评估", ("/帮扶 评估",)),
    # trainings and activities
    (SECRETARY, "/培训 99", ("培训99",)),
    (SECRETARY, "/活动 99", ("活动99",)),
    (SECRETARY, "/培训 取消 99", ("培训99",)),
    (SECRETARY, "/活动 取消 99", ("活动99",)),
    (SECRETARY, "/签到 培训99 孙鹏", ("培训99",)),
    (SECRETARY, "/签到 活动99 孙鹏", ("活动99",)),
    (SECRETARY, "/签到 培训abc 孙鹏", ("/签到",)),
    (SECRETARY, "/签到", ("/签到",)),
    (SECRETARY, "/签到 培训1", ("/签到 培训1",)),
    (SECRETARY, "/签到 培训1 查无此人", ("查无此人",)),
    # surveys
    (SECRETARY, "/问卷 发布 99 全体", ("#99",)),
    (SECRETARY, "/问卷 结果 99", ("#99",)),
    (SECRETARY, "/问卷 关闭 99", ("#99",)),
    (SECRETARY, "/问卷 编辑 99", ("#99",)),
    (SECRETARY, "/问卷 发布 abc 全体", ("/问卷 发布",)),
    (SECRETARY, "/问卷 发布", ("/问卷 发布",)),
    (SECRETARY, "/问卷 结果", ("/问卷 结果",)),
    (SECRETARY, "/问卷 关闭", ("/问卷 关闭",)),
    (SECRETARY, "/问卷 编辑 abc", ("/问卷 编辑",)),
    (SECRETARY, "/培训 取消 abc", ("用法", "/培训 N 名单")),
    (SECRETARY, "/问卷 结果 99999999999", ("/问卷 结果",)),
    (EMPLOYEE, "/问卷 继续 99", ("#99",)),
    # an owner's and a requester's words with a number
    (MEMBER, "接单 #99", ("没有找到编号 #99",)),
    (MEMBER, "接单 #7", ("没有找到编号 #7",)),
    (MEMBER, "#99 已解决", ("#99",)),
    (EMPLOYEE, "#99 满意", ("#99",)),
    (EMPLOYEE, "#7 进度", ("#7",)),
    (MEMBER, "接单 #2", ("#2",)),
    (EMPLOYEE, "#2 满意", ("#2",)),
    (SECRETARY, "收到 #99", ("#99",)),
    (SECRETARY, "/指派 #0 zhouli", ("#0",)),
    (SECRETARY, "/事件 0", ("#0",)),
    (SECRETARY, "/事件 ２", ("事件 #2",)),
    (SECRETARY, "/帮扶 １", ("帮扶1号",)),
    (SECRETARY, "/指派 #1 周丽", ("周丽",)),
    # sign-ups and projects in everyday words
    (EMPLOYEE, "报名 培训99", ("培训99",)),
    (EMPLOYEE, "取消报名 培训99", ("培训99",)),
    (EMPLOYEE, "报名 活动99", ("活动99",)),
    (EMPLOYEE, "取消报名 培训1", ("没有报名",)),
    ("zhangmin", "帮扶99号 里程碑1 完成", ("帮扶99号",)),
    ("zhangmin", "帮扶1号 里程碑9 完成", ("没有这个里程碑",)),
    ("zhangmin", "帮扶99号 已完成摸底", ("帮扶99号",)),
    (EMPLOYEE, "对帮扶99号的意见：希望多组织培训", ("帮扶99号",)),
    (EMPLOYEE, "继续问卷 99", ("#99",)),
    # the other branch's secretary: branch 1's numbers are not theirs
    ("gaojian", "/帮扶 1", ("帮扶1号",)),
    ("gaojian", "/问卷 结果 1", ("#1",)),
    ("gaojian", "/培训 1", ("培训1",)),
    ("gaojian", "/签到 培训1 唐丽", ("培训1",)),
    ("gaojian", "/事件 2", ("#2", "不是突发事件")),
    ("gaojian", "/指派 #9 songwei", ("#9",)),
]


def _judge(replies: list[str], expected: tuple[str, ...] | str) -> str:
    """What is wrong with the answer ("" when nothing is)."""
    if not replies:
        return "no answer"
    if APOLOGY in replies:
        return "an internal error"
    if any(FOREIGN in r for r in replies):
        return "the other branch's record revealed"
    wanted = (expected,) if isinstance(expected, str) else expected
    missing = [f for f in wanted if f not in replies[0]]
    return f"missing {missing} in {replies[0]!r}" if missing else ""


async def _failed_rows(bot: Bot) -> list[str]:
    async with bot.app[keys.DB].sessions() as session:
        return [r.error for r in (await session.execute(select(InboxRow).where(InboxRow.error.is_not(None)))).scalars()]


@pytest.mark.both_databases
async def test_numbers_in_commands(bot: Bot) -> None:
    """Every row of ``CASES`` in one conversation (in order: some rows change what later rows see)."""
    await _seed(bot)
    problems: list[tuple[str, str, str]] = []
    for who, text, expected in CASES:
        bot.clock.advance(minutes=2)  # past the sender's per-person rate limit
        problem = _judge(await bot.chat(who, text), expected)
        if problem:
            problems.append((who, text, problem))
    assert not problems, "\n".join(map(str, problems))
    assert not await _failed_rows(bot)


# A card button's key carries a number too (up to 12 digits): one not in use, or beyond the database's
# integer range, is a stale button, never an internal error.
CARD_CASES: list[tuple[str, str, str]] = [
    (SECRETARY, "deed:view:99", "没有找到编号 #99"), (SECRETARY, "deed:view:999999999999", "没有找到编号 #999999999999"),
    (MEMBER, "deed:accept:999999999999", "没有找到编号"), (EMPLOYEE, "deed:ok:999999999999", "没有找到编号"),
    (MEMBER, "incident:ack:999999999999", "没有找到事件"), (MEMBER, "incident:ack:1", "#1 是办实事事项，不是突发事件"),
    (EMPLOYEE, "talent:signup:999999999999", "没有找到培训"), (EMPLOYEE, "teams:signup:999999999999", "没有找到活动"),
    (EMPLOYEE, "talent:signup:99", "没有找到培训99"), (EMPLOYEE, "surveys:start:999999999999", "问卷"),
    (MEMBER, "care:accept:999999999999", "没有找到线索"),
]


@pytest.mark.both_databases
async def test_numbers_in_card_keys(bot: Bot) -> None:
    await _seed(bot)
    problems: list[tuple[str, str, str]] = []
    for who, key, expected in CARD_CASES:
        bot.clock.advance(minutes=2)
        problem = _judge(await bot.click(who, key), expected)
        if problem:
            problems.append((who, key, problem))
    assert not problems, "\n".join(map(str, problems))
    assert not await _failed_rows(bot)


def test_the_table_covers_every_numbered_command() -> None:
    """Each command that takes a number has a row with one not in use and one without a (valid) number."""
    for command in ("/指派", "/关闭", "/事件", "/帮扶", "/帮扶 评估", "/培训 取消", "/签到", "/问卷 发布",
                    "/问卷 结果", "/问卷 关闭", "/问卷 编辑"):
        rows = [text for _, text, _ in CASES if text == command or text.startswith(command + " ")]
        assert any("99" in t for t in rows), command
        assert any(t == command or "abc" in t for t in rows), command
