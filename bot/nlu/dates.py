"""Due-date extraction resolved against a reference "today" (see SCHEMA)."""
from __future__ import annotations

import calendar
import datetime
import re
from dataclasses import dataclass

from .holidays_cn import festival_in_year, next_festival
from .numerals import NUM_RE, to_int

_D = datetime.timedelta
_WEEKDAY = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6, "七": 6,
            "1": 0, "2": 1, "3": 2, "4": 3, "5": 4, "6": 5, "7": 6}
_PAST_CTX = re.compile(r"往年|去年|前年|以往|往常|每年|每个月|每月|以前|上回|上次")
_FESTIVALS: tuple[tuple[str, str], ...] = (
    ("元旦", "new_year"), ("新年", "new_year"),
    ("除夕", "eve"), ("大年三十", "eve"), ("年三十", "eve"),
    ("大年初一", "spring"), ("正月初一", "spring"), ("春节", "spring"), ("过年", "spring"),
    ("清明节", "qingming"), ("清明", "qingming"),
    ("五一", "labor"), ("劳动节", "labor"),
    ("端午节", "dragon"), ("端午", "dragon"),
    ("中秋节", "midautumn"), ("中秋", "midautumn"),
    ("国庆节", "national"), ("国庆", "national"), ("十一", "national"),
)
_FEST_RE = re.compile(
    r"(明年|今年|后年)?(" + "|".join(sorted({k for k, _ in _FESTIVALS}, key=len, reverse=True))
    + r")(之前|以前|前夕|前|之后|以后|后|过后|假期|放假|那天|当天|期间|节)?"
)
_FEST_KEY = dict(_FESTIVALS)
_AGAIN = re.compile(r"\S{1,6}?(?:再|复查|回访)")
_DONE_TODAY = re.compile(r"^今\w{0,4}?(?:上午|下午|中午|早上|晚上)?.{0,12}?(?:了|过)")


@dataclass(frozen=True)
class _Hit:
    start: int
    end: int
    day: datetime.date | None


def _month_end(year: int, month: int) -> datetime.date:
    return datetime.date(year, month, calendar.monthrange(year, month)[1])


def _add_months(day: datetime.date, months: int) -> datetime.date:
    idx = day.month - 1 + months
    year, month = day.year + idx // 12, idx % 12 + 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _safe_date(year: int, month: int, day: int) -> datetime.date | None:
    try:
        return datetime.date(year, month, day)
    except ValueError:
        return None


def _infer_year(month: int, day: int, today: datetime.date, year_word: str | None) -> datetime.date | None:
    if year_word:
        year = _year_of(year_word, today)
        return _safe_date(year, month, day) if year else None
    cand = _safe_date(today.year, month, day)
    if cand is None:
        return None
    if cand < today and (today - cand).days > 62:
        return _safe_date(today.year + 1, month, day)
    return cand


def _year_of(word: str, today: datetime.date) -> int | None:
    word = word.rstrip("年")
    if word in ("明", "明年"):
        return today.year + 1
    if word in ("今", "今年"):
        return today.year
    if word in ("后", "后年"):
        return today.year + 2
    if word.isdigit():
        year = int(word)
        return year + 2000 if year < 100 else year
    return None


_MD = re.compile(rf"(?:(\d{{4}}|明|今|后)年)?({NUM_RE})月份?({NUM_RE})(?:日|号)?")
_M_EDGE = re.compile(rf"(?:(\d{{4}}|明|今|后)年)?({NUM_RE})月份?(底|末|初|中旬|上旬|下旬|中)")
_DOTTED = re.compile(r"(?<![\d.])(\d{1,2})[./](\d{1,2})(?![\d.%])(?!\s*(?:倍|元|块|万|千|米|斤|公斤|kg|度|个|小时|h|级|分|秒|寸|吨|天|岁|年|折|成|米|m|V|v|kV|kv))")
_REL_MONTH = re.compile(rf"(下下个?月|下个?月|这个月|本月|当月)(?:的)?(?:({NUM_RE})(?:号|日)|(初|底|末|中旬|上旬|下旬|中))?")
_MONTH_EDGE = re.compile(r"(?<![下个本这当\d一二三四五六七八九十])(月底|月末|月初)")
_YEAR_EDGE = re.compile(r"(明年|今年)?(年底|年末)(之前|以前|前|截止)?")
_WEEK = re.compile(r"(下下个?|下个?|这个?|本|上上?个?|每个?)?(?:周|星期|礼拜|週)([一二三四五六日天七1-7])(?![\d一二三四五六七八九十]*(?:天|个|次|号))")
_DAY_WORD = re.compile(r"大后天|(?<![以然之最落背午])后天(?![天性])|明天|明日|明早|明晚|明儿|今天|今日|今晚|今早|今儿|今夜|当天之内")
_REL = re.compile(rf"({NUM_RE}|半|几)\s*(?:个)?(天|日|周|星期|礼拜|月)(?:以后|之后|后|以内|之内|内)")
_BARE_DAY = re.compile(rf"(?<![\d月#第号])({NUM_RE})(?:号|日)(?=\s*(?:之前|以前|前|之后|以后|后|那天|当天|上午|下午|晚上|早上|中午|左右|开始|起|截止|结婚|办|去|来|到|出院|手术|值班|交|发|报名|体检|开会|回|上班|出发|见|领|考试|培训))")
_HABITUAL = re.compile(r"建议|以后|每|固定|定期|平时|一般|经常|老是|总是|周[一二三四五六日天]都|周[一二三四五六日天]也")


