"""办实事 end to end: request -> owner card -> accept -> progress -> resolved -> requester confirms."""

from __future__ import annotations

import asyncio
from datetime import datetime, timezone

import pytest

from bot import keys
from storage import audit, deeds as items
from storage.models import Item, ItemEvent
from tests.conftest import Bot

SECRETARY = "wanghaiyan"


async def _item(bot: Bot, n: int) -> tuple[Item, list[ItemEvent]]:
    async with bot.app[keys.DB].session(1) as session:
        item = await items.get_by_number(session, n)
        assert item is not None
        return item, await items.history(session, item.id)


def _cards(bot: Bot, user: str) -> list[dict]:
    return [m["template_card"] for m in bot.fake.to(user) if m.get("msgtype") == "template_card"]


def _keys(card: dict) -> list[str]:
    return [b["key"] for b in card["button_list"]]


# --- unit: titles, similarity, due dates ---------------------------------------------


def test_title_is_first_clause_and_short() -> None:
    assert items.make_title("食堂晚班没有热饭，希望能解决") == "食堂晚班没有热饭"
    assert len(items.make_title("很" * 80)) == items.TITLE_LIMIT


@pytest.mark.parametrize(("new", "cat", "old", "old_cat", "same"), [
    ("食堂晚班还是没有热饭，希望改善", "canteen", "食堂晚班没有热饭，希望能解决", "canteen", True),
    ("食堂夜班没有热的饭菜，希望改善一下", "canteen", "食堂晚班没有热饭，希望能解决", "canteen", True),
    ("宿舍的热水器又坏了，洗不了澡", "housing", "宿舍热水器坏了好几天了", "housing", True),
    ("车间空调还是没修，热得受不了", "facilities", "车间空调坏了，太热了", "facilities", True),
    ("宿舍热水器坏了好几天了", "housing", "食堂晚班没有热饭，希望能解决", "canteen", False),
    ("宿舍空调坏了，比较急", "housing", "宿舍热水器坏了好几天了", "housing", False),
    ("食堂的菜太咸了，希望少放盐", "canteen", "食堂晚班没有热饭，希望能解决", "canteen", False),
    ("休息室的椅子坏了好几把", "facilities", "车间空调坏了，太热了", "facilities", False),
    ("加班费这个月还没发", "pay_welfare", "班车早上太挤了，能不能加一趟", "commute", False),
])
def test_duplicate_threshold(new: str, cat: str, old: str, old_cat: str, same: bool) -> None:
    existing = Item(text=old, title=items.make_title(old), category=old_cat)
    score = items.resemblance(new, cat, existing)
    assert (score >= items.DUPLICATE_THRESHOLD) is same, score


def test_due_date_counts_working_days() -> None:
    from zoneinfo import ZoneInfo
    tz = ZoneInfo("Asia/Shanghai")
    wednesday = datetime(2026, 11, 25, 9, 40, tzinfo=tz)
    due = items.due_at("canteen", wednesday)  # 5 working days: Thu Fri Mon Tue Wed
    assert due.date().isoformat() == "2026-12-02" and due.hour == items.DUE_HOUR


# --- end to end ------------------------------------------------------------------------


