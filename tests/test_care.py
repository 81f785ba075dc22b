"""精密关注 end to end: consent, tips, visits, the ledger, /我的, /覆盖 (SQLite and PostgreSQL).

The test clock starts on 2026-11-25 (a Wednesday) at 09:40 Asia/Shanghai.
"""

from __future__ import annotations

import asyncio
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from bot import keys
from bot.fsm import REASK
from handlers.care import messages as msg
from handlers.care.states import CareStates
from handlers.people.importer import import_roster
from storage import conversations
from storage.care import CareCategory, CareStatus, VisitReason
from storage.models import AuditEntry, CareEntry, Conversation, Visit, VisitTask
from tests.conftest import Bot

TODAY = date(2026, 11, 25)
ILLNESS = CareCategory.ILLNESS.label


async def rows(bot: Bot, model: Any, *where: Any) -> list[Any]:
    async with bot.app[keys.DB].session(1) as session:
        return list((await session.execute(select(model).where(*where).order_by(model.id))).scalars())


async def audit_rows(bot: Bot, **match: str) -> list[AuditEntry]:
    found = await rows(bot, AuditEntry)
    return [a for a in found if all(getattr(a, k) == v for k, v in match.items())]


async def conversation(bot: Bot, userid: str) -> Conversation | None:
    async with bot.app[keys.DB].session(1) as session:
        return await session.get(Conversation, userid)


async def queued(bot: Bot, userid: str) -> list[str]:
    """The questions offered to ``userid`` that their next message will open."""
    async with bot.app[keys.DB].session(1) as session:
        return await conversations.queued(session, userid)


# --- self: consent ---------------------------------------------------------------------


async def test_self_care_need_with_consent_creates_entry_and_tells_member(bot: Bot) -> None:
    asked = await bot.chat("sunpeng", "我父亲下周三住院做手术")
    assert len(asked) == 1
    assert f"是否登记到重点关注台账（类别：{ILLNESS}）" in asked[0] and "刘志勇（你的联系党员）" in asked[0]
    assert await rows(bot, CareEntry) == []

    done = await bot.chat("sunpeng", "是")
    assert len(done) == 1 and "已登记" in done[0] and "刘志勇" in done[0]
    [entry] = await rows(bot, CareEntry)
    assert (entry.person, entry.category, entry.responsible, entry.status) == ("sunpeng", "illness", "liuzhiyong",
                                                                             "active")
    assert entry.sensitive and entry.source == "self" and entry.interval_days == 7
    assert entry.next_follow_up == date(2026, 12, 2)  # the surgery date (下周三) = today + 7
    assert entry.summary == "我父亲下周三住院做手术"
    told = bot.fake.texts("liuzhiyong")
    assert len(told) == 1 and "孙鹏" in told[0] and ILLNESS in told[0] and "我父亲下周三住院做手术" in told[0]
    # a life event: one visit task for the member, due on the date given
    [task] = await rows(bot, VisitTask)
    assert (task.person, task.member, task.entry_id, task.status) == ("sunpeng", "liuzhiyong", entry.id, "open")
    assert task.due_date == date(2026, 12, 2) and task.dedupe_key
    assert await audit_rows(bot, action="created", object_type="care_entry", object_id=str(entry.id))
    assert await conversation(bot, "sunpeng") is None
    # employees never see the ledger, not even their own entry
    refused = await bot.chat("sunpeng", "/台账")
    assert "仅限党员" in refused[0] and "住院" not in refused[0]


async def test_self_care_need_declined_stores_nothing(bot: Bot) -> None:
    asked = await bot.chat("zhaoyufei", "我最近家里困难，孩子上学交不起学费")
    assert CareCategory.HARDSHIP.label in asked[0] and "张敏（你的联系党员）" in asked[0]
    answer = await bot.chat("zhaoyufei", "否")
    assert answer == ["好的，不登记。有需要随时找我或 张敏。"]
    assert await rows(bot, CareEntry) == [] and await rows(bot, VisitTask) == []
    assert await conversation(bot, "zhaoyufei") is None
    assert bot.fake.texts("zhangmin") == []


