"""Reading what people type about projects: dates, milestones, ``键=值`` fields, references and
"里程碑N 完成". Pure functions of the text (and today's date)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date

from bot.nlu.dates import find_dates
from storage.assist import Milestone

REF = re.compile(r"帮扶\s*(?:[#＃]\s*(\d{1,6})|第?\s*(\d{1,6})\s*号)"
                 r"|项目\s*[#＃]?\s*(\d{1,6})(?!\d)\s*号?(?![个件次人项名位天])")
PROJECT_NUMBER = re.compile(r"^\s*(?:帮扶|项目)?\s*[#＃]?\s*(\d{1,6})\s*号?\s*$")
KEY = re.compile(r"(对象|目标|成员|截止|里程碑|标准|负责人)\s*[=＝]")
ITEM = re.compile(r"^[#＃]\s*(\d{1,7})$")
LIST_SPLIT = re.compile(r"[,，、;；/\s]+")
MILESTONE_SPLIT = re.compile(r"[;；\n]+")
CANCEL = re.compile(r"^\s*(取消|算了|不建了|放弃)\s*[。.!！]?\s*$")
FINISH = re.compile(r"^\s*(完成|好了|没有了|没了|结束|就这些|无)\s*[。.!！]?\s*$")
NONE = re.compile(r"^\s*(无|没有|暂无|不用|跳过|-)\s*[。.!！]?\s*$")
MS_NUMBER_DONE = re.compile(r"里程碑\s*(\d{1,3})\s*(?:已经|已)?\s*(?:完成|达成|搞定|做完)")
DONE_WORD = re.compile(r"(?:已经|已)?(?:完成|搞定|做完|结束|达成)")
NOT_DONE = re.compile(r"(没|未|尚未|还没|没有)(能)?(完成|搞定|做完|结束|达成)")
FEEDBACK = re.compile(r"(意见|建议|反馈|看法|评价)\s*[:：]"
                      r"|对\s*(?:帮扶|项目)\s*[#＃]?\s*\d+\s*号?\s*的?\s*(意见|建议|反馈|看法|评价)")
QUERY = re.compile(r"怎么样|如何|到哪|什么进展|进展如何|进度如何|[吗呢][？?]?\s*$|[？?]\s*$")
ASSESS = re.compile(r"^[#＃]?\s*(\d{1,6})\s*号?\s*(部分达成|未达成|达成)\s*[:：，,]?\s*(.*)$", re.S)
ISO_DATE = re.compile(r"^\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*[日号]?\s*$")
MD_DATE = re.compile(r"^\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*[日号]?\s*$")
MS_PAIR = re.compile(r"^\s*(.+?)\s*[:：\s]\s*(.+?)\s*$")
MS_DATE_FIRST = re.compile(r"^\s*(\d{4}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}\s*[日号]?|\d{1,2}\s*月\s*\d{1,2}\s*[日号]?)"
                           r"\s*[:：]?\s*(.+?)\s*$")
WORD_NOISE = re.compile(r"[\s\W_]+", re.UNICODE)
LEADING = re.compile(r"^\s*(?:对|关于)?\s*(?:的)?\s*(?:意见|建议|反馈|看法|评价|进展|进度)?\s*[:：，,。\s]*")


def parse_day(text: str, today: date) -> date | None:
    """A date the secretary typed: ``2026-12-31``, ``12月31日``, ``12/31``, ``月底``, ``下周五`` …

    A month and day without a year is this year's, or next year's when that day is more than
    two months gone (the parser's rule), so "11月1日" late in November stays in the past.
    """
    m = ISO_DATE.match(text)
    if m:
        try:
            return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        except ValueError:
            return None
    m = MD_DATE.match(text)
    if m:
        month, day = int(m.group(1)), int(m.group(2))
        try:
            cand = date(today.year, month, day)
        except ValueError:
            return None
        if cand < today and (today - cand).days > 62:
            try:
                cand = date(today.year + 1, month, day)
            except ValueError:
                return None
        return cand
    for _, day_ in find_dates(text.strip(), today):
        if day_ is not None:
            return day_
    return None


def split_milestone(text: str, today: date) -> tuple[date | None, str]:
    """"12月10日:摸底" / "12月10日 摸底" / "摸底：12月10日" -> (date, title)."""
    text = text.strip()
    m = MS_DATE_FIRST.match(text)
    if m:
        day = parse_day(m.group(1), today)
        if day is not None:
            return day, m.group(2)
    m = MS_PAIR.match(text)
    if m:
        left, right = m.group(1).strip(), m.group(2).strip()
        day = parse_day(left, today)
        if day is not None:
            return day, right
        day = parse_day(right, today)
        if day is not None:
            return day, left
    return None, text


def key_values(rest: str) -> tuple[str, dict[str, str] | None]:
    """``标题 对象=… 截止=…`` -> (title, {"对象": …, "截止": …}); None when no ``键=`` is written."""
    keys = list(KEY.finditer(rest))
    if not keys:
        return rest.strip(), None
    values: dict[str, str] = {}
    for i, m in enumerate(keys):
        end = keys[i + 1].start() if i + 1 < len(keys) else len(rest)
        values[m.group(1)] = rest[m.end(): end].strip()
    return rest[: keys[0].start()].strip(), values


def names(raw: str) -> list[str]:
    """``张敏、陈俊杰`` -> the words of a list of people."""
    return [w for w in LIST_SPLIT.split(raw.strip()) if w]


def milestone_parts(raw: str) -> list[str]:
    """``12月10日:摸底;12月20日:整改`` -> one text per milestone."""
    return [part for part in MILESTONE_SPLIT.split(raw) if part.strip()]


def reference(text: str) -> tuple[int, bool] | None:
    """The project a text names: (number, whether it said 项目N, which may be another domain's)."""
    m = REF.search(text)
    if not m:
        return None
    return int(m.group(1) or m.group(2) or m.group(3)), m.group(3) is not None


def body(text: str) -> str:
    """The message without the project reference and leading punctuation."""
    stripped = LEADING.sub("", REF.sub("", text, count=1))
    return stripped.strip() or text.strip()


def title_words(title: str, avoid: set[str]) -> set[str]:
    """Four-character windows of the title (or the whole short title), minus target names."""
    t = WORD_NOISE.sub("", title)
    if len(t) <= 4:
        return {t} if len(t) >= 2 and t not in avoid else set()
    return {t[i:i + 4] for i in range(len(t) - 3)} - avoid


def without_noise(text: str) -> str:
    return WORD_NOISE.sub("", text)


def milestone_in(text: str, ms: Sequence[Milestone]) -> Milestone | None:
    """The milestone a progress text says is done ("里程碑2 完成", "摸底已经完成了"), if any."""
    if NOT_DONE.search(text):
        return None
    m = MS_NUMBER_DONE.search(text)
    if m:
        pos = int(m.group(1))
        return next((x for x in ms if x.position == pos), None)
    for x in sorted(ms, key=lambda x: -len(x.title)):
        at = text.find(x.title)
        if at >= 0 and DONE_WORD.search(text, at + len(x.title)):
            return x
    return None