async def test_request_followed_to_closure(bot: Bot) -> None:
    replies = await bot.chat("sunpeng", "食堂晚班没有热饭，希望能解决")
    assert len(replies) == 1
    assert "已受理，编号 #1，由 刘志勇 负责跟进" in replies[0] and "接下来" in replies[0]

    # the zone member gets a card with accept/view buttons and the text fallback
    cards = _cards(bot, "liuzhiyong")
    assert len(cards) == 1 and _keys(cards[0]) == ["deed:accept:1", "deed:view:1"]
    assert len(bot.fake.to("liuzhiyong")) == 1 and any("接单 #1" in t for t in await bot.fallbacks("liuzhiyong"))
    item, _ = await _item(bot, 1)
    assert (item.status, item.category, item.requester, item.owner) == ("submitted", "canteen", "sunpeng", "liuzhiyong")
    assert item.title == "食堂晚班没有热饭" and item.due_at is not None and not item.urgent

    # someone else cannot accept it
    assert "只有负责人" in (await bot.click("zhangmin", "deed:accept:1"))[0]

    bot.clock.advance(hours=1)
    replies = await bot.click("liuzhiyong", "deed:accept:1")
    assert "已接单 #1" in replies[0]
    assert "已由刘志勇接单" in bot.fake.texts("sunpeng")[-1]

    bot.clock.advance(hours=2)
    replies = await bot.chat("liuzhiyong", "已经跟食堂说了，正在协调")
    assert "已记录 #1 的进展" in replies[0]
    assert "有新进展" in bot.fake.texts("sunpeng")[-1]

    bot.clock.advance(days=1)
    replies = await bot.chat("liuzhiyong", "#1 已经办好了")
    assert "已请孙鹏确认" in replies[0]
    cards = _cards(bot, "sunpeng")
    assert _keys(cards[-1]) == ["deed:ok:1", "deed:no:1"]
    assert "回复“满意”或“还没解决”" in (await bot.fallbacks("sunpeng"))[-1]

    # the owner cannot confirm for the requester
    assert "反映人本人" in (await bot.click("liuzhiyong", "deed:ok:1"))[0]
    assert (await _item(bot, 1))[0].status == "resolved"

    replies = await bot.chat("sunpeng", "满意")
    assert "已办结销号" in replies[0]
    assert "表示满意" in bot.fake.texts("liuzhiyong")[-1]

    item, events = await _item(bot, 1)
    assert item.status == "closed" and item.satisfaction == "satisfied" and item.closed_at is not None
    assert item.first_response_at == datetime(2026, 11, 25, 2, 40, tzinfo=timezone.utc)
    assert item.resolved_at is not None and item.closed_by == "sunpeng"
    assert [(e.kind, e.from_status, e.to_status) for e in events] == [
        ("created", None, "submitted"),
        ("accepted", "submitted", "accepted"),
        ("progress", "accepted", "in_progress"),
        ("resolved", "in_progress", "resolved"),
        ("confirmed", "resolved", "closed"),
    ]
    async with bot.app[keys.DB].session(1) as session:
        trail = await audit.entries(session, object_type="item", object_id=str(item.id))
    assert [a.action for a in trail] == ["item_created", "item_accepted", "item_progress", "item_resolved",
                                         "item_confirmed"]

    # history: the requester sees it with local times
    replies = await bot.chat("sunpeng", "#1 进度")
    assert "已办结" in replies[0] and "11-25 09:40" in replies[0] and "接单" in replies[0]


async def test_unsatisfied_reopens_and_tells_owner_and_secretary(bot: Bot) -> None:
    await bot.chat("lixuemei", "宿舍热水器坏了好几天了")
    await bot.chat("liuzhiyong", "接单 #1")
    await bot.chat("liuzhiyong", "#1 已修好")
    assert (await _item(bot, 1))[0].status == "resolved"

    replies = await bot.chat("lixuemei", "还没解决")
    assert "重新交给刘志勇" in replies[0]
    assert "还没解决" in bot.fake.texts("liuzhiyong")[-1]
    assert "#1" in bot.fake.texts(SECRETARY)[-1] and "重新打开" in bot.fake.texts(SECRETARY)[-1]
    item, events = await _item(bot, 1)
    assert (item.status, item.reopen_count, item.satisfaction) == ("reopened", 1, "unsatisfied")
    assert events[-1].kind == "reopened" and events[-1].to_status == "reopened"

    # the owner takes it on again; the card button "不满意" works as well
    await bot.chat("liuzhiyong", "#1 收到")
    await bot.chat("liuzhiyong", "#1 已解决，换了新的热水器")
    await bot.click("lixuemei", "deed:no:1")
    assert (await _item(bot, 1))[0].reopen_count == 2