async def test_consent_abandoned_for_another_message(bot: Bot) -> None:
    await bot.chat("zhaoyufei", "我最近心情不好，压力很大")
    again = await bot.chat("zhaoyufei", "我母亲去世了")  # a new care need replaces the question
    assert CareCategory.BEREAVEMENT.label in again[0]
    await bot.chat("zhaoyufei", "好的")
    [entry] = await rows(bot, CareEntry)
    assert entry.category == "bereavement" and entry.next_follow_up == date(2026, 12, 2)
    [task] = await rows(bot, VisitTask)
    assert task.due_date == date(2026, 11, 26)  # bereavement: today + 1


# --- a colleague's tip, followed to a visit ------------------------------------------------


async def test_tip_accepted_then_visit_recorded(bot: Bot) -> None:
    thanks = await bot.chat("sunpeng", "赵宇飞的父亲住院了")
    assert len(thanks) == 1 and "谢谢" in thanks[0]
    [tip] = await rows(bot, CareEntry)
    assert (tip.status, tip.source, tip.responsible, tip.created_by) == ("proposed", "tip", "zhangmin", "sunpeng")
    member = bot.fake.to("zhangmin")
    assert [m["msgtype"] for m in member] == ["template_card"]  # one message: the card, not its text too
    keys_ = [b["key"] for b in member[0]["template_card"]["button_list"]]
    assert keys_ == [f"care:accept:{tip.id}", f"care:decline:{tip.id}"]
    [fallback] = await bot.fallbacks("zhangmin")  # sent only if WeCom refuses the card
    assert f"登记 T{tip.id}" in fallback and "是否登记到台账并安排走访？" in fallback and "孙鹏" in fallback
    # the question is offered to the member (their row is theirs alone): it opens with their next message
    assert await conversation(bot, "zhangmin") is None and await queued(bot, "zhangmin") == [CareStates.tip.name]

    # nobody else may decide it
    other = await bot.click("liuzhiyong", f"care:accept:{tip.id}")
    assert "不是交给你的" in other[0]

    accepted = await bot.click("zhangmin", f"care:accept:{tip.id}")
    assert len(accepted) == 1 and "已登记到重点关注台账" in accepted[0] and "2026-11-26（周四）" in accepted[0]
    [entry] = await rows(bot, CareEntry)
    assert entry.status == "active" and entry.next_follow_up == date(2026, 12, 2)
    [task] = await rows(bot, VisitTask)
    assert (task.person, task.member, task.reason, task.due_date) == ("zhaoyufei", "zhangmin", "tip",
                                                                      date(2026, 11, 26))
    assert await conversation(bot, "zhangmin") is None
    again = await bot.chat("zhangmin", f"登记 T{tip.id}")
    assert "已经处理过了" in again[0]
    assert bot.fake.texts("sunpeng") == thanks  # the tipster sees nothing further

    bot.clock.advance(days=1)
    report = await bot.chat("zhangmin", "今天去看望了赵宇飞，他父亲手术很顺利")
    assert report == ["已记录对 赵宇飞 的走访，下次回访：2026-12-03（周四）。到时我会提醒你。"]  # today + 7 (illness)
    [visit] = await rows(bot, Visit)
    assert (visit.person, visit.member, visit.entry_id, visit.visited_on) == ("zhaoyufei", "zhangmin", entry.id,
                                                                          date(2026, 11, 26))
    assert visit.next_date == date(2026, 12, 3)
    task, follow_up = await rows(bot, VisitTask)
    assert task.status == "done" and task.done_at is not None
    assert (follow_up.reason, follow_up.status, follow_up.due_date, follow_up.entry_id) == (
        VisitReason.FOLLOW_UP, "open", date(2026, 12, 3), entry.id)  # the next visit, promised: a task
    [entry] = await rows(bot, CareEntry)
    assert entry.next_follow_up == date(2026, 12, 3)
    actions = {(a.action, a.object_type) for a in await audit_rows(bot)}
    assert {("proposed", "care_entry"), ("accepted", "care_entry"), ("created", "visit_task"),
            ("visit_recorded", "visit"), ("done", "visit_task")} <= actions
    assert bot.fake.texts("sunpeng") == thanks


