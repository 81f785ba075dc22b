"""Read API for questionnaires: ``/api/surveys`` and ``/api/surveys/{n}``.

Same Bearer guard and parameter rules as ``bot/api.py``. Results are aggregated; free-text
answers of anonymous surveys carry no respondent, no time and come in a content-based order.
Viewing a survey's results is audited with actor ``api``.
"""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from aiohttp import web

from bot.api import ACTOR, choice, db_session, error, guarded, iso, listing, now_of, paging, path_number, tz_of
from storage import audit, people, surveys
from storage.surveys import QuestionKind, Survey, SurveyStatus, audience_label

STATUSES = tuple(s.value for s in SurveyStatus)


def survey_json(s: Survey, questions: int, prog: surveys.Progress, names: dict[str, str],
                tz: ZoneInfo) -> dict[str, Any]:
    return {
        "number": s.number, "title": s.title, "anonymous": bool(s.anonymous), "status": s.status,
        "status_cn": SurveyStatus.label_of(s.status), "audience": s.audience,
        "audience_cn": audience_label(s.audience), "questions": questions,
        "recipients": prog.recipients, "answering": prog.answering, "finished": prog.done,
        "response_rate": round(prog.rate, 4) if prog.rate is not None else None,
        "created_by": s.created_by, "created_by_name": names.get(s.created_by),
        "created_at": iso(s.created_at, tz), "opened_at": iso(s.opened_at, tz), "closed_at": iso(s.closed_at, tz),
    }


def question_json(q: surveys.QuestionResult, anonymous: bool, names: dict[str, str]) -> dict[str, Any]:
    body: dict[str, Any] = {"position": q.position, "kind": q.kind, "kind_cn": QuestionKind.label_of(q.kind),
                            "text": q.text, "answered": q.answered}
    if q.kind == QuestionKind.TEXT:
        if anonymous:
            body["answers"] = [{"text": t} for _, t in q.texts]
        else:
            body["answers"] = [{"text": t, "respondent": who, "respondent_name": names.get(who or "")}
                               for who, t in q.texts]
    else:
        body["options"] = [{"option": o, "count": q.counts[i],
                            "share": round(s, 4) if (s := q.share(i)) is not None else None}
                           for i, o in enumerate(q.options)]
    return body


@guarded(("status", "limit", "offset"))
async def list_surveys(request: web.Request) -> web.Response:
    limit, offset = paging(request)
    status = choice(request, "status", STATUSES, many=True)
    tz = tz_of(request)
    async with db_session(request) as session:
        found = await surveys.list_surveys(session, status=status, limit=limit, offset=offset)
        ids = [s.id for s in found.rows]
        counts = await surveys.question_counts(session, ids)
        prog = await surveys.progress(session, ids)
        names = await people.names(session)
    return listing([survey_json(s, counts.get(s.id, 0), prog.get(s.id, surveys.Progress()), names, tz)
                     for s in found.rows], found.total, limit, offset)


@guarded(())
async def get_survey(request: web.Request) -> web.Response:
    n = path_number(request, "问卷")
    now, tz = now_of(request), tz_of(request)
    async with db_session(request) as session, session.begin():
        survey = await surveys.get(session, n)
        if survey is None:
            return error(404, "not_found", f"没有编号 #{n} 的问卷")
        res = await surveys.results(session, survey)
        names = await people.names(session)
        await audit.record(session, now, ACTOR, "survey_results_view", "survey", survey.id,
                           f"#{survey.number} via=api")
    body = survey_json(survey, len(res.questions), res.progress, names, tz)
    body["results"] = [question_json(q, bool(survey.anonymous), names) for q in res.questions]
    return web.json_response(body)


def setup(app: web.Application) -> None:
    """Add ``/api/surveys`` and ``/api/surveys/{n}``."""
    app.router.add_get("/api/surveys", list_surveys)
    app.router.add_get("/api/surveys/{n}", get_survey)
