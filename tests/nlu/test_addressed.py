"""Who a message is spoken to ("王书记，…") is named, but is not what the message is about."""
from __future__ import annotations

import datetime as dt

import pytest

from bot.nlu import Parser

from .conftest import ROSTER

TODAY = dt.date(2026, 4, 8)


@pytest.fixture(scope="module")
def parser() -> Parser:
    """Its own parser: tests/nlu/test_persons.py swaps the shared one's roster for a module."""
    p = Parser.load()
    p.set_roster(ROSTER)
    return p


@pytest.mark.parametrize("text, addressed, others", [
    ("郑书记，我们班宋亚楠的父亲住院了", ("secretary1",), ["songyanan"]),
    ("郑书记你好 宋亚楠家里出事了", ("secretary1",), ["songyanan"]),
    ("国华书记 跟您反映个事 宿舍漏水", ("secretary1",), []),
    ("郑书记 我家里今年太难了 我爸查出尿毒症", ("secretary1",), []),
    ("宋亚楠师傅 谈过了 退休手续她都清楚", (), ["songyanan"]),  # a member's visit report: about her
    ("宋亚楠师傅 我跟她谈过了", (), ["songyanan"]),
    ("郑书记 住院了 下周手术", (), ["secretary1"]),  # about the secretary: nobody else, nothing said to him
    ("刘振宇说宋亚楠住院了", (), ["member1", "songyanan"]),
])
def test_who_a_message_is_spoken_to_is_not_what_it_is_about(parser: Parser, text: str, addressed: tuple[str, ...],
                                                            others: list[str]) -> None:
    p = parser.parse(text, sender="hexi", today=TODAY)
    assert p.addressed == addressed
    assert set(addressed) <= set(p.persons)  # still named: the labelled persons include whom it is spoken to
    assert p.others("hexi") == others