async def test_tip_declined_by_text_answer(bot: Bot) -> None:
    await bot.chat("lixuemei", "赵宇飞的父亲住院了")
    [tip] = await rows(bot, CareEntry)
    answer = await bot.chat("zhangmin", "否")
    assert answer == [f"好的，线索 T{tip.id} 不登记。"]
    [tip] = await rows(bot, CareEntry)
    assert tip.status == "declined" and await rows(bot, VisitTask) == []
    assert await audit_rows(bot, action="declined", object_id=str(tip.id))
    assert (await bot.chat("zhangmin", "/台账")) == ["你负责的重点关注对象目前没有。"]


async def test_visit_report_with_explicit_next_date(bot: Bot) -> None:
    report = await bot.chat("zhangmin", "走访了赵宇飞，下周三再去")
    assert report == ["已记录对 赵宇飞 的走访，下次回访：2026-12-02（周三）。到时我会提醒你。"]
    [visit] = await rows(bot, Visit)
    assert visit.next_date == date(2026, 12, 2) and visit.entry_id is None and visit.visited_on == TODAY


async def test_visit_report_other_zone_is_not_written_nor_whose_zone_told(bot: Bot) -> None:
    [report] = await bot.chat("liuzhiyong", "昨天去看望了马静")
    assert "不在你的责任区" in report and "没有记下" in report and "陈俊杰" not in report
    assert await rows(bot, Visit) == []


async def test_secretary_records_a_visit_anywhere_yesterday(bot: Bot) -> None:
    report = await bot.chat("wanghaiyan", "昨天去看望了马静")
    assert report == ["已记录对 马静 的走访，下次回访：2026-12-25（周五）。到时我会提醒你。"]
    [visit] = await rows(bot, Visit)
    assert visit.visited_on == date(2026, 11, 24)


async def test_visit_report_from_employee_and_without_person(bot: Bot) -> None:
    polite = await bot.chat("sunpeng", "走访了赵宇飞")
    assert "党员同志填写" in polite[0]
    asked = await bot.chat("liuzhiyong", "今天走访了，情况还好")
    assert asked == ["请问你走访的是哪位同事？请回复姓名。"]
    done = await bot.chat("liuzhiyong", "吴涛")
    assert done == ["已记录对 吴涛 的走访，下次回访：2026-12-25（周五）。到时我会提醒你。"]
    [visit] = await rows(bot, Visit)
    assert (visit.person, visit.summary) == ("wutao", "今天走访了，情况还好")
    assert await rows(bot, Visit, Visit.member == "sunpeng") == []


# --- which one? ----------------------------------------------------------------------------


async def test_ambiguous_name_is_asked_then_followed(bot: Bot, tmp_path: Path) -> None:
    extra = tmp_path / "extra.csv"
    extra.write_text("userid,name,role,team,zone_member\nzhaoyufei2,赵宇飞,employee,检修班,chenjunjie\n",
                     encoding="utf-8")
    await import_roster(bot.app[keys.DB], extra, bot.clock())
    asked = await bot.chat("sunpeng", "赵宇飞的父亲住院了")
    assert asked == ["你说的是哪一位？1. 赵宇飞（运行二班） 2. 赵宇飞（检修班）\n回复序号即可。"]
    assert (await conversation(bot, "sunpeng")).kind == CareStates.which.name  # type: ignore[union-attr]
    thanks = await bot.chat("sunpeng", "2")
    assert "谢谢" in thanks[0]
    [tip] = await rows(bot, CareEntry)
    assert (tip.person, tip.responsible, tip.status) == ("zhaoyufei2", "chenjunjie", "proposed")
    assert bot.fake.texts("zhangmin") == [] and len(bot.fake.to("chenjunjie")) == 1  # the card alone

    # the member's visit report with the same name: answered by userid
    asked = await bot.chat("chenjunjie", "走访了赵宇飞，下周三再去")
    assert asked[0].startswith("你说的是哪一位？")
    done = await bot.chat("chenjunjie", "zhaoyufei2")
    assert done == ["已记录对 赵宇飞 的走访，下次回访：2026-12-02（周三）。到时我会提醒你。"]
    [visit] = await rows(bot, Visit)
    assert visit.person == "zhaoyufei2"


# --- the ledger: visibility and audit ------------------------------------------------------------


