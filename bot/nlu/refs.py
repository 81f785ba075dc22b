"""Item reference (tracked request number) extraction."""
from __future__ import annotations

import re

from .numerals import NUM_RE, to_int

# Nouns that make "N号" an equipment/place/vehicle number, not an item ref.
_NON_REF_NOUN = (
    "机|车|线|楼|门|库|房|柜|床|位|台|炉|泵|站|口|窗|路|院|仓|箱|罐|桩|杆|塔|间|室|厅|层|区|道|"
    "变|主变|开关|刀闸|仪|表|机组|闸|屏|盘|梯|电梯|工位|岗|码|宿舍|厂|班车|巴士|公交|地铁|大巴|"
    "病房|床位|包厢|会议室|车位|线路|馈线|出线|间隔|柜子"
)
_REF_NOUN = r"诉求|工单|单子|事项|问题|反映|申请|建议|那个|的事|事情|件|帖"

_PATTERNS: tuple[re.Pattern[str], ...] = (
    re.compile(r"#\s*0*(\d{1,6})"),
    re.compile(rf"(?:编号|单号|工单号?|诉求号?|事项号?|序号|流水号|No\.?|NO\.?|no\.?)\s*[:：]?\s*(?:是|为)?\s*0*(\d{{1,6}}|[{'一二三四五六七八九十百零两'}]+)(?:号)?(?![\d%])"),
    re.compile(rf"第\s*0*({NUM_RE})\s*号(?:\s*(?:{_REF_NOUN}))?"),
    re.compile(rf"(?<![\d月])0*(\d{{1,6}})\s*号\s*(?:{_REF_NOUN})"),
)
_BARE_START = re.compile(r"^(?:接着|关于|就|那个|问下|问一下|请问)?\s*0*(\d{1,6})\s*号(?=\s|$|[,，:：]|怎么|进度|处理|到哪|办|还|的)")


def extract_ref(text: str) -> int | None:
    """Find the tracked item number a message points at.

    Args:
        text: Normalised message text.

    Returns:
        The item number or None. Equipment numbers (3号机), buses, buildings,
        doors, day-of-month dates and percentages are not refs.
    """
    found = find_ref(text)
    return found[0] if found else None


def find_ref(text: str) -> tuple[int, tuple[int, int]] | None:
    """Like :func:`extract_ref` but also return the matched span."""
    best: tuple[int, int, int] | None = None
    for pat in _PATTERNS:
        for m in pat.finditer(text):
            tail = text[m.end(): m.end() + 4]
            if pat.pattern.startswith("第") and re.match(rf"\s*(?:{_NON_REF_NOUN})", tail):
                continue
            if tail.startswith("%"):
                continue
            value = to_int(m.group(1))
            if value is None:
                continue
            if best is None or m.start() < best[0]:
                best = (m.start(), m.end(), value)
    if best is not None:
        return best[2], (best[0], best[1])
    m = _BARE_START.search(text)
    if m:
        tail = text[m.end(): m.end() + 4]
        if not re.match(rf"\s*(?:{_NON_REF_NOUN})", tail):
            return int(m.group(1)), (m.start(1), m.end())
    return None