async def test_feedback_from_someone_else_changes_nothing(bot: Bot) -> None:
    await bot.chat("lixuemei", "宿舍热水器坏了好几天了")
    await bot.chat("liuzhiyong", "#1 已修好")
    replies = await bot.chat("wutao", "#1 满意")
    assert "反映人本人" in replies[0] and "没有改变" in replies[0]
    assert (await _item(bot, 1))[0].status == "resolved"


async def test_secretary_manual_close_needs_a_reason(bot: Bot) -> None:
    await bot.chat("guoqiang", "车间空调坏了，太热了")
    replies = await bot.chat(SECRETARY, "/关闭 #1")
    assert "必须写明原因" in replies[0]
    assert (await _item(bot, 1))[0].status == "submitted"

    assert "只有支部书记" in (await bot.chat("chenjunjie", "/关闭 #1 已修好"))[0]

    replies = await bot.chat(SECRETARY, "/关闭 #1 已与本人当面沟通，空调已由后勤更换")
    assert "已销号 #1" in replies[0]
    assert "已由支部书记销号" in bot.fake.texts("guoqiang")[-1]
    item, events = await _item(bot, 1)
    assert item.status == "closed" and item.closed_by == SECRETARY and item.satisfaction is None
    assert item.close_reason == "已与本人当面沟通，空调已由后勤更换"
    assert events[-1].kind == "closed_by_hand" and events[-1].note == item.close_reason
    async with bot.app[keys.DB].session(1) as session:
        trail = await audit.entries(session, actor=SECRETARY)
    assert any(a.action == "item_closed_by_hand" for a in trail)


async def test_employee_cannot_see_someone_elses_item(bot: Bot) -> None:
    await bot.chat("sunpeng", "食堂晚班没有热饭，希望能解决")
    replies = await bot.chat("guoqiang", "#1 怎么样了")
    assert replies == ["无权查看 #1。"]
    assert "无权查看" in (await bot.click("guoqiang", "deed:view:1"))[0]
    async with bot.app[keys.DB].session(1) as session:
        trail = await audit.entries(session, actor="guoqiang")
    assert [a.action for a in trail] == ["item_view_denied", "item_view_denied"]
    # the owner and the secretary may
    assert "食堂晚班没有热饭" in (await bot.chat(SECRETARY, "#1 进度"))[0]
    assert "食堂晚班没有热饭" in (await bot.click("liuzhiyong", "deed:view:1"))[0]
    # the employee's own list shows only their own items
    await bot.chat("guoqiang", "车间空调坏了，太热了")
    listing = (await bot.chat("guoqiang", "我反映的事怎么样了"))[0]
    assert "#2" in listing and "#1" not in listing and "陈俊杰" in listing
    assert "#2" in (await bot.chat("guoqiang", "/我的事项"))[0]


async def test_duplicate_request_asks_then_merges_or_creates(bot: Bot) -> None:
    await bot.chat("sunpeng", "食堂晚班没有热饭，希望能解决")
    replies = await bot.chat("sunpeng", "食堂晚班还是没有热饭，希望改善")
    assert "是否与 #1 是同一件事？回复 是/否" in replies[0]
    replies = await bot.chat("sunpeng", "是")
    assert "补充到 #1" in replies[0]
    assert "补充情况" in bot.fake.texts("liuzhiyong")[-1]
    _, events = await _item(bot, 1)
    assert events[-1].kind == "merged" and "还是没有热饭" in events[-1].note

    replies = await bot.chat("sunpeng", "食堂夜班没有热的饭菜，希望改善一下")
    assert "是否与 #1" in replies[0]
    replies = await bot.chat("sunpeng", "否")
    assert "已受理，编号 #2" in replies[0]
    item, _ = await _item(bot, 2)
    assert item.text == "食堂夜班没有热的饭菜，希望改善一下" and item.requester == "sunpeng"

    # an unrelated request is not asked about
    assert "已受理，编号 #3" in (await bot.chat("sunpeng", "班车早上太挤了，能不能加一趟"))[0]