async def _two_entries(bot: Bot) -> tuple[CareEntry, CareEntry]:
    await bot.chat("sunpeng", "我住院了，下周一手术")
    await bot.chat("sunpeng", "是")
    await bot.chat("huangqing", "我最近心情不好，压力很大")
    await bot.chat("huangqing", "是")
    first, second = await rows(bot, CareEntry)
    return first, second


async def test_ledger_visibility_and_view_audit(bot: Bot) -> None:
    mine, theirs = await _two_entries(bot)
    assert (mine.responsible, theirs.responsible) == ("liuzhiyong", "zhangmin")

    secretary = await bot.chat("wanghaiyan", "/台账")
    assert len(secretary) == 1
    text = secretary[0]
    assert f"孙鹏｜{ILLNESS}｜负责：刘志勇｜下次回访：2026-11-30（周一）" in text
    assert f"黄青｜{CareCategory.EMOTIONAL.label}｜负责：张敏" in text
    assert "情况：我住院了，下周一手术" in text and "情况：我最近心情不好，压力很大" in text
    [view] = await audit_rows(bot, action="view", object_type="care_ledger", actor="wanghaiyan")  # one per view
    assert view.object_id == "page:1" and view.detail == f"via=ledger;entries={mine.id},{theirs.id}"

    member = (await bot.chat("liuzhiyong", "/台账"))[0]
    assert "孙鹏" in member and "我住院了" in member and "黄青" not in member and "心情" not in member
    views = await audit_rows(bot, action="view", actor="liuzhiyong")
    assert [v.detail for v in views] == [f"via=ledger;entries={mine.id}"]

    refused = (await bot.chat("lixuemei", "/台账"))[0]
    assert "仅限党员" in refused and "孙鹏" not in refused
    assert await audit_rows(bot, action="view", actor="lixuemei") == []

    # overdue marker once the follow-up date has passed
    bot.clock.advance(days=6)
    assert "【逾期】" in (await bot.chat("liuzhiyong", "/台账"))[0]


async def test_resolve_by_name_and_permissions(bot: Bot) -> None:
    mine, _ = await _two_entries(bot)
    assert "只有负责的党员" in (await bot.chat("sunpeng", "/结案 孙鹏"))[0]
    assert "没有由你负责" in (await bot.chat("zhangmin", "/结案 孙鹏"))[0]
    done = await bot.chat("liuzhiyong", "/结案 孙鹏")
    assert done == [f"已结案：孙鹏（{ILLNESS}）。"]
    [entry] = await rows(bot, CareEntry, CareEntry.id == mine.id)
    assert entry.status == "resolved" and entry.resolved_at is not None
    assert await audit_rows(bot, action="resolved", object_id=str(mine.id))
    assert all(t.status == "cancelled" for t in await rows(bot, VisitTask, VisitTask.entry_id == mine.id))
    assert (await bot.chat("wanghaiyan", "/结案 huangqing")) == [f"已结案：黄青（{CareCategory.EMOTIONAL.label}）。"]
    assert (await bot.chat("wanghaiyan", "/台账")) == ["台账中暂无在册的重点关注对象。"]


async def _many_entries(bot: Bot, n: int, responsible: str = "liuzhiyong") -> list[int]:
    now = bot.clock()
    people = ["sunpeng", "lixuemei", "wutao", "zhaoyufei", "huangqing", "xuxiaodong", "majing", "guoqiang"]
    async with bot.app[keys.DB].session(1) as session, session.begin():
        entries = [CareEntry(person=people[i % len(people)], category="hardship" if i % 3 else "illness",
                             responsible=responsible if i % 4 else "zhangmin", status="active", sensitive=True,
                             interval_days=14, next_follow_up=date(2026, 12, 1 + i % 28), summary=f"情况{i:02d}",
                             source="self", created_by="wanghaiyan", created_at=now) for i in range(n)]
        session.add_all(entries)
        await session.flush()
        return [e.id for e in entries]


