"""精准帮扶: assistance projects with their milestones and history (as ``/帮扶`` shows them)."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from bot.web import permissions as perm
from bot.web.core import Ctx, NotFound, Scope, add_nav, page, url
from bot.web.queries import assist as q
from bot.web.queries.people import names_for
from bot.web.tables import Cell, Field, Table, options, respond
from bot.web.workbook import Column
from storage import projects, reports
from storage.models import Project

COLUMNS = (Column("编号", "int", 6), Column("标题", "wrap", 26), Column("对象类型", width=8), Column("帮扶对象", width=12),
           Column("负责人", width=9), Column("截止日期", "date"), Column("里程碑", width=8), Column("下一个里程碑", "wrap", 24),
           Column("状态", width=8), Column("评估结果", width=9))
MILESTONES = (Column("序号", "int", 6), Column("里程碑", "wrap", 36), Column("计划完成", "date"), Column("状态", width=8),
              Column("完成时间", "datetime"))
UPDATES = (Column("时间", "datetime"), Column("类型", width=10), Column("填报人", width=9), Column("内容", "wrap", 60))


def _target(p: Project, names: dict[str, str], public: bool) -> str:
    if p.target_type == "person":
        return "（个人）" if public else names.get(p.target, p.target)
    return f"#{p.target}" if p.target_type == "item" else p.target


def project_table(scope: Scope, status: str | None, *, public: bool = False) -> Table:
    """Projects ``scope.viewer`` works on (all for the secretary); ``public`` names no person helped."""
    where = perm.project_scope(scope.viewer)

    async def fetch(limit: int | None, offset: int) -> tuple[list[Any], int]:
        rows, total = await q.projects(scope.session, where, status, limit, offset)
        ms = await projects.milestones_for(scope.session, [p.id for p in rows])
        names = await names_for(scope.session, [p.lead for p in rows] + [p.target for p in rows])
        out = []
        for p in rows:
            done = sum(1 for m in ms.get(p.id, []) if m.status == "done")
            nxt = projects.next_open(ms.get(p.id, []))
            late = bool(projects.overdue_milestones_of(ms.get(p.id, []), scope.today))
            link = None if public else url(f"assist/{p.number}")
            out.append([Cell(p.number, link), Cell(p.title, link), reports.cn(projects.TARGET_CN, p.target_type),
                        _target(p, names, public), names.get(p.lead, p.lead), p.deadline, f"{done}/{len(ms.get(p.id, []))}",
                        Cell(f"{nxt.due:%m-%d} {nxt.title}" if nxt else "", tone="late" if late else None),
                        reports.cn(projects.STATUS_CN, p.status),
                        reports.cn(projects.ASSESSMENT_CN, p.assessment) if p.assessment else ""])
        return out, total
    return Table("projects", "帮扶项目", COLUMNS, fetch)


@page(perm.member, "帮扶项目只有项目成员、帮扶对象和支部书记可以查看。")
async def list_projects(ctx: Ctx) -> web.StreamResponse:
    status = ctx.q.choice("status", projects.STATUSES)
    return await respond(ctx, "list.html", [project_table(ctx, status)], title="帮扶项目",
                         fields=[Field("status", "状态", options=options(projects.STATUS_CN))])


@page(perm.anyone)
async def show_project(ctx: Ctx) -> web.StreamResponse:
    raw = ctx.request.match_info["n"]
    p = await projects.get_by_number(ctx.session, int(raw)) if raw.isdigit() and len(raw) < 9 else None
    if p is None:
        raise NotFound(f"没有找到帮扶{raw}号项目。")
    allowed = perm.can_view_project(ctx.viewer, p, projects.members_of(p), await projects.affected(ctx.session, p))
    await projects.record_view(ctx.session, p, now=ctx.now, actor=ctx.viewer.userid, allowed=allowed)
    ctx.require(allowed, f"帮扶{p.number}号只有项目成员、帮扶对象和支部书记可以查看。")
    ms = await projects.milestones(ctx.session, p.id)
    ups = await projects.updates(ctx.session, p.id)
    names = await names_for(ctx.session, [p.lead, p.target, *projects.members_of(p)] + [u.author for u in ups])

    async def milestones(limit: int | None, offset: int) -> tuple[list[Any], int]:
        return [[m.position, m.title, Cell(m.due, tone="late" if m.status == "open" and m.due < ctx.today else None),
                 reports.cn(projects.MILESTONE_CN, m.status), m.done_at] for m in ms], len(ms)

    async def history(limit: int | None, offset: int) -> tuple[list[Any], int]:
        return [[u.at, reports.cn(projects.UPDATE_CN, u.kind), names.get(u.author, u.author), u.text] for u in ups], len(ups)
    tables = [Table("milestones", f"帮扶{p.number}号里程碑", MILESTONES, milestones, paged=False),
              Table("updates", f"帮扶{p.number}号进展", UPDATES, history, paged=False)]
    return await respond(ctx, "assist/project.html", tables, title=f"帮扶{p.number}号 {p.title}", project=p,
                         names=names, target=_target(p, names, False), members=projects.members_of(p), labels=projects)


def setup(app: web.Application) -> None:
    app.router.add_get("/assist", list_projects)
    app.router.add_get("/assist/{n}", show_project)
    add_nav(app, "帮扶", "assist", perm.member, order=50)