async def test_routing_table_sends_canteen_to_named_owner(bot: Bot) -> None:
    assert "只有支部书记" in (await bot.chat("liuzhiyong", "/路由 食堂 zhouli"))[0]
    assert "已设置" in (await bot.chat(SECRETARY, "/路由 食堂 zhouli"))[0]
    assert "没有“饮料”这个类别" in (await bot.chat(SECRETARY, "/路由 饮料 zhouli"))[0]
    listing = (await bot.chat(SECRETARY, "/路由"))[0]
    assert "食堂（canteen）：周丽" in listing and "住宿（housing）：按责任区" in listing

    replies = await bot.chat("sunpeng", "食堂晚班没有热饭，希望能解决")
    assert "由 周丽 负责跟进" in replies[0]
    assert _keys(_cards(bot, "zhouli")[0])[0] == "deed:accept:1"
    assert _cards(bot, "liuzhiyong") == []
    # other categories still go to the zone member
    assert "由 刘志勇 负责跟进" in (await bot.chat("sunpeng", "宿舍热水器坏了好几天了"))[0]


async def test_progress_without_number_asks_which(bot: Bot) -> None:
    await bot.chat("sunpeng", "食堂晚班没有热饭，希望能解决")
    await bot.chat("wutao", "宿舍热水器坏了好几天了")
    replies = await bot.chat("liuzhiyong", "已经跟食堂说了，正在协调")
    assert replies[0].startswith("你说的是哪一件？#1 食堂晚班没有热饭/#2 宿舍热水器坏了好几天了")
    replies = await bot.chat("liuzhiyong", "#1")
    assert "已记录 #1 的进展" in replies[0]
    item, events = await _item(bot, 1)
    assert item.status == "in_progress" and events[-1].note == "已经跟食堂说了，正在协调"
    assert (await _item(bot, 2))[0].status == "submitted"

    # with no open item at all
    assert "没找到你负责的" in (await bot.chat("zhangmin", "已经跟食堂说了，正在协调"))[0]


async def test_bare_feedback_with_two_waiting_asks_which(bot: Bot) -> None:
    await bot.chat("sunpeng", "食堂晚班没有热饭，希望能解决")
    await bot.chat("sunpeng", "宿舍热水器坏了好几天了")
    await bot.chat("liuzhiyong", "#1 已解决")
    await bot.chat("liuzhiyong", "#2 已修好")
    replies = await bot.chat("sunpeng", "满意")
    assert replies[0].startswith("你说的是哪一件？#1")
    await bot.chat("sunpeng", "2")
    assert (await _item(bot, 2))[0].status == "closed"
    assert (await _item(bot, 1))[0].status == "resolved"


async def test_reassign_only_by_secretary(bot: Bot) -> None:
    await bot.chat("sunpeng", "食堂晚班没有热饭，希望能解决")
    replies = await bot.chat("liuzhiyong", "/指派 #1 zhouli")
    assert "只有支部书记" in replies[0]
    assert (await _item(bot, 1))[0].owner == "liuzhiyong"

    replies = await bot.chat(SECRETARY, "/指派 #1 zhouli")
    assert "已将 #1 改派给周丽" in replies[0]
    assert _keys(_cards(bot, "zhouli")[0])[0] == "deed:accept:1"
    assert "改派给周丽" in bot.fake.texts("liuzhiyong")[-1]
    item, events = await _item(bot, 1)
    assert item.owner == "zhouli" and events[-1].kind == "assigned"
    assert "已接单 #1" in (await bot.chat("zhouli", "接单 #1"))[0]


