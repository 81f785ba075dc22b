"""What 精益班组 says (Chinese): scores, components, months."""

from __future__ import annotations

import re
from datetime import date

from bot.dispatcher import Context
from storage import teams as store

MONTH_ISO = re.compile(r"^(\d{4})[-/.年](\d{1,2})月?$")
MONTH_CN = re.compile(r"^(\d{1,2})月$")
THIS_MONTH = ("本月", "这个月", "当月")
LAST_MONTH = ("上月", "上个月")

RANK_USAGE = "看不懂月份。用法：/排名（本月至今）、/排名 上月、/排名 2026-10"
BAD_WEIGHTS = "班组评分权重设置有误，请联系管理员修改配置：{exc}"
CREATE_USAGE = ("格式：/活动 新建 标题 时间=2026-12-05 09:00 地点=市展览馆 名额=30 类型=参观学习 [班组=运行一班]\n"
                "类型：参观学习、竞赛、运动会、其他；名额不写为不限；不写班组为全支部活动。")


def pct(ratio: float | None) -> str:
    return "—" if ratio is None else f"{ratio:.0%}"


def score(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}分"


def weights(ctx: Context) -> dict[str, float]:
    return store.weights(ctx.settings.team_weights)


def month_arg(arg: str | None, today: date) -> date | None:
    """None / 本月 -> this month; 上月; 2026-10 / 2026年10月; 10月 (this year, or last year if later)."""
    this = store.month_start(today)
    if arg is None or arg in THIS_MONTH:
        return this
    if arg in LAST_MONTH:
        return store.previous_month(this)
    m = MONTH_ISO.match(arg)
    if m and 1 <= int(m[2]) <= 12:
        return date(int(m[1]), int(m[2]), 1)
    m = MONTH_CN.match(arg)
    if m and 1 <= int(m[1]) <= 12:
        first = date(today.year, int(m[1]), 1)
        return first if first <= this else first.replace(year=today.year - 1)
    return None


def components_line(ts: store.TeamScore) -> str:
    parts = []
    for key in store.COMPONENTS:
        c = ts.components[key]
        parts.append(f"{c.cn}{pct(c.ratio)}" + (f"({c.num}/{c.den})" if c.den else ""))
    return "，".join(parts)


def leaders(ts: store.TeamScore) -> str:
    return "、".join(p.name for p in ts.leaders) or "（未设网格长）"
