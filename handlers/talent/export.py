"""Export sheets for 精英培养: 人才档案, 培训记录, 内训师, 后备人才.

后备人才 holds status and dates only: no recommendation reason, no review notes, no decision note.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.export import DATETIME_FORMAT, local, Sheet, write
from storage import gatherings, people
from storage import talent as store
from storage.gatherings import GatheringKind, GatheringStatus
from storage.talent import ReserveStatus

if TYPE_CHECKING:
    from datetime import datetime

    from openpyxl import Workbook

SHEET_PROFILES = "人才档案"
SHEET_TRAININGS = "培训记录"
SHEET_LECTURERS = "内训师"
SHEET_RESERVE = "后备人才"
PROFILE_HEADERS = ("姓名", "账号", "班组", "技能", "证书", "参加培训", "发展意愿", "更新时间")
TRAINING_HEADERS = ("编号", "标题", "时间", "地点", "讲师", "范围", "名额", "状态", "报名人数", "到场人数", "到场人员",
                    "发布人", "发布时间")
LECTURER_HEADERS = ("姓名", "账号", "班组", "专长", "同意时间", "在册")
RESERVE_HEADERS = ("姓名", "账号", "班组", "状态", "推荐人", "推荐时间", "考察意见条数", "认定人", "认定时间")


async def write_sheets(session: AsyncSession, wb: "Workbook", tz: ZoneInfo, now: "datetime | None" = None) -> None:
    """Add the four 精英培养 sheets to ``wb``."""
    roster = {p.userid: p for p in await people.all_people(session)}

    def name(userid: str | None) -> str:
        return roster[userid].name if userid and userid in roster else (userid or "")

    def team(userid: str) -> str:
        return roster[userid].team if userid in roster else ""

    profiles = Sheet(SHEET_PROFILES, PROFILE_HEADERS, formats={7: DATETIME_FORMAT}, wrap=(3, 4, 5, 6))
    for p in await store.profiles(session, limit=100000):
        attended = await gatherings.attended_by(session, p.userid, GatheringKind.TRAINING)
        profiles.rows.append([name(p.userid), p.userid, team(p.userid), "、".join(store.skills(p)),
                              "、".join(store.certificates(p)),
                              "、".join(f"培训{g.number} {g.title}" for g in attended),
                              "；".join(w.get("text", "") for w in store.wishes(p)), local(p.updated_at, tz)])

    trainings = Sheet(SHEET_TRAININGS, TRAINING_HEADERS, formats={2: DATETIME_FORMAT, 12: DATETIME_FORMAT},
                       wrap=(10,))
    rows = await gatherings.list_gatherings(session, GatheringKind.TRAINING, limit=100000)
    cnt = await gatherings.counts(session, [g.id for g in rows])
    for g in rows:
        present = await gatherings.attendees(session, g)
        trainings.rows.append([g.number, g.title, local(g.starts_at, tz), g.place, name(g.lecturer),
                               g.team or "全支部", g.capacity or "不限", GatheringStatus.label_of(g.status),
                               cnt[g.id][0], cnt[g.id][1], "、".join(name(u) for u in present), name(g.created_by),
                               local(g.created_at, tz)])

    lecturers = Sheet(SHEET_LECTURERS, LECTURER_HEADERS, formats={4: DATETIME_FORMAT})
    for lec in await store.lecturers(session, include_inactive=True):
        lecturers.rows.append([name(lec.userid), lec.userid, team(lec.userid), lec.specialty,
                               local(lec.agreed_at, tz), "是" if lec.active else "否"])

    reserve = Sheet(SHEET_RESERVE, RESERVE_HEADERS, formats={5: DATETIME_FORMAT, 8: DATETIME_FORMAT})
    cands = await store.candidates(session, limit=100000)
    counts = await store.review_counts(session, [c.id for c in cands])
    for c in cands:
        reserve.rows.append([name(c.userid), c.userid, team(c.userid), ReserveStatus.label_of(c.status),
                             name(c.recommended_by), local(c.created_at, tz), counts[c.id],
                             name(c.decided_by) if c.decided_by else "", local(c.decided_at, tz)])

    for sheet in (profiles, trainings, lecturers, reserve):
        write(wb.create_sheet(sheet.title), sheet)
