"""The workbench's 征求意见: questionnaires and their results as charts; free-text answers listed (no
names when anonymous); the survey sheet of the inspection workbooks."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from bot.web import permissions as perm
from bot.web.charts import chart, series
from bot.web.core import Ctx, NotFound, Scope, add_nav, page, url
from bot.web.tables import Cell, Table, listed, respond
from bot.web.workbook import Column
from storage import audit, people, surveys
from storage.paging import Page
from storage.surveys import QuestionKind, SurveyResult, SurveyStatus, audience_label

SURVEYS = (Column("编号", "int", 6), Column("标题", "wrap", 30), Column("匿名", width=6), Column("对象", width=12),
           Column("状态", width=8), Column("题数", "int", 6), Column("已答完", "int", 8), Column("应答", "int", 6),
           Column("完成率", "pct"), Column("发布时间", "datetime"))
RESULTS = (Column("题号", "int", 6), Column("题目", "wrap", 36), Column("题型", width=6), Column("选项", "wrap", 24),
           Column("人数", "int", 6), Column("占比", "pct"))
TEXTS = (Column("题号", "int", 6), Column("答复人", width=10), Column("内容", "wrap", 60))
RESULTS_FOR = "问卷结果只有支部书记可以查看。"


def survey_table(scope: Scope) -> Table:
    async def fetch(limit: int | None, offset: int) -> Page[Any]:
        found = await surveys.list_surveys(scope.session, limit=limit, offset=offset)
        ids = [s.id for s in found.rows]
        counts, prog = await surveys.question_counts(scope.session, ids), await surveys.progress(scope.session, ids)
        rows = []
        for s in found.rows:
            p = prog.get(s.id, surveys.Progress())
            link = url(f"surveys/{s.number}")
            rows.append([Cell(s.number, link), Cell(s.title, link), "是" if s.anonymous else "否",
                         audience_label(s.audience), SurveyStatus.label_of(s.status), counts.get(s.id, 0),
                         p.done, p.recipients, p.rate, s.opened_at])
        return Page(rows, found.total)
    return Table("surveys", "征求意见问卷", SURVEYS, fetch)


def ledgers(scope: Scope, *, internal: bool) -> list[Table]:
    return [survey_table(scope)]


def result_tables(result: SurveyResult, names: dict[str, str]) -> list[Table]:
    n = result.survey.number

    async def choices(limit: int | None, offset: int) -> Page[Any]:
        return listed([[q.position, q.text, QuestionKind.label_of(q.kind), option, q.counts[i], q.share(i)]
                       for q in result.questions if q.kind != QuestionKind.TEXT for i, option in enumerate(q.options)],
                      limit, offset)

    async def texts(limit: int | None, offset: int) -> Page[Any]:
        return listed([[q.position, "匿名" if who is None else names.get(who, who), text]
                       for q in result.questions if q.kind == QuestionKind.TEXT for who, text in q.texts],
                      limit, offset)
    return [Table("results", f"问卷{n}选择题结果", RESULTS, choices, paged=False),
            Table("texts", f"问卷{n}问答题答复", TEXTS, texts, paged=False)]


@page(perm.secretary, RESULTS_FOR)
async def list_surveys(ctx: Ctx) -> web.StreamResponse:
    return await respond(ctx, "list.html", [survey_table(ctx)], title="征求意见")


@page(perm.secretary, RESULTS_FOR)
async def show_survey(ctx: Ctx) -> web.StreamResponse:
    raw = ctx.request.match_info["n"]
    s = await surveys.get(ctx.session, int(raw)) if raw.isdigit() and len(raw) < 9 else None
    if s is None:
        raise NotFound(f"没有问卷{raw}。")
    result = await surveys.results(ctx.session, s)
    await audit.record(ctx.session, ctx.now, ctx.userid, "survey_results_view", "survey", s.id, f"#{s.number} via=web")
    names = {} if s.anonymous else await people.names(
        ctx.session, [who for q in result.questions for who, _ in q.texts])
    specs = [(f"chart-q{q.position}", chart("hbar", f"第{q.position}题 {q.text}", q.options,
                                            [series("人数", q.counts)], hint=f"{q.answered} 人作答"))
             for q in result.questions if q.kind != QuestionKind.TEXT and q.options]
    return await respond(ctx, "surveys/show.html", result_tables(result, names), title=f"问卷{s.number} {s.title}",
                         survey=s, progress=result.progress, specs=specs, status=SurveyStatus.label_of(s.status),
                         audience=audience_label(s.audience))


def setup(app: web.Application) -> None:
    app.router.add_get("/surveys", list_surveys)
    app.router.add_get("/surveys/{n}", show_survey)
    add_nav(app, "问卷", "surveys", perm.secretary, order=80)