async def test_ledger_in_chat_is_a_summary_with_pages(bot: Bot) -> None:
    await _many_entries(bot, 20)
    first = await bot.chat("wanghaiyan", "/台账")
    assert len(first) == 1 and len(first[0].encode()) <= 2048
    text = first[0]
    assert "重点关注人群台账（20 人次）" in text and "第1/3页" in text and "下一页" in text
    assert f"{CareCategory.HARDSHIP.label} 13" in text and f"{ILLNESS} 7" in text
    assert "按负责党员（2 人）：刘志勇 15、张敏 5" in text
    assert text.count("\n· ") == 8 and "情况00" in text and "情况08" not in text
    second = (await bot.chat("wanghaiyan", "下一页"))[0]
    assert "第2/3页" in second and "情况00" not in second
    third = (await bot.chat("wanghaiyan", "下一页"))[0]
    assert "第3/3页" in third and "已是最后一页" in third and third.count("\n· ") == 4
    assert await conversation(bot, "wanghaiyan") is None  # no fourth page: "下一页" means nothing more here
    assert "第2/3页" in (await bot.chat("wanghaiyan", "/台账 2"))[0]
    assert "没有第 9 页" in (await bot.chat("wanghaiyan", "/台账 9"))[0]
    views = await audit_rows(bot, action="view", object_type="care_ledger", actor="wanghaiyan")
    assert [v.object_id for v in views] == ["page:1", "page:2", "page:3", "page:2"]  # one line per page shown
    assert await audit_rows(bot, action="view", object_type="care_entry") == []
    mine = (await bot.chat("liuzhiyong", "/台账"))[0]  # a member: only their own, and no per-member counts
    assert "我负责的重点关注对象（15 人次）" in mine and "第1/2页" in mine and "按负责党员" not in mine


async def test_next_page_is_only_an_answer_after_a_page(bot: Bot) -> None:
    await _many_entries(bot, 10)
    await bot.chat("wanghaiyan", "/台账")
    await bot.chat("wanghaiyan", "/帮助")  # an interrupt does not re-send the page
    assert "第2/2页" in (await bot.chat("wanghaiyan", "下一页"))[0]
    assert all("第" not in t or "页" not in t for t in await bot.chat("zhangmin", "下一页"))


# --- /覆盖 and /我的 ---------------------------------------------------------------------------------


async def test_coverage_figures_follow_visits(bot: Bot) -> None:
    await bot.chat("liuzhiyong", "今天看望了吴涛")
    await bot.chat("liuzhiyong", "看望了孙鹏，聊了聊家里情况")
    bot.clock.advance(days=40)
    await bot.chat("zhangmin", "走访了赵宇飞")
    report = (await bot.chat("wanghaiyan", "/覆盖"))[0]
    assert "刘志勇：3 / 0 / 2" in report
    assert "张敏：3 / 1 / 1" in report
    assert "陈俊杰：3 / 0 / 0" in report
    assert "王海燕：1 / 0 / 0" in report
    assert "合计：11 / 1 / 3" in report
    assert "不在任何责任区：陈俊杰、刘志勇、张敏" in report and "第1/1页" in report and "已是最后一页" in report
    assert "仅限支部书记" in (await bot.chat("zhangmin", "/覆盖"))[0]


async def test_mine_lists_zone_due_visits_items_and_not_visited(bot: Bot) -> None:
    await bot.chat("sunpeng", "赵宇飞的父亲住院了")
    [tip] = await rows(bot, CareEntry)
    await bot.click("zhangmin", f"care:accept:{tip.id}")
    await bot.chat("zhangmin", "今天看望了黄青")
    await _add_item(bot, owner="zhangmin", number=7, title="食堂晚班热饭", status="in_progress")
    await _add_item(bot, owner="zhangmin", number=8, title="已关闭的事", status="closed")

    mine = (await bot.chat("zhangmin", "/我的"))[0]
    assert "【我的责任区】3 人：黄青、徐晓东、赵宇飞" in mine
    assert "走访 赵宇飞，截止 2026-11-26（周四）" in mine
    assert "#7 食堂晚班热饭（办理中）" in mine and "#8" not in mine
    assert "【30 天未走访】" in mine and "徐晓东" in mine.split("【30 天未走访】")[1]
    assert "黄青" not in mine.split("【30 天未走访】")[1]

    # the task is done by the visit; the entry's follow-up then shows up once it is near
    await bot.chat("zhangmin", "今天去看望了赵宇飞")
    bot.clock.advance(days=6)
    later = (await bot.chat("zhangmin", "/我的"))[0]
    assert f"回访 赵宇飞（{ILLNESS}），2026-12-02（周三）" in later
    views = await audit_rows(bot, action="view", actor="zhangmin")
    assert [v.object_id for v in views] == [str(tip.id)]
    assert "党员同志的责任区视图" in (await bot.chat("sunpeng", "/我的"))[0]


