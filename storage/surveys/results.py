"""Aggregated answers of one survey, for the chat, the API, the export and the digest.

Free-text answers of anonymous surveys carry no respondent and come in a content-based order.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.surveys.lifecycle import QuestionKind
from storage.surveys.models import Survey, SurveyAnswer
from storage.surveys.repo import Progress, options_of, progress, questions

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
        if r.kind == QuestionKind.TEXT:
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
