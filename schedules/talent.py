"""精英培养 schedules: the digest lines (trainings held, attendance, reserve talent in counts).

The eve-of-training reminder is the gatherings domain's (``schedules/gatherings.py``).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from schedules.config import ScheduleConfig
from storage import gatherings, people
from storage import talent as store
from storage.gatherings import GatheringKind, GatheringStatus
from storage.talent import DECIDED

KIND = GatheringKind.TRAINING
MAX_LISTED = 5  # trainings named one by one in the digest (it is clipped to 2048 bytes)


async def digest_lines(session: AsyncSession, start: datetime, end: datetime, now: datetime,
                       config: ScheduleConfig | None = None) -> list[str]:
    """Trainings held in [start, end) (up to ``now``), attendance, and new reserve candidates (counts only)."""
    until = min(end, now)
    held = await gatherings.list_gatherings(session, KIND, since=start, until=until,
                                            status=(GatheringStatus.OPEN, GatheringStatus.DONE), limit=1000)
    lines: list[str] = []
    if held:
        cnt = await gatherings.counts(session, [g.id for g in held])
        names = await people.names(session)
        total = sum(cnt[g.id][1] for g in held)
        lines.append(f"**精英培养**：举办培训 {len(held)} 期，到场 {total} 人次")
        for g in held[:MAX_LISTED]:
            signed, present = cnt[g.id]
            lec = f"，讲师{names.get(g.lecturer, g.lecturer)}" if g.lecturer else ""
            lines.append(f"- 培训{g.number}「{g.title}」{g.starts_at.astimezone(now.tzinfo):%m-%d}{lec}："
                         f"报名 {signed}，到场 {present}")
    new = await store.candidates(session, since=start, until=end)
    if new:
        lines.append(f"- 新推荐后备人才 {len(new)} 人（详见“/后备”）")
    decided = [c for c in await store.candidates(session, status=DECIDED)
               if c.decided_at is not None and start <= c.decided_at < end]
    if decided:
        ok = sum(c.status == store.ReserveStatus.APPROVED for c in decided)
        lines.append(f"- 后备人才综合认定 {len(decided)} 人，通过 {ok} 人")
    if lines and not held:
        lines.insert(0, "**精英培养**")
    return lines


SWEEPS: tuple[()] = ()