async def _add_item(bot: Bot, *, owner: str, number: int, title: str, status: str) -> None:
    from storage.models import Item

    now = bot.clock()
    async with bot.app[keys.DB].session(1) as session, session.begin():
        session.add(Item(number=number, kind="deed", category="other", requester="sunpeng", owner=owner,
                         team="", title=title, text=title, status=status, urgent=False, created_at=now,
                         updated_at=now))


async def test_two_open_tips_need_the_tip_number(bot: Bot) -> None:
    await bot.chat("sunpeng", "赵宇飞的父亲住院了")
    await bot.chat("lixuemei", "黄青的父亲住院了")
    first, second = await rows(bot, CareEntry)
    # two open tips: 是/否 would be ambiguous, the offer of the first is withdrawn
    assert await conversation(bot, "zhangmin") is None and await queued(bot, "zhangmin") == []
    last = (await bot.fallbacks("zhangmin"))[-1]
    assert "是/否" not in last and f"登记 T{second.id}" in last
    accepted = await bot.chat("zhangmin", f"登记 T{second.id}")
    assert "黄青" in accepted[0] and "已登记到重点关注台账" in accepted[0]
    declined = await bot.click("zhangmin", f"care:decline:{first.id}")
    assert declined == [f"好的，线索 T{first.id} 不登记。"]
    statuses = {e.person: e.status for e in await rows(bot, CareEntry)}
    assert statuses == {"zhaoyufei": "declined", "huangqing": "active"}
    assert [t.person for t in await rows(bot, VisitTask)] == ["huangqing"]


async def test_resolve_asks_which_when_names_repeat(bot: Bot, tmp_path: Path) -> None:
    extra = tmp_path / "extra.csv"
    extra.write_text("userid,name,role,team,zone_member\nsunpeng2,孙鹏,employee,检修班,chenjunjie\n",
                     encoding="utf-8")
    await import_roster(bot.app[keys.DB], extra, bot.clock())
    await bot.chat("sunpeng", "我住院了，下周一手术")
    await bot.chat("sunpeng", "是")
    asked = await bot.chat("wanghaiyan", "/结案 孙鹏")
    assert asked == ["你说的是哪一位？1. 孙鹏（运行一班） 2. 孙鹏（检修班）\n回复序号即可。"]
    assert (await bot.chat("wanghaiyan", "5")) == ["请回复 1 到 2 之间的序号。"]
    assert (await bot.chat("wanghaiyan", "1")) == [f"已结案：孙鹏（{ILLNESS}）。"]
    [entry] = await rows(bot, CareEntry)
    assert entry.status == "resolved"


# --- the questions and the conversation mechanism ----------------------------------------------------


async def test_consent_question_survives_interrupts(bot: Bot) -> None:
    asked = await bot.chat("sunpeng", "我父亲下周三住院做手术")
    duty = await bot.chat("sunpeng", "今天谁值班")  # a duty query always reaches its own router
    assert len(duty) == 2 and duty[-1] == REASK + asked[0]
    refused = await bot.chat("sunpeng", "/台账")  # so does a slash command
    assert refused == [msg.LEDGER_DENIED, REASK + asked[0]]
    done = await bot.chat("sunpeng", "是")
    assert done == [msg.REGISTERED.format(who="刘志勇")]
    [entry] = await rows(bot, CareEntry)
    assert entry.person == "sunpeng" and entry.status == CareStatus.ACTIVE


async def test_consent_cancel_word_means_no(bot: Bot) -> None:
    await bot.chat("zhaoyufei", "我最近家里困难，孩子上学交不起学费")
    assert await bot.chat("zhaoyufei", "取消") == [msg.NOT_REGISTERED.format(who="张敏")]
    assert await rows(bot, CareEntry) == []


