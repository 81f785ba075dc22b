"""Person extraction tests through the parser (roster in conftest)."""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest

from bot.nlu import Parser, Person

from .conftest import ROSTER

TODAY = dt.date(2026, 4, 8)


def _persons(parser: Parser, text: str, sender: str | None = None) -> tuple[str, ...]:
    return parser.parse(text, sender=sender, today=TODAY).persons


def test_full_names_and_titles(parser: Parser) -> None:
    assert _persons(parser, "推荐宋亚楠和方圆师傅参加比武") == ("songyanan", "fangyuan")
    assert _persons(parser, "贺喜姐的父亲住院了") == ("hexi",)


def test_similar_names(parser: Parser) -> None:
    assert _persons(parser, "去王方家看了") == ("wangfang2",)
    assert _persons(parser, "王芳芳最近挺好") == ("wangfangfang",)


def test_same_name_is_ambiguous(parser: Parser) -> None:
    p = parser.parse("王芳住院了", sender=None, today=TODAY)
    assert p.persons == ()
    assert p.ambiguous == (("王芳", ("wangfang", "wangfang_b")),)


def test_surname_title_ambiguous(parser: Parser) -> None:
    p = parser.parse("王师傅说宿舍漏水", sender=None, today=TODAY)
    assert p.persons == ()
    assert p.ambiguous and p.ambiguous[0][0] == "王师傅"


def test_common_word_names(parser: Parser) -> None:
    assert _persons(parser, "单身宿舍能不能装空调 夏天热得睡不着") == ()
    assert _persons(parser, "老家田野里的油菜花开了") == ()
    assert _persons(parser, "去夏天家看了 屋顶漏雨") == ("xiatian",)
    assert _persons(parser, "江南和方圆的矛盾我找两个人谈了") == ("jiangnan", "fangyuan")
    assert _persons(parser, "本周杰出员工评选") == ()


def test_name_containing_urgency_word(parser: Parser) -> None:
    p = parser.parse("马上飞可以报名疗休养", sender=None, today=TODAY)
    assert p.persons == ("mashangfei",)
    assert not p.urgent


def test_never_the_sender(parser: Parser) -> None:
    assert _persons(parser, "我是江南 新来的", sender="jiangnan") == ()
    assert _persons(parser, "我和宋亚楠都想报名", sender="songyanan") == ()


def test_nickname_of_one_person_resolves(parser: Parser) -> None:
    p = parser.parse("小夏和老张都说食堂太咸", sender=None, today=TODAY)
    assert p.persons == ("xiatian",)
    assert p.unknown == ("老张",)  # someone is meant, nobody on the roster: never the teller


def test_roster_reload() -> None:
    from bot.nlu import Person
    p = Parser.load()
    p.set_roster([Person("a", "常胜")])
    assert p.parse("常胜师傅住院了", today=TODAY).persons == ("a",)
    p.set_roster([Person("b", "许诺")])
    assert p.parse("常胜师傅住院了", today=TODAY).persons == ()
    assert p.parse("去许诺家看了", today=TODAY).persons == ("b",)


TEAMS = (
    Person("m1", "刘振宇", "member", "运行一班", None, 1),
    Person("m2", "李红梅", "member", "检修班", None, 1),
    Person("e1", "王小军", "employee", "运行一班", "m1", 1),
    Person("e2", "王建国", "employee", "运行二班", "m1", 1),
    Person("e3", "王志强", "employee", "检修班", "m2", 1),
    Person("e4", "覃海", "employee", "检修班", "m2", 1),
    Person("e5", "张小兵", "employee", "运行一班", "m2", 1),
    Person("e6", "张丽", "employee", "运行二班", "m1", 1),
    Person("x1", "王磊", "employee", "营业班", None, 2),
    Person("x2", "覃立", "employee", "营业班", None, 2),
    Person("x3", "张伟", "employee", "营业班", None, 2),
)


@pytest.fixture(scope="module")
def teams(parser: Parser) -> Iterator[Parser]:
    parser.set_roster(TEAMS)
    yield parser
    parser.set_roster(ROSTER)


def _who(parser: Parser, text: str, sender: str) -> tuple[tuple[str, ...], tuple[tuple[str, tuple[str, ...]], ...]]:
    p = parser.parse(text, sender=sender, today=TODAY)
    return p.persons, p.ambiguous


def test_nickname_team_first(teams: Parser) -> None:
    # 小王 from someone in 运行一班: the 王 of their own team, not 王建国 (their zone) or 王磊 (another branch).
    assert _who(teams, "我们班小王家里出事了 他妈住院了", "e5") == (("e1",), ())
    assert _who(teams, "小王最近情绪不太对", "m2") == (("e3",), ())


def test_nickname_then_zone_then_branch(teams: Parser) -> None:
    assert _who(teams, "小张她爸住院了", "m2") == (("e5",), ())  # not in m2's team; e5 is in m2's zone
    assert _who(teams, "覃工的腿摔了", "m1") == (("e4",), ())  # only the branch has one; 覃立 is elsewhere
    assert _who(teams, "老覃说宿舍漏水", "e1") == (("e4",), ())


def test_nickname_ambiguous_lists_the_nearest(teams: Parser) -> None:
    # e4 has no team-mate or zone person named 张: both of the branch are asked about, not the other branch's.
    persons, ambiguous = _who(teams, "小张家里出事了", "e4")
    assert persons == ()
    assert ambiguous == (("小张", ("e5", "e6")),)


def test_nickname_never_the_teller(teams: Parser) -> None:
    persons, ambiguous = _who(teams, "小王说他想报名", "e1")
    assert "e1" not in persons and all("e1" not in ids for _, ids in ambiguous)
    assert ambiguous == (("小王", ("e2", "e3")),)


def test_given_names(teams: Parser) -> None:
    assert _who(teams, "建国说宿舍又漏水了", "m1") == (("e2",), ())
    assert _who(teams, "小兵上夜班到现在没出来 电话打不通", "m1") == (("e5",), ())


def test_nickname_words_are_not_people(teams: Parser) -> None:
    for text in ("小时候家里穷", "老是加班 休息不了", "小区停电了", "老师说孩子不错", "老王八蛋", "一个小张口"):
        p = teams.parse(text, sender="m1", today=TODAY)
        assert p.persons == () and p.ambiguous == (), text


def test_unknown_nickname_is_reported(teams: Parser) -> None:
    p = teams.parse("我们班老赵家里出事了", sender="e1", today=TODAY)
    assert p.persons == () and p.ambiguous == ()
    assert p.unknown == ("老赵",)

