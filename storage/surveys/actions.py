"""Every change of a survey and of a recipient's answers: the rows are locked, the lifecycle checked
and the change written, with its audit line, in the caller's transaction.

The survey row is re-read ``FOR UPDATE`` (PostgreSQL; SQLite serialises writers): publishing, closing
and answering one survey happen one after the other, so an answer never lands in a closed survey and
two anonymous answers to one question never reshuffle the same rows at once.

Anonymous surveys: ``SurveyAnswer.respondent`` is NULL, the answer's ``at`` is the survey's opening time
(not the moment of answering), the answers of a question are re-inserted in a random order after every
new one (row ids do not reveal who answered first), the audit line says only "an answer to survey N",
and the stored callback's text is redacted. Only ``SurveyRecipient`` knows who finished.
"""

from __future__ import annotations

import json
import re
import secrets
from collections.abc import Sequence
from datetime import datetime
from typing import TypeVar

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.locking import lock_row
from storage import audit
from storage.errors import Refused
from storage.models import InboxRow
from storage.surveys.lifecycle import Action, QuestionKind, RecipientStatus, SurveyStatus, answered, check, check_recipient
from storage.surveys.lifecycle import label
from storage.surveys.models import Survey, SurveyAnswer, SurveyQuestion, SurveyRecipient
from storage.surveys.repo import MAX_QUESTIONS, TITLE_LIMIT, next_number, questions

ANONYMOUS_ACTOR = "anonymous"
OBJECT = "survey"
R = TypeVar("R", Survey, SurveyRecipient)




async def create(session: AsyncSession, *, now: datetime, actor: str, title: str, anonymous: bool) -> Survey:
    """A new draft."""
    survey = Survey(number=await next_number(session), title=title.strip()[:TITLE_LIMIT], anonymous=anonymous,
                    audience="all", status=SurveyStatus.DRAFT, created_by=actor, created_at=now)
    session.add(survey)
    await session.flush()
    await audit.record(session, now, actor, "survey_created", OBJECT, survey.id,
                       f"#{survey.number}" + (" anonymous" if anonymous else ""))
    await session.flush()
    return survey


async def add_question(session: AsyncSession, survey: Survey, *, now: datetime, actor: str, kind: QuestionKind,
                       text: str, options: Sequence[str] = ()) -> SurveyQuestion:
    """Append a question to a draft; :class:`Refused` past ``MAX_QUESTIONS`` or once published.

    Raises:
        ValueError: the question is not valid (the handler's parser says why in Chinese first).
    """
    await lock_row(session, survey)
    check(Action.EDIT, survey)
    kind = QuestionKind(kind)
    if not text.strip() or (kind != QuestionKind.TEXT and len(options) < 2):
        raise ValueError("a question needs a text, a choice question at least two options")
    position = len(await questions(session, survey.id)) + 1
    if position > MAX_QUESTIONS:
        raise Refused(f"一份问卷最多 {MAX_QUESTIONS} 题，请发“完成”结束编辑。")
    q = SurveyQuestion(survey_id=survey.id, position=position, kind=kind, text=text.strip(),
                       options=json.dumps(list(options) if kind != QuestionKind.TEXT else [], ensure_ascii=False))
    session.add(q)
    await session.flush()
    await audit.record(session, now, actor, "survey_question_added", OBJECT, survey.id,
                       f"#{survey.number} q{position} {kind}")
    await session.flush()
    return q


async def remove_last_question(session: AsyncSession, survey: Survey, *, now: datetime,
                               actor: str) -> SurveyQuestion | None:
    """Drop the draft's last question (undo); returns it, or None when there is none."""
    await lock_row(session, survey)
    check(Action.EDIT, survey)
    qs = await questions(session, survey.id)
    if not qs:
        return None
    last = qs[-1]
    await session.delete(last)
    await audit.record(session, now, actor, "survey_question_removed", OBJECT, survey.id,
                       f"#{survey.number} q{last.position}")
    await session.flush()
    return last


async def may_publish(session: AsyncSession, survey: Survey) -> None:
    """:class:`Refused` unless ``survey`` is a draft with questions."""
    check(Action.PUBLISH, survey)
    if not await questions(session, survey.id):
        raise Refused(f"问卷 {label(survey)} 还没有题目，不能发布。请先发“/问卷 编辑 {survey.number}”添加题目。")


async def publish(session: AsyncSession, survey: Survey, userids: Sequence[str], audience: str, *, now: datetime,
                  actor: str) -> int:
    """draft -> open, with one recipient row per person; returns the number of recipients.

    Raises:
        Refused: not a draft, or no questions.
        ValueError: nobody to ask.
    """
    await lock_row(session, survey)
    await may_publish(session, survey)
    people = list(dict.fromkeys(userids))
    if not people:
        raise ValueError("no recipients")
    survey.status = check(Action.PUBLISH, survey)
    survey.audience = audience[:128]
    survey.opened_at = now
    for u in people:
        session.add(SurveyRecipient(survey_id=survey.id, userid=u, status=RecipientStatus.PENDING, position=0))
    await session.flush()
    await audit.record(session, now, actor, "survey_published", OBJECT, survey.id,
                       f"#{survey.number} draft->open audience={audience} recipients={len(people)}")
    await session.flush()
    return len(people)


