"""Questionnaires (征求意见): numbering, building, publishing, answers, results.

Lifecycle of a survey: ``draft`` (questions being added) -> ``open`` (published to its
recipients) -> ``closed``. A recipient goes ``pending`` -> ``answering`` -> ``done``;
``SurveyRecipient.position`` counts the questions answered, so people can stop and resume.

Anonymous surveys: ``SurveyAnswer.respondent`` is NULL, the answer's ``at`` is the survey's
opening time (not the moment of answering), the answers of a question are re-inserted in a
random order after every new one (row ids do not reveal who answered first), the audit line
says only "an answer to survey N", and the stored callback's text is redacted. Only
``SurveyRecipient`` knows who finished.
"""

from __future__ import annotations

import json
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage import audit, numbering
from storage.models import InboxRow
from storage.surveys.models import Survey, SurveyAnswer, SurveyQuestion, SurveyRecipient

COUNTER = "survey"
ANONYMOUS_ACTOR = "anonymous"

STATUS_CN: dict[str, str] = {"draft": "草稿", "open": "征求中", "closed": "已结束"}
KIND_CN: dict[str, str] = {"single": "单选", "multi": "多选", "text": "问答"}
KIND_BY_CN: dict[str, str] = {v: k for k, v in KIND_CN.items()}
ROLE_CN: dict[str, str] = {"member": "党员", "secretary": "书记", "employee": "员工"}
# "党员" includes the secretary, who is a party member too.
ROLE_AUDIENCE: dict[str, tuple[str, ...]] = {"member": ("member", "secretary"), "secretary": ("secretary",),
                                             "employee": ("employee",)}

TITLE_LIMIT = 60
QUESTION_LIMIT = 200
OPTION_LIMIT = 40
MAX_OPTIONS = 20
MAX_QUESTIONS = 30
TEXT_ANSWER_LIMIT = 1000


def audience_cn(audience: str) -> str:
    """``team:运行一班`` -> ``班组“运行一班”``."""
    if audience.startswith("team:"):
        return f"班组“{audience[5:]}”"
    if audience.startswith("role:"):
        return ROLE_CN.get(audience[5:], audience[5:])
    return "全体"


# --- numbering -------------------------------------------------------------------


async def next_number(session: AsyncSession) -> int:
    """The next survey number, safe under concurrency."""
    return await numbering.next_number(session, COUNTER, Survey.number)


# --- reads -----------------------------------------------------------------------


def options_of(q: SurveyQuestion) -> list[str]:
    return [str(o) for o in json.loads(q.options or "[]")]


async def get(session: AsyncSession, number: int) -> Survey | None:
    return (await session.execute(select(Survey).where(Survey.number == number))).scalar_one_or_none()


async def list_surveys(session: AsyncSession, *, status: Sequence[str] | None = None, limit: int | None = 50,
                       offset: int = 0) -> tuple[list[Survey], int]:
    """Surveys, newest first, and how many there are in all."""
    stmt = select(Survey)
    count = select(func.count()).select_from(Survey)
    if status:
        stmt = stmt.where(Survey.status.in_(status))
        count = count.where(Survey.status.in_(status))
    stmt = stmt.order_by(Survey.number.desc()).offset(offset)
    if limit is not None:
        stmt = stmt.limit(limit)
    rows = list((await session.execute(stmt)).scalars())
    return rows, int((await session.execute(count)).scalar_one())


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
    return {sid: Progress(sum(c.values()), c.get("answering", 0), c.get("done", 0)) for sid, c in acc.items()}


async def recipient(session: AsyncSession, survey_id: int, userid: str) -> SurveyRecipient | None:
    stmt = select(SurveyRecipient).where(SurveyRecipient.survey_id == survey_id, SurveyRecipient.userid == userid)
    return (await session.execute(stmt)).scalar_one_or_none()


async def recipients(session: AsyncSession, survey_id: int) -> list[SurveyRecipient]:
    stmt = select(SurveyRecipient).where(SurveyRecipient.survey_id == survey_id).order_by(SurveyRecipient.userid)
    return list((await session.execute(stmt)).scalars())