async def test_urgent_item_reaches_secretary(bot: Bot) -> None:
    replies = await bot.chat("guoqiang", "紧急，宿舍热水器坏了，今晚就要用")
    assert "已受理，编号 #1，由 陈俊杰 负责跟进" in replies[0]
    assert (await _item(bot, 1))[0].urgent
    assert any("紧急" in t and "#1" in t for t in bot.fake.texts(SECRETARY))
    # a normal one does not
    before = len(bot.fake.texts(SECRETARY))
    await bot.chat("hefang", "车间空调坏了，太热了")
    assert len(bot.fake.texts(SECRETARY)) == before


async def test_secretary_boards(bot: Bot) -> None:
    await bot.chat("sunpeng", "食堂晚班没有热饭，希望能解决")
    await bot.chat("guoqiang", "车间空调坏了，太热了")
    await bot.chat("chenjunjie", "接单 #2")
    board = (await bot.chat(SECRETARY, "/待办"))[0]
    assert board.startswith("未办结事项共 2 件：已受理待接单 1、已接单 1")
    assert "#1 食堂晚班没有热饭 — 刘志勇，已受理待接单" in board and "第1/1页，已是最后一页" in board
    assert "没有逾期" in (await bot.chat(SECRETARY, "/逾期"))[0]
    bot.clock.advance(days=2)
    late = (await bot.chat(SECRETARY, "/逾期"))[0]
    assert "#1" in late and "未接单" in late and "#2" not in late
    bot.clock.advance(days=10)
    late = (await bot.chat(SECRETARY, "/逾期"))[0]
    assert "#2" in late and "超过办结时限" in late
    assert "只有支部书记" in (await bot.chat("sunpeng", "/待办"))[0]


async def test_secretary_boards_are_a_summary_and_pages(bot: Bot) -> None:
    """A branch with many open items gets the counts and ten items a page, never one huge message."""
    now = bot.clock().astimezone(bot.settings.tz)
    async with bot.app[keys.DB].session(1) as session, session.begin():
        for n in range(23):
            await items.create(session, now=now, requester="sunpeng", owner="liuzhiyong", text=f"第{n + 1}件小事需要处理",
                               category="facilities", urgent=n == 4)
    first = await bot.chat(SECRETARY, "/待办")
    assert len(first) == 1
    assert first[0].startswith("未办结事项共 23 件：已受理待接单 23（其中紧急 1）")
    assert first[0].count("\n#") == 10 and "#5（急）" in first[0] and "#11 " not in first[0]
    assert "第1/3页，发“/待办 2”看第 2 页" in first[0] and "/后台" in first[0]
    third = (await bot.chat(SECRETARY, "/待办 第３页"))[0]
    assert "#21 " in third and "#23 " in third and "#20 " not in third and "已是最后一页" in third
    assert "没有第 4 页" in (await bot.chat(SECRETARY, "/待办 4"))[0]
    assert "用法：/待办" in (await bot.chat(SECRETARY, "/待办 全部"))[0]
    bot.clock.advance(days=2)
    late = (await bot.chat(SECRETARY, "/逾期 2"))[0]
    assert late.startswith("逾期事项 23 件（未办结 23 件）") and "#11 " in late and "未接单" in late


@pytest.mark.both_databases
async def test_concurrent_requests_get_distinct_numbers(bot: Bot) -> None:
    senders = ["sunpeng", "lixuemei", "wutao", "zhaoyufei", "huangqing", "majing", "guoqiang", "hefang"]
    texts = ["食堂晚班没有热饭，希望能解决", "宿舍热水器坏了好几天了", "班车早上太挤了，能不能加一趟",
             "加班费这个月还没发", "休息室的椅子坏了好几把", "车间空调坏了，太热了",
             "宿舍的热水器坏了，洗不了澡", "食堂夜班没有热的饭菜，希望改善一下"]
    statuses = await asyncio.gather(*(bot.say(u, t) for u, t in zip(senders, texts)))
    assert set(statuses) == {200}
    await bot.flush()
    async with bot.app[keys.DB].session(1) as session:
        rows = await items.list_items(session, limit=100)
    assert sorted(i.number for i in rows) == list(range(1, len(senders) + 1))
    assert {i.requester for i in rows} == set(senders)