async def close(session: AsyncSession, survey: Survey, *, now: datetime, actor: str) -> None:
    """open -> closed; :class:`Refused` for a draft or a closed survey."""
    await lock_row(session, survey)
    survey.status = check(Action.CLOSE, survey)
    survey.closed_at = now
    await session.flush()
    await audit.record(session, now, actor, "survey_closed", OBJECT, survey.id, f"#{survey.number} open->closed")
    await session.flush()


async def start(session: AsyncSession, survey: Survey, rec: SurveyRecipient, *, now: datetime) -> None:
    """pending -> answering (a resume otherwise); :class:`Refused` when closed or done.

    Says nothing about answers, so it names the person.
    """
    await lock_row(session, survey)
    await lock_row(session, rec)
    to = check_recipient(Action.START, survey, rec)
    if rec.status == to:
        return
    rec.status = to
    await session.flush()
    await audit.record(session, now, rec.userid, "survey_started", OBJECT, survey.id,
                       f"#{survey.number} pending->answering")


async def answer(session: AsyncSession, survey: Survey, question: SurveyQuestion, rec: SurveyRecipient,
                 value: list[int] | str, *, now: datetime, inbox_id: int | None = None) -> bool:
    """Store ``rec``'s answer to ``question`` (the next one they have to answer) and advance them.

    ``value`` is a list of 0-based option indexes (choice questions) or the text (free text).
    Returns True when that was their last question (they are done).

    Raises:
        Refused: the survey is not open, or they are done.
        ValueError: ``question`` is not their next one.
    """
    await lock_row(session, survey)
    await lock_row(session, rec)
    check_recipient(Action.ANSWER, survey, rec)
    if question.survey_id != survey.id or question.position != rec.position + 1:
        raise ValueError("not the recipient's next question")
    payload = json.dumps(value, ensure_ascii=False)
    if survey.anonymous:
        assert survey.opened_at is not None
        session.add(SurveyAnswer(survey_id=survey.id, question_id=question.id, respondent=None, answer=payload,
                                 at=survey.opened_at))
        await session.flush()
        await _shuffle(session, question.id)
        await audit.record(session, now, ANONYMOUS_ACTOR, "survey_answer", OBJECT, survey.id,
                           f"an answer to survey {survey.number}")
        if inbox_id is not None:
            await redact_inbox(session, inbox_id)
    else:
        existing = await session.execute(select(SurveyAnswer.id).where(
            SurveyAnswer.question_id == question.id, SurveyAnswer.respondent == rec.userid))
        if existing.first() is not None:
            raise ValueError("already answered")
        session.add(SurveyAnswer(survey_id=survey.id, question_id=question.id, respondent=rec.userid,
                                 answer=payload, at=now))
        await audit.record(session, now, rec.userid, "survey_answer", OBJECT, survey.id,
                           f"#{survey.number} q{question.position}")
    before = rec.status
    rec.position = question.position
    rec.status = answered(rec.position, len(await questions(session, survey.id)))
    finished = rec.status == RecipientStatus.DONE
    if finished:
        rec.finished_at = now
        await audit.record(session, now, rec.userid, "survey_finished", OBJECT, survey.id,
                           f"#{survey.number} {before}->done")
    await session.flush()
    return finished


async def _shuffle(session: AsyncSession, question_id: int) -> None:
    """Re-insert a question's (anonymous) answers in a random order, so row ids say nothing."""
    rows = [(r.survey_id, r.answer, r.at) for r in await session.execute(
        select(SurveyAnswer.survey_id, SurveyAnswer.answer, SurveyAnswer.at)
        .where(SurveyAnswer.question_id == question_id, SurveyAnswer.respondent.is_(None)))]
    secrets.SystemRandom().shuffle(rows)
    await session.execute(delete(SurveyAnswer).where(SurveyAnswer.question_id == question_id,
                                                     SurveyAnswer.respondent.is_(None)))
    session.add_all([SurveyAnswer(survey_id=sid, question_id=question_id, respondent=None, answer=a, at=at)
                     for sid, a, at in rows])
    await session.flush()


_CONTENT = re.compile(r"<Content><!\[CDATA\[.*?\]\]></Content>", re.S)


async def redact_inbox(session: AsyncSession, inbox_id: int) -> None:
    """Blank the text of the stored callback that carried an anonymous answer."""
    row = await session.get(InboxRow, inbox_id)
    if row is not None:
        row.payload = _CONTENT.sub("<Content><![CDATA[(匿名问卷答复，已隐去)]]></Content>", row.payload)
        await session.flush()