async def test_tip_question_opens_with_the_members_next_message(bot: Bot) -> None:
    await bot.chat("sunpeng", "赵宇飞的父亲住院了")
    [tip] = await rows(bot, CareEntry)
    mine = await bot.chat("zhangmin", "/我的")  # the member's next message opens the offered question
    assert mine[0].startswith("【我的责任区】") and mine[-1] == REASK + msg.TIP_PROMPT.format(tip=tip.id, who="赵宇飞（运行二班）")
    assert (await conversation(bot, "zhangmin")).kind == CareStates.tip.name  # type: ignore[union-attr]
    visit = await bot.chat("zhangmin", "今天看望了黄青")  # the tip stays open while she talks of other things
    assert visit[0].startswith("已记录对 黄青 的走访")
    accepted = await bot.chat("zhangmin", "是")
    assert "已登记到重点关注台账" in accepted[0]
    [entry] = await rows(bot, CareEntry)
    assert entry.status == CareStatus.ACTIVE and await conversation(bot, "zhangmin") is None


async def test_yes_with_a_second_tip_asks_for_the_number(bot: Bot) -> None:
    await bot.chat("sunpeng", "赵宇飞的父亲住院了")
    await bot.chat("zhangmin", "/我的")  # the first tip's question is open now
    await bot.chat("lixuemei", "黄青的父亲住院了")
    first, second = await rows(bot, CareEntry)
    asked = await bot.chat("zhangmin", "是")
    assert asked == [msg.tips_pending([first, second])]
    assert {e.status for e in await rows(bot, CareEntry)} == {CareStatus.PROPOSED}
    assert "黄青" in (await bot.chat("zhangmin", f"登记 T{second.id}"))[0]
    assert await bot.chat("zhangmin", f"不登记 T{first.id}") == [msg.TIP_DECLINED.format(tip=first.id)]


async def test_secretary_deciding_a_tip_withdraws_the_members_question(bot: Bot) -> None:
    await bot.chat("sunpeng", "赵宇飞的父亲住院了")
    [tip] = await rows(bot, CareEntry)
    done = await bot.chat("wanghaiyan", f"登记 T{tip.id}")
    assert "已登记到重点关注台账" in done[0]
    assert bot.fake.texts("zhangmin")[-1].startswith(f"支部书记已将线索 T{tip.id} 登记到台账。")
    assert await queued(bot, "zhangmin") == []
    answer = await bot.chat("zhangmin", "是")  # no tip question is open: not taken as a decision
    assert all(f"T{tip.id}" not in a for a in answer)


@pytest.mark.both_databases
async def test_two_people_deciding_one_tip_at_once(bot: Bot) -> None:
    await bot.chat("sunpeng", "赵宇飞的父亲住院了")
    [tip] = await rows(bot, CareEntry)
    await bot.chat("zhangmin", "/我的")  # her tip question is open
    before = {u: len(bot.fake.texts(u)) for u in ("zhangmin", "wanghaiyan")}
    await asyncio.gather(bot.say("zhangmin", f"不登记 T{tip.id}"), bot.say("wanghaiyan", f"登记 T{tip.id}"))
    await bot.flush()
    said = {u: bot.fake.texts(u)[before[u]:] for u in before}
    [entry] = await rows(bot, CareEntry)
    decided = CareStatus(entry.status)
    assert decided in (CareStatus.ACTIVE, CareStatus.DECLINED)
    loser = "zhangmin" if decided == CareStatus.ACTIVE else "wanghaiyan"
    assert f"线索 T{tip.id} 已经处理过了。" in said[loser] and all("抱歉" not in t for t in said[loser])
    assert len([a for a in await audit_rows(bot, object_type="care_entry", object_id=str(tip.id))
                if a.action in ("accepted", "declined")]) == 1
    assert len(await rows(bot, VisitTask)) == (1 if decided == CareStatus.ACTIVE else 0)


async def test_confidential_note_fits_the_reader(bot: Bot) -> None:
    await _two_entries(bot)
    assert (await bot.chat("wanghaiyan", "/台账"))[0].endswith(msg.confidential(secretary=True))
    assert (await bot.chat("liuzhiyong", "/台账"))[0].endswith(msg.confidential(secretary=False))
    assert "仅你和支部书记" not in msg.confidential(secretary=True)
