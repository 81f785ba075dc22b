"""Filter parameters of the workbench's pages: empty form fields count as absent, bad values are a 400.

Dates are ``since``/``until`` (not ``from``: WeChat appends ``from=singlemessage`` to shared links).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo

from multidict import MultiDictProxy

from storage.months import day_start

PER_PAGE = 50
MAX_PAGE = 100_000
TRUE = {"1", "true", "yes", "on", "是"}
FALSE = {"0", "false", "no", "off", "否"}


class BadFilter(Exception):
    """A filter has a value the page cannot use; the message (Chinese) says which and why."""


@dataclass(frozen=True)
class Query:
    """Typed access to a request's query string."""

    raw: MultiDictProxy[str]

    def text(self, name: str, limit: int = 64) -> str | None:
        values = [v.strip() for v in self.raw.getall(name, []) if v.strip()]
        if len(values) > 1:
            raise BadFilter(f"筛选条件“{name}”只能给一个值")
        if not values:
            return None
        if len(values[0]) > limit:
            raise BadFilter(f"筛选条件“{name}”太长了（最多 {limit} 个字）")
        return values[0]

    def choice(self, name: str, options: Iterable[str]) -> str | None:
        value = self.text(name)
        allowed = tuple(options)
        if value is not None and value not in allowed:
            raise BadFilter(f"筛选条件“{name}”的取值“{value}”无效")
        return value

    def flag(self, name: str) -> bool | None:
        value = self.text(name)
        if value is None:
            return None
        if value.lower() in TRUE:
            return True
        if value.lower() in FALSE:
            return False
        raise BadFilter(f"筛选条件“{name}”必须是“是”或“否”，收到“{value}”")

    def day(self, name: str) -> date | None:
        value = self.text(name)
        if value is None:
            return None
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise BadFilter(f"“{name}”必须是日期，例如 2026-11-25，收到“{value}”") from None

    def month(self, name: str) -> date | None:
        """``YYYY-MM`` -> the first day of that month."""
        value = self.text(name)
        if value is None:
            return None
        try:
            year, month = value.split("-")
            return date(int(year), int(month), 1)
        except ValueError:
            raise BadFilter(f"“{name}”必须是月份，例如 2026-11，收到“{value}”") from None

    def span(self) -> tuple[date | None, date | None]:
        """``since``..``until`` (both inclusive)."""
        since, until = self.day("since"), self.day("until")
        if since is not None and until is not None and since > until:
            raise BadFilter("开始日期不能晚于结束日期")
        return since, until

    def moments(self, tz: tzinfo) -> tuple[datetime | None, datetime | None]:
        """:meth:`span` as aware bounds [start, end): local midnight of ``since``, the midnight after ``until``."""
        since, until = self.span()
        return (day_start(since, tz) if since else None,
                day_start(until + timedelta(days=1), tz) if until else None)

    def page(self) -> int:
        value = self.text("page")
        if value is None:
            return 1
        if not value.isdigit() or not 1 <= int(value) <= MAX_PAGE:
            raise BadFilter(f"页码必须是正整数，收到“{value}”")
        return int(value)

    @property
    def wants_xlsx(self) -> bool:
        return self.choice("format", ("html", "xlsx")) == "xlsx"
