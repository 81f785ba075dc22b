"""Item reference extraction tests."""
from __future__ import annotations

import pytest

from bot.nlu.normalize import normalize
from bot.nlu.refs import extract_ref


@pytest.mark.parametrize(("text", "want"), [
    ("#12 怎么样了", 12), ("＃１２ 怎么样了", 12), ("12号 怎么样了", 12), ("编号012", 12),
    ("单号：12 已办结", 12), ("第12号诉求", 12), ("17号诉求到哪一步了", 17), ("诉求18号 灯换了", 18),
    ("我婚假那个#19 批了没", 19), ("第十二号诉求", 12),
])
def test_refs(text: str, want: int) -> None:
    assert extract_ref(normalize(text)) == want


@pytest.mark.parametrize("text", [
    "3号机着火了", "2号班车晚点", "3号宿舍楼停水", "二号门卷帘门坏了", "下个月12号结婚", "隔壁厂都是12%",
    "卷包一班5号机停了", "12月10号化疗",
])
def test_not_refs(text: str) -> None:
    assert extract_ref(normalize(text)) is None