def _just_passed(key: str, today: datetime.date) -> bool:
    day = festival_in_year(key, today.year)
    return day is not None and 0 < (today - day).days <= 45


def _week_day(prefix: str | None, wd: int, today: datetime.date, past: bool = False) -> datetime.date | None:
    monday = today - _D(days=today.weekday())
    prefix = (prefix or "").replace("个", "")
    if prefix.startswith("每") or prefix.startswith("上"):
        return None
    if prefix == "下下":
        return monday + _D(days=14 + wd)
    if prefix == "下":
        return monday + _D(days=7 + wd)
    day = monday + _D(days=wd)
    if prefix in ("这", "本") or day >= today:
        return day
    return None if past else day + _D(days=7)


def _day_word(word: str, today: datetime.date, clause: str) -> datetime.date | None:
    if word == "大后天":
        return today + _D(days=3)
    if word == "后天":
        return today + _D(days=2)
    if word.startswith("明"):
        return today + _D(days=1)
    if (word == "今早" or (word == "今天" and re.search(r"了|发现", clause))) \
            and not re.search(r"之内|以内|前|必须|务必|谁|要|能不能|吗|得|请", clause):
        return None
    return today


def _clause(text: str, start: int, end: int) -> str:
    left = max(text.rfind(" ", 0, start), text.rfind(",", 0, start)) + 1
    right_cands = [i for i in (text.find(" ", end), text.find(",", end)) if i >= 0]
    right = min(right_cands) if right_cands else len(text)
    return text[left:right]


