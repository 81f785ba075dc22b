"""Given name + title, emoji/gibberish messages, urgency classes, next visit date."""
from __future__ import annotations

import datetime as dt

from bot.nlu import Parser, Person
from bot.nlu.dates import extract_due
from bot.nlu.urgency import is_urgent

TODAY = dt.date(2026, 12, 2)  # a Wednesday
ROSTER = [Person("a", "何红梅", "member"), Person("b", "张红梅"), Person("c", "唐建国", "secretary"),
          Person("d", "秦海洋"), Person("e", "王芳"), Person("f", "梅小兰")]


def _parser() -> Parser:
    p = Parser.load()
    p.set_roster(ROSTER)
    return p


def test_given_name_with_title() -> None:
    p = _parser()
    assert p.parse("建国书记在办公室吗", today=TODAY).persons == ("c",)
    assert p.parse("海洋班长在库里不", today=TODAY).persons == ("d",)
    amb = p.parse("红梅姐今天在吗", today=TODAY)
    assert amb.persons == () and amb.ambiguous == (("红梅姐", ("a", "b")),)
    assert p.parse("红梅姐今天在吗", sender="a", today=TODAY).persons == ("b",)
    assert p.parse("张红梅姐在吗", today=TODAY).persons == ("b",)
    assert p.parse("今天海洋馆去不去", today=TODAY).persons == ()
    assert p.parse("建国以来第一次", today=TODAY).persons == ()


def test_emoji_only_and_gibberish() -> None:
    p = _parser()
    assert p.parse("👍", today=TODAY).intent.value == "smalltalk"
    assert p.parse("🙏🙏", today=TODAY).intent.value == "smalltalk"
    assert p.parse("zxcvb", today=TODAY).intent.value == "other"
    assert p.parse("1111", today=TODAY).intent.value == "other"
    assert p.parse("OK", today=TODAY).intent.value == "smalltalk"


def test_urgency_classes() -> None:
    for text in ("他下井半小时了 对讲机一直没回应", "实习生手机一直关机 到现在没回来", "接触网在打火",
                 "天车吊着部件停在半空", "电梯困住了两个人", "病人说要跳楼", "司机叫不醒",
                 "油罐在漏油 流了一地", "有人掉进去了", "一个外包工吃完饭就没影了"):
        assert is_urgent(text), text
    for text in ("在不修就看不见了", "补助申请卡在哪了", "下雨天门口积水 电动车过不去", "万一着火后果不堪设想",
                 "一翻身就要掉下去", "我爸突发心梗没抢救过来", "说好这周修 到今天一个人影都没见着"):
        assert not is_urgent(text), text


def test_visit_report_takes_next_date() -> None:
    assert extract_due("今天去他家看了 下周一再去", TODAY) == dt.date(2026, 12, 7)
    assert extract_due("今天下午去了医院 他说周五出院", TODAY) == dt.date(2026, 12, 4)
    assert extract_due("今天谁值班 明天呢", TODAY) == TODAY
    assert extract_due("今天之内修好 明天检查", TODAY) == TODAY
    assert extract_due("今早接班发现工具柜被撬", TODAY) is None
