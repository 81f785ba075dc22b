"""Questionnaires (征求意见): numbering, limits and reads. State changes are in ``storage.surveys.actions``,
aggregated answers in ``storage.surveys.results``.

``SurveyRecipient.position`` counts the questions a recipient answered, so people can stop and resume.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage import numbering
from storage.paging import Page, page
from storage.surveys.lifecycle import RecipientStatus, SurveyStatus
from storage.surveys.models import Survey, SurveyQuestion, SurveyRecipient
from storage.sqlsets import among, plain_rows

COUNTER = "survey"

TITLE_LIMIT = 60
QUESTION_LIMIT = 200
OPTION_LIMIT = 40
MAX_OPTIONS = 20
MAX_QUESTIONS = 30
TEXT_ANSWER_LIMIT = 1000


async def next_number(session: AsyncSession) -> int:
    """The next survey number, safe under concurrency."""
    return await numbering.next_number(session, COUNTER, Survey.number)


def options_of(q: SurveyQuestion) -> list[str]:
    return [str(o) for o in json.loads(q.options or "[]")]


async def get(session: AsyncSession, number: int) -> Survey | None:
    if not numbering.in_range(number):
        return None
    return (await session.execute(select(Survey).where(Survey.number == number))).scalar_one_or_none()


async def list_surveys(session: AsyncSession, *, status: Sequence[str] | None = None, limit: int | None = 50,
                       offset: int = 0) -> Page[Survey]:
    """Surveys, newest first, and how many there are in all."""
    stmt = select(Survey).order_by(Survey.number.desc())
    if status:
        stmt = stmt.where(Survey.status.in_(list(status)))
    return await page(session, stmt, limit, offset)


async def questions(session: AsyncSession, survey_id: int) -> list[SurveyQuestion]:
    stmt = select(SurveyQuestion).where(SurveyQuestion.survey_id == survey_id).order_by(SurveyQuestion.position)
    return list((await session.execute(stmt)).scalars())


async def question_counts(session: AsyncSession, survey_ids: Sequence[int]) -> dict[int, int]:
    if not survey_ids:
        return {}
    stmt = (select(SurveyQuestion.survey_id, func.count()).where(SurveyQuestion.survey_id.in_(survey_ids))
            .group_by(SurveyQuestion.survey_id))
    return {sid: int(n) for sid, n in await session.execute(stmt)}


@dataclass(frozen=True)
class Progress:
    """How far the recipients of one survey got."""

    recipients: int = 0
    answering: int = 0
    done: int = 0

    @property
    def rate(self) -> float | None:
        return self.done / self.recipients if self.recipients else None


async def progress(session: AsyncSession, survey_ids: Sequence[int]) -> dict[int, Progress]:
    """Recipient counts per survey id (surveys without recipients are absent)."""
    if not survey_ids:
        return {}
    stmt = (select(SurveyRecipient.survey_id, SurveyRecipient.status, func.count())
            .where(SurveyRecipient.survey_id.in_(survey_ids))
            .group_by(SurveyRecipient.survey_id, SurveyRecipient.status))
    acc: dict[int, dict[str, int]] = {}
    for sid, status, n in await session.execute(stmt):
        acc.setdefault(sid, {})[status] = int(n)
    return {sid: Progress(sum(c.values()), c.get(RecipientStatus.ANSWERING, 0), c.get(RecipientStatus.DONE, 0))
            for sid, c in acc.items()}


async def recipient(session: AsyncSession, survey_id: int, userid: str) -> SurveyRecipient | None:
    stmt = select(SurveyRecipient).where(SurveyRecipient.survey_id == survey_id, SurveyRecipient.userid == userid)
    return (await session.execute(stmt)).scalar_one_or_none()


async def recipients(session: AsyncSession, survey_id: int) -> list[SurveyRecipient]:
    stmt = select(SurveyRecipient).where(SurveyRecipient.survey_id == survey_id).order_by(SurveyRecipient.userid)
    return list((await session.execute(stmt)).scalars())


class Unfinished(NamedTuple):
    """A recipient who has not finished a survey: who, and how many questions they answered (a named
    tuple: the sweeps read 100,000 of them)."""

    userid: str
    position: int


async def unfinished_recipients(session: AsyncSession, survey_ids: Sequence[int]) -> dict[int, list[Unfinished]]:
    """survey id -> its recipients who have not finished, by userid (one query for every survey, plain rows)."""
    if not survey_ids:
        return {}
    stmt = (select(SurveyRecipient.survey_id, SurveyRecipient.userid, SurveyRecipient.position)
            .where(among(session, SurveyRecipient.survey_id, survey_ids), SurveyRecipient.status != RecipientStatus.DONE)
            .order_by(SurveyRecipient.survey_id, SurveyRecipient.userid))
    out: dict[int, list[Unfinished]] = {}
    for survey, userid, position in (await session.execute(stmt)).all():
        out.setdefault(survey, []).append(Unfinished(userid, position or 0))
    return out


async def open_by_branch(session: AsyncSession) -> dict[int, list[Survey]]:
    """branch -> its open surveys, newest first (``list_surveys(status=(OPEN,), limit=None).rows``)."""
    out: dict[int, list[Survey]] = {}
    for s in (await list_surveys(session, status=(SurveyStatus.OPEN,), limit=None)).rows:
        out.setdefault(s.branch_id, []).append(s)
    return out


async def open_question_counts_by_branch(session: AsyncSession) -> dict[int, dict[int, int]]:
    """branch -> :func:`question_counts` of its open surveys, in one query."""
    stmt = (select(SurveyQuestion.branch_id, SurveyQuestion.survey_id, func.count())
            .join(Survey, Survey.id == SurveyQuestion.survey_id).where(Survey.status == SurveyStatus.OPEN)
            .group_by(SurveyQuestion.branch_id, SurveyQuestion.survey_id))
    out: dict[int, dict[int, int]] = {}
    for branch, sid, n in await session.execute(stmt):
        out.setdefault(branch, {})[sid] = int(n)
    return out


async def open_unfinished_by_branch(session: AsyncSession) -> dict[int, dict[int, list[Unfinished]]]:
    """branch -> :func:`unfinished_recipients` of its open surveys, in one query."""
    stmt = (select(SurveyRecipient.branch_id, SurveyRecipient.survey_id, SurveyRecipient.userid, SurveyRecipient.position)
            .join(Survey, Survey.id == SurveyRecipient.survey_id)
            .where(Survey.status == SurveyStatus.OPEN, SurveyRecipient.status != RecipientStatus.DONE)
            .order_by(SurveyRecipient.survey_id, SurveyRecipient.userid))
    out: dict[int, dict[int, list[Unfinished]]] = {}
    for branch, survey, userid, position in await plain_rows(session, stmt, SurveyRecipient, Survey):
        out.setdefault(branch, {}).setdefault(survey, []).append(Unfinished(userid, position or 0))
    return out


async def unfinished_for(session: AsyncSession, userid: str) -> list[tuple[Survey, SurveyRecipient]]:
    """Open surveys ``userid`` was asked and has not finished: ones under way first, then oldest first."""
    stmt = (select(Survey, SurveyRecipient).join(SurveyRecipient, SurveyRecipient.survey_id == Survey.id)
            .where(SurveyRecipient.userid == userid, Survey.status == SurveyStatus.OPEN,
                   SurveyRecipient.status != RecipientStatus.DONE))
    rows = [(s, r) for s, r in await session.execute(stmt)]
    rows.sort(key=lambda sr: (sr[1].status != RecipientStatus.ANSWERING, sr[0].number))
    return rows