def find_dates(text: str, today: datetime.date) -> list[tuple[int, datetime.date | None]]:
    """Return every date mention as (position, resolved date or None)."""
    hits: list[_Hit] = []
    taken: list[tuple[int, int]] = []

    def free(s: int, e: int) -> bool:
        return all(e <= a or s >= b for a, b in taken)

    def add(s: int, e: int, day: datetime.date | None) -> None:
        if free(s, e):
            taken.append((s, e))
            hits.append(_Hit(s, e, day))

    for m in _M_EDGE.finditer(text):
        month = to_int(m.group(2))
        if month is None or not 1 <= month <= 12:
            continue
        edge = m.group(3)
        day: datetime.date | None = None
        if edge in ("底", "末"):
            base = _infer_year(month, 1, today.replace(day=1), m.group(1))
            day = _month_end(base.year, month) if base else None
        elif edge == "初":
            day = _infer_year(month, 1, today, m.group(1))
        add(m.start(), m.end(), day)
    for m in _MD.finditer(text):
        month, dom = to_int(m.group(2)), to_int(m.group(3))
        if month is None or dom is None or not (1 <= month <= 12 and 1 <= dom <= 31):
            continue
        add(m.start(), m.end(), _infer_year(month, dom, today, m.group(1)))
    for m in _DOTTED.finditer(text):
        month, dom = int(m.group(1)), int(m.group(2))
        if 1 <= month <= 12 and 1 <= dom <= 31:
            add(m.start(), m.end(), _infer_year(month, dom, today, None))
    for m in _REL_MONTH.finditer(text):
        rel, num, edge = m.group(1), m.group(2), m.group(3)
        months = 2 if rel.startswith("下下") else 1 if rel.startswith("下") else 0
        base = _add_months(today.replace(day=1), months)
        day = None
        if num:
            dom = to_int(num)
            day = _safe_date(base.year, base.month, dom) if dom else None
        elif edge in ("初",):
            day = base
        elif edge in ("底", "末"):
            day = _month_end(base.year, base.month)
        add(m.start(), m.end(), day)
    for m in _MONTH_EDGE.finditer(text):
        word = m.group(1)
        if word == "月初":
            day = today if today.day == 1 else _add_months(today.replace(day=1), 1)
        else:
            day = _month_end(today.year, today.month)
        add(m.start(), m.end(), day)
    for m in _YEAR_EDGE.finditer(text):
        year = today.year + 1 if m.group(1) == "明年" else today.year
        modifier = re.match(r"[盘检考总评冲大工任决结各忙的事]", text[m.end(): m.end() + 1])
        add(m.start(), m.end(), datetime.date(year, 12, 31) if m.group(3) or not modifier else None)
    for m in _FEST_RE.finditer(text):
        year_word, word, suffix = m.group(1), m.group(2), m.group(3) or ""
        key = _FEST_KEY[word]
        if word == "十一" and not suffix and not re.search(r"国庆|放假|假期|长假", text):
            continue
        if word == "过年" and suffix not in ("前", "之前", "以前"):
            continue
        if word == "新年" and suffix not in ("前", "之前", "以前", "后", "之后", "以后", "假期", "放假", "那天", "当天"):
            continue
        tail = text[m.end(): m.end() + 3]
        if suffix in ("期间", "假期") or re.match(r"的|慰问|福利|礼|快乐|七天|几天|那几天|这几天|长假|期间", tail):
            add(m.start(), m.end(), None)
            continue
        if not year_word and not suffix and _just_passed(key, today):
            add(m.start(), m.end(), None)
            continue
        offset = "before" if suffix in ("之前", "以前", "前", "前夕") else "after" if suffix in ("之后", "以后", "后", "过后") else ""
        if year_word:
            year = _year_of(year_word, today)
            day = festival_in_year(key, year, offset) if year else None
        else:
            day = next_festival(key, today, offset)
        add(m.start(), m.end(), day)
    for m in _WEEK.finditer(text):
        tail = text[m.end(): m.end() + 3]
        if re.match(r"\s*(?:到|至|-|~)\s*(?:周|星期|礼拜)?[一二三四五六日天]", tail):
            add(m.start(), m.end() + 3, None)
            continue
        if text[m.end(): m.end() + 1] == "气":
            continue
        after = text[m.end(): m.end() + 8]
        past = bool(re.match(r"[^ ,]{0,6}?(?:了|过|提的|报的|说的|那天|的时候)", after))
        day = _week_day(m.group(1), _WEEKDAY[m.group(2)], today, past)
        if not m.group(1) and _HABITUAL.search(_clause(text, m.start(), m.end()) + text[m.end(): m.end() + 2]):
            day = None
        add(m.start(), m.end(), day)
    for m in _DAY_WORD.finditer(text):
        add(m.start(), m.end(), _day_word(m.group(0), today, _clause(text, m.start(), m.end())))
    for m in _REL.finditer(text):
        num, unit = m.group(1), m.group(2)
        if num == "几":
            add(m.start(), m.end(), None)
            continue
        n = 0.5 if num == "半" else to_int(num)
        if not n:
            continue
        if unit in ("天", "日"):
            day = today + _D(days=int(n))
        elif unit == "月":
            day = today + _D(days=15) if n == 0.5 else _add_months(today, int(n))
        else:
            day = today + _D(days=int(7 * n))
        add(m.start(), m.end(), day)
    for m in _BARE_DAY.finditer(text):
        dom = to_int(m.group(1))
        if not dom or not 1 <= dom <= 31:
            continue
        day = _safe_date(today.year, today.month, dom)
        if day is None or day < today:
            nxt = _add_months(today.replace(day=1), 1)
            day = _safe_date(nxt.year, nxt.month, dom)
        add(m.start(), m.end(), day)
    out = []
    for h in sorted(hits, key=lambda h: h.start):
        day = h.day
        if day is not None and _PAST_CTX.search(text[max(0, h.start - 6): h.start]):
            day = None
        if day is not None and re.search(r"每", text[max(0, h.start - 2): h.start]):
            day = None
        if day is not None and text[max(0, h.start - 1): h.start] == "都" and text[h.end: h.end + 1] == "了":
            day = None
        out.append((h.start, day))
    return out


def extract_due(text: str, today: datetime.date) -> datetime.date | None:
    """Return the first date named for something still ahead (today included).

    Args:
        text: Normalised text (person names and refs already masked).
        today: Reference date.

    Returns:
        The due date, or None for no date / vague / past only.
    """
    hits = [(pos, day) for pos, day in find_dates(text, today) if day is not None and day >= today]
    if not hits:
        return None
    pos, day = hits[0]
    if day == today and len(hits) > 1:
        # "今天去了他家 … 下周一再去": a finished action today, then the next date.
        later = next(((p, d) for p, d in hits[1:] if d > today), None)
        if later is not None and (_DONE_TODAY.search(text[pos:later[0]])
                                  or _AGAIN.match(text, later[0], later[0] + 10)):
            return later[1]
    return day