async def unfinished_for(session: AsyncSession, userid: str) -> list[tuple[Survey, SurveyRecipient]]:
    """Open surveys ``userid`` was asked and has not finished: ones under way first, then oldest first."""
    stmt = (select(Survey, SurveyRecipient).join(SurveyRecipient, SurveyRecipient.survey_id == Survey.id)
            .where(SurveyRecipient.userid == userid, Survey.status == "open", SurveyRecipient.status != "done"))
    rows = [(s, r) for s, r in await session.execute(stmt)]
    rows.sort(key=lambda sr: (sr[1].status != "answering", sr[0].number))
    return rows


# --- writes ----------------------------------------------------------------------


async def create(session: AsyncSession, *, now: datetime, actor: str, title: str, anonymous: bool) -> Survey:
    """A new draft."""
    survey = Survey(number=await next_number(session), title=title.strip()[:TITLE_LIMIT], anonymous=anonymous,
                    audience="all", status="draft", created_by=actor, created_at=now)
    session.add(survey)
    await session.flush()
    await audit.record(session, now, actor, "survey_created", "survey", survey.id,
                       f"#{survey.number}" + (" anonymous" if anonymous else ""))
    await session.flush()
    return survey


async def add_question(session: AsyncSession, survey: Survey, *, now: datetime, actor: str, kind: str, text: str,
                       options: Sequence[str] = ()) -> SurveyQuestion:
    """Append a question to a draft.

    Raises:
        ValueError: the survey is not a draft, or the question is not valid.
    """
    if survey.status != "draft":
        raise ValueError("questions can only be added to a draft")
    if kind not in KIND_CN or not text.strip():
        raise ValueError("bad question")
    if kind != "text" and len(options) < 2:
        raise ValueError("a choice question needs at least two options")
    position = len(await questions(session, survey.id)) + 1
    q = SurveyQuestion(survey_id=survey.id, position=position, kind=kind, text=text.strip(),
                       options=json.dumps(list(options) if kind != "text" else [], ensure_ascii=False))
    session.add(q)
    await session.flush()
    await audit.record(session, now, actor, "survey_question_added", "survey", survey.id,
                       f"#{survey.number} q{position} {kind}")
    await session.flush()
    return q


async def remove_last_question(session: AsyncSession, survey: Survey, *, now: datetime,
                               actor: str) -> SurveyQuestion | None:
    """Drop the draft's last question (undo); returns it, or None when there is none."""
    if survey.status != "draft":
        return None
    qs = await questions(session, survey.id)
    if not qs:
        return None
    last = qs[-1]
    await session.delete(last)
    await audit.record(session, now, actor, "survey_question_removed", "survey", survey.id,
                       f"#{survey.number} q{last.position}")
    await session.flush()
    return last


async def publish(session: AsyncSession, survey: Survey, userids: Sequence[str], audience: str, *, now: datetime,
                  actor: str) -> int:
    """draft -> open, with one recipient row per person; returns the number of recipients.

    Raises:
        ValueError: not a draft, no questions, or nobody to ask.
    """
    if survey.status != "draft":
        raise ValueError("only a draft can be published")
    if not await questions(session, survey.id):
        raise ValueError("no questions")
    people = list(dict.fromkeys(userids))
    if not people:
        raise ValueError("no recipients")
    survey.status = "open"
    survey.audience = audience[:128]
    survey.opened_at = now
    for u in people:
        session.add(SurveyRecipient(survey_id=survey.id, userid=u, status="pending", position=0))
    await session.flush()
    await audit.record(session, now, actor, "survey_published", "survey", survey.id,
                       f"#{survey.number} draft->open audience={audience} recipients={len(people)}")
    await session.flush()
    return len(people)


async def close(session: AsyncSession, survey: Survey, *, now: datetime, actor: str) -> None:
    """open -> closed.

    Raises:
        ValueError: the survey is not open.
    """
    if survey.status != "open":
        raise ValueError("only an open survey can be closed")
    survey.status = "closed"
    survey.closed_at = now
    await session.flush()
    await audit.record(session, now, actor, "survey_closed", "survey", survey.id, f"#{survey.number} open->closed")
    await session.flush()


