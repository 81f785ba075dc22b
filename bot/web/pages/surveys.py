"""征求意见: questionnaires and their results as charts; free-text answers listed (no names when anonymous)."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from bot.web import permissions as perm
from bot.web.charts import chart, series
from bot.web.core import Ctx, NotFound, Scope, add_nav, page, url
from bot.web.queries.people import names_for
from bot.web.tables import Cell, Table, respond
from bot.web.workbook import Column
from storage import surveys

SURVEYS = (Column("编号", "int", 6), Column("标题", "wrap", 30), Column("匿名", width=6), Column("对象", width=12),
           Column("状态", width=8), Column("题数", "int", 6), Column("已答完", "int", 8), Column("应答", "int", 6),
           Column("完成率", "pct"), Column("发布时间", "datetime"))
RESULTS = (Column("题号", "int", 6), Column("题目", "wrap", 36), Column("题型", width=6), Column("选项", "wrap", 24),
           Column("人数", "int", 6), Column("占比", "pct"))
TEXTS = (Column("题号", "int", 6), Column("答复人", width=10), Column("内容", "wrap", 60))


def survey_table(scope: Scope) -> Table:
    async def fetch(limit: int | None, offset: int) -> tuple[list[Any], int]:
        rows, total = await surveys.list_surveys(scope.session, limit=limit, offset=offset)
        counts = await surveys.question_counts(scope.session, [s.id for s in rows])
        prog = await surveys.progress(scope.session, [s.id for s in rows])
        out = []
        for s in rows:
            p = prog.get(s.id, surveys.Progress())
            link = url(f"surveys/{s.number}")
            out.append([Cell(s.number, link), Cell(s.title, link), "是" if s.anonymous else "否",
                        surveys.audience_cn(s.audience), surveys.STATUS_CN.get(s.status, s.status), counts.get(s.id, 0),
                        p.done, p.recipients, p.rate, s.opened_at])
        return out, total
    return Table("surveys", "征求意见问卷", SURVEYS, fetch)


def result_tables(scope: Scope, result: surveys.SurveyResult, names: dict[str, str]) -> list[Table]:
    n = result.survey.number

    async def choices(limit: int | None, offset: int) -> tuple[list[Any], int]:
        rows = [[q.position, q.text, surveys.KIND_CN.get(q.kind, q.kind), option, q.counts[i], q.share(i)]
                for q in result.questions if q.kind != "text" for i, option in enumerate(q.options)]
        return rows, len(rows)

    async def texts(limit: int | None, offset: int) -> tuple[list[Any], int]:
        rows = [[q.position, "匿名" if who is None else names.get(who, who), text]
                for q in result.questions if q.kind == "text" for who, text in q.texts]
        return rows, len(rows)
    return [Table("results", f"问卷{n}选择题结果", RESULTS, choices, paged=False),
            Table("texts", f"问卷{n}问答题答复", TEXTS, texts, paged=False)]


@page(perm.secretary, "问卷结果只有支部书记可以查看。")
async def list_surveys(ctx: Ctx) -> web.StreamResponse:
    return await respond(ctx, "list.html", [survey_table(ctx)], title="征求意见")


@page(perm.secretary, "问卷结果只有支部书记可以查看。")
async def show_survey(ctx: Ctx) -> web.StreamResponse:
    raw = ctx.request.match_info["n"]
    s = await surveys.get(ctx.session, int(raw)) if raw.isdigit() and len(raw) < 9 else None
    if s is None:
        raise NotFound(f"没有问卷{raw}。")
    result = await surveys.results(ctx.session, s)
    names = {} if s.anonymous else await names_for(
        ctx.session, [who for q in result.questions for who, _ in q.texts])
    specs = [(f"chart-q{q.position}", chart("hbar", f"第{q.position}题 {q.text}", q.options,
                                            [series("人数", q.counts)], hint=f"{q.answered} 人作答"))
             for q in result.questions if q.kind != "text" and q.options]
    return await respond(ctx, "surveys/show.html", result_tables(ctx, result, names), title=f"问卷{s.number} {s.title}",
                         survey=s, progress=result.progress, specs=specs, status=surveys.STATUS_CN.get(s.status, s.status),
                         audience=surveys.audience_cn(s.audience))


def setup(app: web.Application) -> None:
    app.router.add_get("/surveys", list_surveys)
    app.router.add_get("/surveys/{n}", show_survey)
    add_nav(app, "问卷", "surveys", perm.secretary, order=80)
