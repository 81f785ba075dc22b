"""Due-date extraction tests against fixed reference days."""
from __future__ import annotations

import datetime as dt

import pytest

from bot.nlu.dates import extract_due
from bot.nlu.normalize import normalize

WED = dt.date(2026, 4, 8)   # a Wednesday
SUN = dt.date(2026, 9, 27)  # a Sunday


@pytest.mark.parametrize(("text", "want"), [
    ("今天谁值班", "2026-04-08"),
    ("明天交材料", "2026-04-09"),
    ("后天手术", "2026-04-10"),
    ("大后天出院", "2026-04-11"),
    ("下周三开会", "2026-04-15"),
    ("本周五前修好", "2026-04-10"),
    ("周五办酒", "2026-04-10"),
    ("星期五见", "2026-04-10"),
    ("礼拜五见", "2026-04-10"),
    ("下下周一报到", "2026-04-20"),
    ("三天后到货", "2026-04-11"),
    ("十天后复查", "2026-04-18"),
    ("两周后出结果", "2026-04-22"),
    ("月底前报上来", "2026-04-30"),
    ("下个月初开始", "2026-05-01"),
    ("下个月15号结婚", "2026-05-15"),
    ("12月5日退休", "2026-12-05"),
    ("十二月五号去复查", "2026-12-05"),
    ("12.5前交", "2026-12-05"),
    ("４月２０号前交", "2026-04-20"),
    ("五一结婚", "2026-05-01"),
    ("元旦前修好", "2026-12-31"),
    ("年底前休完", "2026-12-31"),
])
def test_wednesday(text: str, want: str) -> None:
    assert extract_due(normalize(text), WED) == dt.date.fromisoformat(want)


@pytest.mark.parametrize("text", [
    "下个月再说", "过几天再看", "这两天不舒服", "明年3月退休", "年后再说", "下午来一趟", "晚上加班",
    "周末多排一个", "昨天去看了", "上周提的", "加班费按1.5倍算", "往年十二月初就发了", "武汉这周天气咋样",
    "年底盘点又要加班", "都四月底了还没发",
])
def test_null(text: str) -> None:
    assert extract_due(normalize(text), WED) is None


@pytest.mark.parametrize(("text", "want"), [
    ("本周五前修好", None),            # Friday of the current week is already past
    ("这周日办酒", "2026-09-27"),
    ("下周三开会", "2026-09-30"),
    ("下周一报到", "2026-09-28"),
    ("下下周一", "2026-10-05"),
    ("国庆节谁值班", "2026-10-01"),
    ("国庆前弄完", "2026-09-30"),
    ("国庆后复查", "2026-10-08"),
])
def test_sunday_today(text: str, want: str | None) -> None:
    got = extract_due(normalize(text), SUN)
    assert got == (dt.date.fromisoformat(want) if want else None)


def test_holiday_relative_spring_festival() -> None:
    today = dt.date(2026, 11, 23)
    assert extract_due("春节前把钱发了", today) == dt.date(2027, 2, 5)
    assert extract_due("除夕谁值班", today) == dt.date(2027, 2, 5)


def test_visit_report_takes_next_date() -> None:
    assert extract_due("昨天去看了他 下周三再去", WED) == dt.date(2026, 4, 15)
