"""Parser interface, normalisation and CLI tests."""
from __future__ import annotations

import datetime as dt
import io
import json

from bot.nlu import Intent, Parser
from bot.nlu.cli import run_jsonl, run_text
from bot.nlu.normalize import normalize

TODAY = dt.date(2026, 11, 23)


def test_normalize() -> None:
    assert normalize("＃１２　好的👍🏻！") == "#12 好的 !"
    assert normalize("食唐的菜太咸") == "食堂的菜太咸"


def test_parse_fields(parser: Parser) -> None:
    p = parser.parse("#41 烘手机修好了", sender="member1", today=TODAY)
    assert p.ref == 41
    assert p.intent in set(Intent)
    d = p.to_json("x")
    assert set(d) == {"id", "intent", "category", "polarity", "persons", "due", "ref", "urgent"}
    assert d["id"] == "x" and d["ref"] == 41


def test_category_only_for_deed_and_care(parser: Parser) -> None:
    for text in ("今天谁值班", "谢谢 问题解决了", "食堂的菜太咸了 能不能少放点盐", "我爸住院了 要做手术"):
        p = parser.parse(text, today=TODAY)
        assert (p.category is not None) == (p.intent in (Intent.DEED_REQUEST, Intent.CARE_NEED))
        assert (p.polarity is not None) == (p.intent is Intent.FEEDBACK)


def test_empty_and_emoji_only(parser: Parser) -> None:
    p = parser.parse("👍👍", today=TODAY)
    assert p.persons == () and p.due is None and not p.urgent


def test_run_text(parser: Parser) -> None:
    out = run_text("明天谁值班", None, TODAY, parser)
    assert "due:      2026-11-24" in out


def test_run_jsonl(parser: Parser) -> None:
    src = io.StringIO('{"id":"a","from":"x","text":"今天谁值班"}\n\nnot json\n{"id":"b"}\n'
                      '{"id":"c","text":"下周三开会","today":"2026-11-29"}\n')
    out = io.StringIO()
    errors = run_jsonl(src, out, parser, TODAY)
    rows = [json.loads(line) for line in out.getvalue().splitlines()]
    assert errors == 2 and len(rows) == 4
    assert rows[0]["id"] == "a" and rows[0]["due"] == "2026-11-23"
    assert rows[1] == {"id": None, "error": rows[1]["error"]}
    assert rows[2]["id"] == "b" and "error" in rows[2]
    assert rows[3]["due"] == "2026-12-02"
