"""精益班组 schedules: the digest's 优秀班组 lines.

The eve-of-activity reminder is the gatherings domain's (``schedules/gatherings.py``).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from schedules.config import ScheduleConfig
from storage import teams


async def digest_lines(session: AsyncSession, start: datetime, end: datetime, now: datetime,
                       config: ScheduleConfig | None = None, *, weights: Mapping[str, float] | None = None) -> list[str]:
    """优秀班组 of the month ``start`` falls in (monthly digest) or the month so far (shorter periods).

    ``weights`` defaults to ``SIJING_TEAM_WEIGHTS`` (the caller should pass ``settings.team_weights``
    through :func:`storage.teams.weights`).
    """
    if weights is None and config is not None and config.team_weights is not None:
        weights = config.team_weights
    w = dict(weights) if weights is not None else teams.weights_from_env()
    tz = now.tzinfo
    local_start = start.astimezone(tz)
    monthly = (end - start) >= timedelta(days=28)
    month = teams.month_start(local_start.date() if monthly else now.date())
    r = await teams.ranking(session, month, tz, now=min(now, end) if monthly else now, weights_=w)
    scored = [t for t in r.teams if t.score is not None]
    if not scored:
        return []
    top = "，".join(f"{t.rank}. {t.team} {t.score:.1f}分" for t in scored[:6])
    if not monthly:
        return [f"**班组评分**（{month.month}月至今）：{top}"]
    best = r.excellent()
    if not best:
        return [f"**班组评分**（{teams.month_label(month)}）：{top}；没有班组达到优秀标准"
                f"（{teams.EXCELLENT_SCORE:.0f}分以上且有足够记录），发“/排名”看各项得分"]
    names = "；".join(f"{t.team} {t.score:.1f}分（网格长 {'、'.join(p.name for p in t.leaders) or '未设'}）"
                     for t in best)
    return [f"**优秀班组**（{teams.month_label(month)}）：{names}"]


SWEEPS: tuple[()] = ()
