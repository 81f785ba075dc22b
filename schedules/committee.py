"""The committee's digest (党委周报 / 党委月报): branches compared, sent to every committee officer.

A committee-wide digest is one per deployment, not one per branch: ``committee_digest`` is a
deployment-wide sweep (``schedules.context.deployment_wide``), which the runner runs once per run,
after the branches' sweeps, with a session that sees every branch. It is due when the secretaries'
digests are (``schedules.digest.due_digests``). This module has no ``digest_lines``: nothing of it
goes into a branch's digest.
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.replies import TEXT_LIMIT, Markdown, clip_bytes
from schedules.config import ScheduleConfig
from schedules.context import SweepContext, deployment_wide, pct, warn
from schedules.digest import due_digests, period
from storage import audit, committee
from storage.committee import BranchComponent, BranchFigures, Order, Part

log = logging.getLogger(__name__)

ACTOR = "schedule"
SHOWN = 3  # branches named at the top and at the bottom of each comparison
C = BranchComponent


def _part(p: Part) -> str:
    return f"{pct(p.ratio)}（{p.num}/{p.den}）" if p.den else "—"


def _score(b: BranchFigures) -> str:
    return f"{b.rank}. {b.code} {b.score:.1f}分"


def _ranking_lines(board: committee.Overview, *, complete: bool) -> list[str]:
    ranked = board.ranked
    head = f"**支部争先**（{board.label}{'' if complete else '至今'}）"
    if not ranked:
        return [f"{head}：暂无支部达到排名所需的活动量（{committee.MIN_ACTIVITY} 项）"]
    if len(ranked) <= 2 * SHOWN:
        lines = [f"{head}：" + "；".join(_score(b) for b in ranked)]
    else:
        lines = [f"{head}：前列 " + "；".join(_score(b) for b in ranked[:SHOWN]),
                 "后列 " + "；".join(_score(b) for b in ranked[-SHOWN:])]
    unranked = len(board.branches) - len(ranked)
    if unranked:
        lines.append(f"未参与排名 {unranked} 个支部（活动量不足 {committee.MIN_ACTIVITY} 项）")
    return lines


async def render(session: AsyncSession, kind: str, now: datetime, config: ScheduleConfig | None = None) -> str:
    """The committee digest of the period before ``now`` (``schedules.digest.period``), within 2048 bytes."""
    config = config or ScheduleConfig()
    tz = now.tzinfo
    assert tz is not None
    start, end, label = period(kind, now)
    w = committee.weights(config.branch_weights)
    here = await committee.overview(session, start, end, now, tz, label=label, weights=w)
    first = committee.quarter_start(start.date())
    board = await committee.quarter(session, first, now, tz, weights=w)
    total = here.totals()
    title = {"weekly": "党委周报", "monthly": "党委月报"}.get(kind, "党委本周至今")
    lines = [
        f"## {title}",
        f"统计范围：{label}",
        f"**全委**：{len(here.branches)} 个支部，{total.people} 人；责任区近{committee.COVERAGE_DAYS}天覆盖 "
        f"{_part(total.part(C.COVERAGE))}；办实事未办结 {total.open_deeds} 件，"
        f"逾期 {warn(total.overdue)} 件",
        "**本期**：" + "，".join(f"{k.label} {_part(total.part(k))}" for k in committee.ACTIVITY),
        *_ranking_lines(board, complete=board.as_of >= board.end),
    ]
    late = [b for b in here.by_need(Order.OVERDUE) if b.overdue][:SHOWN]
    if late:
        lines.append("**逾期最多**：" + "、".join(f"{b.code} {b.overdue} 件" for b in late))
    low = [b for b in here.by_need(Order.COVERAGE) if b.part(C.COVERAGE).den][:SHOWN]
    if low:
        lines.append("**覆盖最低**：" + "、".join(f"{b.code} {pct(b.part(C.COVERAGE).ratio)}" for b in low))
    lines.append("详情：发“/支部”看各支部情况，“/争先”看支部争先排名。")
    return clip_bytes("\n".join(lines), TEXT_LIMIT)


@deployment_wide
async def committee_digest(ctx: SweepContext) -> None:
    """The weekly and monthly committee digests, to every committee officer, once per deployment."""
    if ctx.branch is not None:
        return  # only ever run with every branch in view
    due = due_digests(ctx)
    if not due:
        return
    officers = await committee.officers(ctx.session)
    if not officers:
        return
    try:
        committee.weights(ctx.config.branch_weights)
    except committee.BranchWeightsError as exc:
        log.error("branch_weights setting invalid, committee digest not sent: %s", exc)
        return
    for kind, key in due:
        text = await render(ctx.session, kind, ctx.now, ctx.config)
        sent = [uid for uid in officers
                if await ctx.nudge(f"committee:{kind}:{key}:{uid}", uid, Markdown(content=text), kind="committee_digest")]
        if sent and not ctx.dry_run:
            await audit.record(ctx.session, ctx.now, ACTOR, "committee_digest", "branches", f"{kind}:{key}",
                               f"to={len(sent)}")


SWEEPS = (committee_digest,)
