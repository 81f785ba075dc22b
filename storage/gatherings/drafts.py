"""A new gathering as written in chat: ``标题 时间=2026-12-03 14:00 地点=… 名额=20 班组=… 类型=…``.

``/培训 新建`` (精英培养) and ``/活动 新建`` (精益班组) both read their text here, so a gathering is
validated one way: :func:`read` gives a :class:`Draft` or raises :class:`BadDraft` with the Chinese
reason (ending "培训没有发布。" / "活动没有发布。"); ``usage`` says whether the reply should show the
command's format too. Extra fields (``讲师=…``) are left in ``Draft.fields`` for the caller.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from storage import people
from storage.errors import Refused
from storage.gatherings.lifecycle import ActivityCategory, GatheringKind

TITLE_MAX = 60
PLACE_MAX = 120
CAPACITY_MAX = 10000
WHEN = re.compile(r"^(?:(\d{4})[-/.年])?(\d{1,2})[-/.月](\d{1,2})[日号]?\s*(\d{1,2})[:：点](\d{2})?分?$")
EXAMPLE_WHEN = "时间=2026-12-03 14:00"


class BadDraft(Refused):
    """Why the text is not a gathering; ``usage``: show the command's format after the reason."""

    def __init__(self, message: str, *, usage: bool = False) -> None:
        super().__init__(message)
        self.usage = usage


@dataclass(frozen=True)
class Draft:
    kind: GatheringKind
    title: str
    starts_at: datetime
    place: str = ""
    capacity: int = 0  # 0: unlimited
    team: str = ""
    category: str = ""
    fields: dict[str, str] = field(default_factory=dict)


def split_fields(body: str, keys: Sequence[str]) -> tuple[str, dict[str, str]] | None:
    """``标题 键=值 键=值`` -> (title, {键: 值}); None when a key is written twice."""
    hits = list(re.finditer(rf"({'|'.join(map(re.escape, keys))})\s*[=＝:：]", body))
    title = body[: hits[0].start()].strip() if hits else body.strip()
    values: dict[str, str] = {}
    for i, h in enumerate(hits):
        if h[1] in values:
            return None
        end = hits[i + 1].start() if i + 1 < len(hits) else len(body)
        values[h[1]] = body[h.end():end].strip()
    return title, values


def parse_when(raw: str, now: datetime) -> datetime | None:
    """``2026-12-03 14:00``, ``12月3日14点``, ``12-03 14:00`` (this year, or next if long past) in ``now``'s zone."""
    m = WHEN.match(raw.strip())
    if not m:
        return None
    year = int(m[1]) if m[1] else now.year
    try:
        dt = datetime(year, int(m[2]), int(m[3]), int(m[4]), int(m[5] or 0), tzinfo=now.tzinfo)
    except ValueError:
        return None
    if not m[1] and dt < now - timedelta(days=1):
        dt = dt.replace(year=year + 1)
    return dt


def parse_capacity(raw: str) -> int | None:
    """``20`` / ``20人`` -> 20; None when it is not a whole number from 1 to 10000."""
    n = raw.strip().rstrip("人名个位")
    return int(n) if n.isdigit() and 0 < int(n) <= CAPACITY_MAX else None


async def read(session: AsyncSession, kind: GatheringKind, body: str, now: datetime,
               keys: Sequence[str]) -> Draft:
    """The gathering ``body`` describes (``keys``: the fields this kind takes), or :class:`BadDraft`."""
    k = kind.label
    not_published = f"{k}没有发布。"
    parsed = split_fields(body, keys)
    if parsed is None:
        raise BadDraft(f"每一项只能写一次，{not_published}", usage=True)
    title, values = parsed
    if not title:
        raise BadDraft(f"请写{k}标题，{not_published}", usage=True)
    if len(title) > TITLE_MAX:
        raise BadDraft(f"{k}标题太长了，请控制在 {TITLE_MAX} 字以内，{not_published}")
    if not values.get("时间"):
        raise BadDraft(f"请写{k}时间，例如“{EXAMPLE_WHEN}”，{not_published}", usage=True)
    starts = parse_when(values["时间"], now)
    if starts is None:
        raise BadDraft(f"看不懂时间“{values['时间']}”，请写成“{EXAMPLE_WHEN}”，{not_published}")
    if starts <= now:
        raise BadDraft(f"{k}时间 {starts.month}月{starts.day}日 {starts:%H:%M} 已经过去了，请核对后重发，{not_published}")
    capacity = 0
    if "名额" in values:
        found = parse_capacity(values["名额"])
        if found is None:
            raise BadDraft(f"名额“{values['名额']}”不对，请写正整数，例如“名额=20”；不限名额就不写。{not_published}")
        capacity = found
    category = ""
    if "类型" in keys:
        word = values.get("类型") or ActivityCategory.OTHER.label
        parsed_category = ActivityCategory.parse(word)
        if parsed_category is None:
            valid = "、".join(ActivityCategory.labels().values())
            raise BadDraft(f"没有“{word}”这个活动类型，{not_published}类型：{valid}")
        category = parsed_category.value
    team = values.get("班组", "")
    if team and not await people.team_members(session, team):
        teams = sorted({t for t in (await people.teams(session)).values() if t})
        raise BadDraft(f"没有“{team}”这个班组，{not_published}班组：" + "、".join(teams))
    return Draft(kind, title, starts, values.get("地点", "")[:PLACE_MAX], capacity, team, category, values)