async def start(session: AsyncSession, survey: Survey, rec: SurveyRecipient, *, now: datetime) -> None:
    """pending -> answering (no-op otherwise). Says nothing about answers, so it names the person."""
    if rec.status != "pending":
        return
    rec.status = "answering"
    await session.flush()
    await audit.record(session, now, rec.userid, "survey_started", "survey", survey.id,
                       f"#{survey.number} pending->answering")


async def answer(session: AsyncSession, survey: Survey, question: SurveyQuestion, rec: SurveyRecipient,
                 value: list[int] | str, *, now: datetime, inbox_id: int | None = None) -> bool:
    """Store ``rec``'s answer to ``question`` (the next one they have to answer) and advance them.

    ``value`` is a list of 0-based option indexes (choice questions) or the text (free text).
    Returns True when that was their last question (they are done).

    Raises:
        ValueError: the survey is not open, they are done, or ``question`` is not their next one.
    """
    if survey.status != "open":
        raise ValueError("survey not open")
    if rec.status == "done" or question.survey_id != survey.id or question.position != rec.position + 1:
        raise ValueError("not the recipient's next question")
    payload = json.dumps(value, ensure_ascii=False)
    if survey.anonymous:
        assert survey.opened_at is not None
        session.add(SurveyAnswer(survey_id=survey.id, question_id=question.id, respondent=None, answer=payload,
                                 at=survey.opened_at))
        await session.flush()
        await _shuffle(session, question.id)
        await audit.record(session, now, ANONYMOUS_ACTOR, "survey_answer", "survey", survey.id,
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
        await audit.record(session, now, rec.userid, "survey_answer", "survey", survey.id,
                           f"#{survey.number} q{question.position}")
    total = len(await questions(session, survey.id))
    rec.position = question.position
    finished = rec.position >= total
    before = rec.status
    rec.status = "done" if finished else "answering"
    if finished:
        rec.finished_at = now
        await audit.record(session, now, rec.userid, "survey_finished", "survey", survey.id,
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


# --- results ---------------------------------------------------------------------


@dataclass
class QuestionResult:
    position: int
    kind: str
    text: str
    options: list[str]
    answered: int = 0
    counts: list[int] = field(default_factory=list)
    # (respondent userid or None, text); anonymous answers come in a fixed, content-based order
    texts: list[tuple[str | None, str]] = field(default_factory=list)

    def share(self, i: int) -> float | None:
        return self.counts[i] / self.answered if self.answered else None

    def top(self) -> tuple[str, int] | None:
        """The most chosen option (first one on a tie), or None when nobody answered."""
        if not self.answered or not self.counts:
            return None
        best = max(range(len(self.counts)), key=lambda i: (self.counts[i], -i))
        return self.options[best], self.counts[best]


@dataclass
class SurveyResult:
    survey: Survey
    questions: list[QuestionResult]
    progress: Progress


async def results(session: AsyncSession, survey: Survey) -> SurveyResult:
    """Aggregated answers of one survey."""
    qs = await questions(session, survey.id)
    out = {q.id: QuestionResult(q.position, q.kind, q.text, options_of(q)) for q in qs}
    for r in out.values():
        r.counts = [0] * len(r.options)
    stmt = (select(SurveyAnswer.question_id, SurveyAnswer.respondent, SurveyAnswer.answer)
            .where(SurveyAnswer.survey_id == survey.id).order_by(SurveyAnswer.at, SurveyAnswer.id))
    for qid, who, raw in await session.execute(stmt):
        r = out.get(qid)
        if r is None:
            continue
        value = json.loads(raw)
        r.answered += 1
        if r.kind == "text":
            r.texts.append((None if survey.anonymous else who, str(value)))
        else:
            for i in value:
                if 0 <= int(i) < len(r.counts):
                    r.counts[int(i)] += 1
    if survey.anonymous:
        for r in out.values():
            r.texts.sort(key=lambda t: t[1])
    prog = (await progress(session, [survey.id])).get(survey.id, Progress())
    return SurveyResult(survey, sorted(out.values(), key=lambda r: r.position), prog)
