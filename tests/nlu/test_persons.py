"""Person extraction tests through the parser (roster in conftest)."""
from __future__ import annotations

import datetime as dt

from bot.nlu import Parser

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


def test_nicknames_not_resolved(parser: Parser) -> None:
    assert _persons(parser, "小夏和老张都说食堂太咸") == ()


def test_roster_reload() -> None:
    from bot.nlu import Person
    p = Parser.load()
    p.set_roster([Person("a", "常胜")])
    assert p.parse("常胜师傅住院了", today=TODAY).persons == ("a",)
    p.set_roster([Person("b", "许诺")])
    assert p.parse("常胜师傅住院了", today=TODAY).persons == ()
    assert p.parse("去许诺家看了", today=TODAY).persons == ("b",)
