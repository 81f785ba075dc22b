"""The secretary's weekly and monthly digests, as WeCom markdown within its 2048-byte limit."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from datetime import date, datetime, time, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from bot.replies import TEXT_LIMIT, clip_bytes
from schedules import sweeps_teams
from storage import followups
from storage.coverage import coverage


DigestSection = Callable[[AsyncSession, datetime, datetime, datetime], Awaitable[list[str]]]


def period(kind: str, now: datetime) -> tuple[datetime, datetime, str]:
    """The last complete week (Mon–Sun) or month before ``now``, as aware local bounds and a label."""
    tz = now.tzinfo
    today = now.date()
    if kind == "weekly":
        end_day = today - timedelta(days=today.weekday())
        start_day = end_day - timedelta(days=7)
        label = f"{start_day:%m月%d日}—{end_day - timedelta(days=1):%m月%d日}"
    elif kind == "monthly":
        end_day = today.replace(day=1)
        start_day = (end_day - timedelta(days=1)).replace(day=1)
        label = f"{start_day.year}年{start_day.month}月"
    else:
        raise ValueError(f"unknown digest kind {kind!r}")
    return (datetime.combine(start_day, time(0), tzinfo=tz), datetime.combine(end_day, time(0), tzinfo=tz), label)


def _pct(x: float | None) -> str:
    return "—" if x is None else f"{x:.0%}"


def _sections() -> tuple[DigestSection, ...]:
    """The other pillars' digest lines (imported late: they import from this package)."""
    from schedules import sweeps_assist, sweeps_surveys, sweeps_talent

    return (sweeps_assist.digest_lines, sweeps_talent.digest_lines, sweeps_surveys.digest_lines)


async def render_digest(session: AsyncSession, kind: str, now: datetime, link: str | None = None,
                        team_weights: Mapping[str, float] | None = None) -> str:
    start, end, label = period(kind, now)
    today: date = now.date()
    figures = await followups.period_figures(session, start, end, today, now)
    cov = await coverage(session, today)
    people = await followups.people_by_id(session)
    cov_pct = cov.visited_30 / cov.zone_total if cov.zone_total else None
    title = "周报" if kind == "weekly" else "月报"
    lines = [
        f"## 四精助手{title}（{label}）",
        f"**责任区覆盖**：近30天走访 {cov.visited_30}/{cov.zone_total} 人（{_pct(cov_pct)}）"
        + (f"，未划入责任区 {len(cov.unassigned)} 人" if cov.unassigned else ""),
        f"**办实事**：新增 {figures.new}，已办结 {figures.resolved}，销号 {figures.closed}，"
        f"重新打开 {figures.reopened}，当前逾期 <font color=\"warning\">{figures.overdue}</font>",
        f"**满意率**：{_pct(figures.satisfaction)}（满意 {figures.satisfied}，不满意 {figures.unsatisfied}）",
        f"**回访**：完成 {figures.visits} 次，逾期未回访 <font color=\"warning\">{figures.followups_overdue}</font> 项",
    ]
    members = sorted(((people[m].name if m in people else m, n) for m, n in figures.visits_by_member.items()),
                     key=lambda x: -x[1])
    idle = [p.name for p in people.values() if p.role == "member" and p.userid not in figures.visits_by_member]
    if members:
        lines.append("**党员走访**：" + "，".join(f"{name} {n}" for name, n in members[:8]))
    if idle:
        lines.append(f"**本期未走访**：{'、'.join(idle[:10])}" + (f" 等{len(idle)}人" if len(idle) > 10 else ""))
    for section in _sections():
        lines.extend(await section(session, start, end, now))
    lines.extend(await sweeps_teams.digest_lines(session, start, end, now, weights=team_weights))
    if link:
        lines.append(f"[查看明细]({link})")
    text = "\n".join(lines)
    return clip_bytes(text, TEXT_LIMIT)
