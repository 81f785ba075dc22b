"""Export sheets for questionnaires: 问卷结果 (per option) and 问卷意见 (free text).

Anonymous surveys: the 答卷人 column stays empty and answers are in a content-based order.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.export import DATETIME_FORMAT, PERCENT_FORMAT, local, Sheet, write
from storage import people, surveys
from storage.surveys import QuestionKind, SurveyStatus

if TYPE_CHECKING:
    from datetime import datetime

    from openpyxl import Workbook

SHEET_RESULTS = "问卷结果"
SHEET_OPINIONS = "问卷意见"
RESULT_HEADERS = ("问卷编号", "问卷标题", "状态", "匿名", "发布时间", "回收人数", "应答人数", "回收率", "题号", "题型", "题目",
                  "选项", "人数", "占比")
OPINION_HEADERS = ("问卷编号", "问卷标题", "匿名", "题号", "题目", "答卷人", "答卷人账号", "意见")


async def write_sheets(session: AsyncSession, wb: "Workbook", tz: ZoneInfo, now: "datetime | None" = None) -> None:
    """Add the two sheets to ``wb`` (drafts are left out)."""
    names = await people.names(session)
    results = Sheet(SHEET_RESULTS, RESULT_HEADERS, formats={4: DATETIME_FORMAT, 7: PERCENT_FORMAT,
                                                             13: PERCENT_FORMAT}, wrap=(10,))
    opinions = Sheet(SHEET_OPINIONS, OPINION_HEADERS, wrap=(4, 7))
    published = await surveys.list_surveys(session, status=(SurveyStatus.OPEN, SurveyStatus.CLOSED), limit=None)
    for s in sorted(published.rows, key=lambda s: s.number):
        res = await surveys.results(session, s)
        p = res.progress
        head: list[Any] = [s.number, s.title, SurveyStatus.label_of(s.status), "是" if s.anonymous else "否",
                           local(s.opened_at, tz), p.done, p.recipients, p.rate if p.rate is not None else None]
        for q in res.questions:
            kind = QuestionKind.label_of(q.kind)
            if q.kind == QuestionKind.TEXT:
                results.rows.append([*head, q.position, kind, q.text, "（问答）", q.answered, None])
                for who, text in q.texts:
                    anon = bool(s.anonymous) or who is None
                    opinions.rows.append([s.number, s.title, "是" if s.anonymous else "否", q.position, q.text,
                                          None if anon else names.get(who or "", who), None if anon else who, text])
                continue
            for i, option in enumerate(q.options):
                results.rows.append([*head, q.position, kind, q.text, option, q.counts[i], q.share(i)])
    write(wb.create_sheet(SHEET_RESULTS), results)
    write(wb.create_sheet(SHEET_OPINIONS), opinions)
