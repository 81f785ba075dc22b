"""Titles that summarise and long messages split into their problems (bot/nlu/summary.py)."""
from __future__ import annotations

import re

import pytest

from bot.nlu.summary import TITLE_MAX, category_hint, split_problems, title

LONG = "领导你好我是运行二班的张伟 我想反映一下我们宿舍三楼的空调坏了快一个月了 晚上根本睡不着 麻烦领导帮忙看看 谢谢"


def test_title_drops_the_greeting_and_keeps_what_and_where() -> None:
    t = title(LONG)
    assert "你好" not in t and "我是" not in t and "张伟" not in t
    assert "宿舍" in t and "空调" in t and "坏" in t
    assert t != LONG[:len(t)]
    assert 10 <= len(t) <= TITLE_MAX


@pytest.mark.parametrize("text, words", [
    ("书记好！我是信息科的，关于机房空调的问题，已经反映过两次了，现在温度已经到了三十五度，服务器随时可能宕机，"
     "能不能尽快派人来修一下，谢谢！", ("机房", "空调")),
    ("您好 打扰一下 是这样的 俺们掘进队的澡堂喷头坏了一大半 出井以后排队洗澡要半个钟头 希望能尽快修修", ("喷头",)),
    ("那个 就是 员工停车场离航站楼太远了 走过来二十分钟 下雨天全湿 能不能开个摆渡车", ("停车场",)),
])
def test_title_of_long_messages(text: str, words: tuple[str, ...]) -> None:
    t = title(text)
    assert len(t) <= TITLE_MAX
    assert all(w in t for w in words), t
    assert not t.startswith(("书记好", "您好", "那个", "就是")), t


def test_short_message_is_its_own_title() -> None:
    assert title("食堂的菜太咸了") == "食堂的菜太咸了"
    assert title("你好 我是检修班的 想问问高温补贴啥时候发") == "想问问高温补贴啥时候发"


def test_title_never_cuts_a_number() -> None:
    t = title("宿舍楼下的自行车棚顶子被风刮跑了一半下雨天车子全淋湿了电动车电瓶进水坏了12345678块钱")
    assert len(t) <= TITLE_MAX
    assert all(run == "12345678" for run in re.findall(r"\d+", t)), t


def test_three_problems_in_a_run_on() -> None:
    parts = split_problems("书记好 有个事想反映一下 食堂的饭菜太咸了 然后宿舍热水器也坏了 还有班车老是晚点 大家意见都很大")
    assert len(parts) == 3
    assert "食堂" in parts[0] and "热水器" in parts[1] and "班车" in parts[2]
    assert all("书记好" not in p for p in parts)


def test_enumerated_problems() -> None:
    parts = split_problems("第一 夜班没有热饭 第二 更衣柜不够用 第三 停车场没有充电桩")
    assert [("热饭" in p, "更衣柜" in p, "充电桩" in p) for p in parts] == [
        (True, False, False), (False, True, False), (False, False, True)]


def test_voice_run_on_without_punctuation() -> None:
    parts = split_problems("宿舍空调坏了好几天了然后食堂的饭也太咸了还有班车老是晚点半个钟头")
    assert len(parts) == 3


@pytest.mark.parametrize("text", [
    LONG,
    "食堂的菜太咸了 而且太油了 好多人都不去吃了",
    "我妈住院了 心脏搭桥 下周三手术 想请几天假",
    "机房空调坏了 温度到了三十五度 服务器随时可能宕机 能不能尽快派人来修一下",
    "值班室的空调不制冷 夜班太热了睡不着",
])
def test_one_problem_stays_one(text: str) -> None:
    assert len(split_problems(text)) == 1


@pytest.mark.parametrize("text, expected", [
    ("您好，食堂晚班没有热饭，希望能解决", "食堂晚班没有热饭"),
    ("书记，宿舍热水器坏了三天了，麻烦看看，谢谢！", "宿舍热水器坏了三天了"),
    ("停车场的充电桩坏了两个，麻烦看看", "停车场的充电桩坏了两个"),
    ("更衣室的柜子锁坏了３个，麻烦处理下，谢谢", "更衣室的柜子锁坏了3个"),
    ("护士站的打印机又卡纸了，一上午打不出医嘱单，麻烦信息科来看看吧，辛苦了", "护士站的打印机又卡纸了"),
])
def test_title_drops_polite_tails_and_vocatives(text: str, expected: str) -> None:
    assert title(text) == expected


@pytest.mark.parametrize("text", [
    "食堂晚班没有热饭，夜班的同事只能吃泡面，希望能解决一下",
    "班车早上老是晚点，上班经常迟到，能不能调整一下时间？谢谢",
])
def test_title_keeps_chinese_punctuation(text: str) -> None:
    t = title(text)
    assert "，" in t and "," not in t, t
    assert not t.endswith(("希望能解决一下", "谢谢", "？")), t
    assert len(t) <= TITLE_MAX


def test_spaces_of_voice_input_read_as_commas() -> None:
    assert title("宿舍空调坏了 晚上睡不着 麻烦看看") == "宿舍空调坏了，晚上睡不着"


def test_only_thanks_is_still_a_title() -> None:
    assert title("谢谢领导") == "谢谢领导"


def test_a_consequence_on_another_shift_stays_with_its_cause() -> None:
    text = "领导你好，我是集控一值的王晓斌，我们宿舍三楼的空调坏了快一个月了，夜班下来根本睡不着，麻烦领导帮忙看看，谢谢！"
    assert len(split_problems(text)) == 1


def test_parts_lose_their_enumerators() -> None:
    assert split_problems("1、食堂没有热饭 2、宿舍漏水") == ["食堂没有热饭", "宿舍漏水"]


@pytest.mark.parametrize("part, category", [
    ("夜班没有热饭", "canteen"), ("宿舍热水器也坏了", "housing"), ("班车老是晚点", "commute"),
    ("更衣柜不够用", "facilities"), ("想请几天假", None),
])
def test_category_hint_of_a_part(part: str, category: str | None) -> None:
    assert category_hint(part) == category