@pytest.mark.both_databases
async def test_number_allocation_is_safe_across_sessions(bot: Bot) -> None:
    """Many transactions at once, each allocating a number: all distinct, no gaps."""
    db = bot.app[keys.DB]

    async def allocate() -> int:
        async with db.session(1) as session, session.begin():
            return await items.next_number(session)

    numbers = await asyncio.gather(*(allocate() for _ in range(12)))
    assert sorted(numbers) == list(range(1, 13))


async def test_requester_saying_it_is_solved_closes_it(bot: Bot) -> None:
    await bot.chat("sunpeng", "食堂晚班没有热饭，希望能解决")
    await bot.chat("liuzhiyong", "接单 #1")
    replies = await bot.chat("sunpeng", "#1 已经办好了")
    assert "已办结销号" in replies[0]
    item, events = await _item(bot, 1)
    assert item.status == "closed" and item.satisfaction == "satisfied"
    assert [e.kind for e in events][-2:] == ["resolved", "confirmed"]
    assert "表示满意" in bot.fake.texts("liuzhiyong")[-1]


async def test_other_message_drops_the_duplicate_question(bot: Bot) -> None:
    await bot.chat("sunpeng", "食堂晚班没有热饭，希望能解决")
    assert "是否与 #1" in (await bot.chat("sunpeng", "食堂晚班还是没有热饭，希望改善"))[0]
    # a different request instead of 是/否: handled on its own, the question is gone
    assert "已受理，编号 #2" in (await bot.chat("sunpeng", "班车早上太挤了，能不能加一趟"))[0]
    assert "是否" not in (await bot.chat("sunpeng", "是"))[0]
    # a question left to expire: a late 是 is not taken as an answer
    assert "是否与 #1" in (await bot.chat("sunpeng", "食堂晚班还是没有热饭，希望改善"))[0]
    bot.clock.advance(hours=1)
    assert "超时" in (await bot.chat("sunpeng", "是"))[0]
    _, events = await _item(bot, 1)
    assert [e.kind for e in events] == ["created"]


async def test_progress_from_someone_who_is_not_the_owner(bot: Bot) -> None:
    await bot.chat("sunpeng", "食堂晚班没有热饭，希望能解决")
    replies = await bot.chat("zhangmin", "#1 正在处理")
    assert "由刘志勇负责" in replies[0]
    assert (await _item(bot, 1))[0].status == "submitted"
    assert "没有找到编号 #9" in (await bot.chat("liuzhiyong", "#9 正在处理"))[0]


@pytest.mark.parametrize(("text", "intent"), [
    ("食堂晚班没有热饭，希望能解决", "deed_request"),
    ("宿舍热水器坏了好几天了", "deed_request"),
    ("车间空调坏了，太热了", "deed_request"),
    ("班车早上太挤了，能不能加一趟", "deed_request"),
    ("紧急，宿舍热水器坏了，今晚就要用", "deed_request"),
    ("食堂夜班没有热的饭菜，希望改善一下", "deed_request"),
    ("已经跟食堂说了，正在协调", "progress_report"),
    ("#1 已经办好了", "progress_report"),
    ("满意", "feedback"),
    ("还没解决", "feedback"),
    ("#1 怎么样了", "status_query"),
    ("我反映的事怎么样了", "status_query"),
])
def test_parser_reads_the_messages_these_tests_use(parser, text: str, intent: str) -> None:  # type: ignore[no-untyped-def]
    """If the parser changes, this says which phrasing the end-to-end tests must change."""
    assert parser.parse(text, sender="sunpeng", today=datetime(2026, 11, 25).date()).intent.value == intent


async def test_praise_without_any_item_is_thanked(bot: Bot) -> None:
    replies = await bot.chat("sunpeng", "满意")
    assert len(replies) == 1 and "谢谢" in replies[0]
