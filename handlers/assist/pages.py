"""The workbench's 精准帮扶: assistance projects with their milestones and history (as ``/帮扶`` shows
them), and the project sheet of the inspection workbooks."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from bot.web import permissions as perm
from bot.web.core import Ctx, NotFound, Scope, add_nav, page, url
from bot.web.tables import Cell, Field, Table, listed, options, respond
from bot.web.workbook import Column
from storage import assist, people
from storage.assist import Assessment, MilestoneStatus, Project, ProjectStatus, TargetType, UpdateKind
from storage.assist import queries as q
from storage.paging import Page

COLUMNS = (Column("编号", "int", 6), Column("标题", "wrap", 26), Column("对象类型", width=8), Column("帮扶对象", width=12),
           Column("负责人", width=9), Column("截止日期", "date"), Column("里程碑", width=8), Column("下一个里程碑", "wrap", 24),
           Column("状态", width=8), Column("评估结果", width=9))
MILESTONES = (Column("序号", "int", 6), Column("里程碑", "wrap", 36), Column("计划完成", "date"), Column("状态", width=8),
              Column("完成时间", "datetime"))
UPDATES = (Column("时间", "datetime"), Column("类型", width=10), Column("填报人", width=9), Column("内容", "wrap", 60))
WHO_SEES = "只有项目成员、帮扶对象和支部书记可以查看。"


def _target(p: Project, names: dict[str, str], public: bool) -> str:
    if p.target_type == TargetType.PERSON:
        return "（个人）" if public else names.get(p.target, p.target)
    return f"#{p.target}" if p.target_type == TargetType.ITEM else p.target


def project_table(scope: Scope, status: str | None, *, public: bool = False) -> Table:
    """Projects ``scope.viewer`` works on (all for the secretary); ``public`` names no person helped."""
    where = perm.project_scope(scope.viewer)

    async def fetch(limit: int | None, offset: int) -> Page[Any]:
        found = await q.list_projects(scope.session, status=[status] if status else None, scope=where,
                                      active_first=True, limit=limit, offset=offset)
        ms = await assist.milestones_for(scope.session, [p.id for p in found.rows])
        names = await people.names(scope.session, [p.lead for p in found.rows] + [p.target for p in found.rows])
        rows = []
        for p in found.rows:
            mine = ms.get(p.id, [])
            nxt = assist.next_open(mine)
            late = bool(assist.overdue_milestones_of(mine, scope.today))
            link = None if public else url(f"assist/{p.number}")
            rows.append([Cell(p.number, link), Cell(p.title, link), TargetType.label_of(p.target_type),
                         _target(p, names, public), names.get(p.lead, p.lead), p.deadline,
                         f"{assist.done_count(mine)}/{len(mine)}",
                         Cell(f"{nxt.due:%m-%d} {nxt.title}" if nxt else "", tone="late" if late else None),
                         ProjectStatus.label_of(p.status), Assessment.label_of(p.assessment)])
        return Page(rows, found.total)
    return Table("projects", "帮扶项目", COLUMNS, fetch)


def ledgers(scope: Scope, *, internal: bool) -> list[Table]:
    return [project_table(scope, None, public=not internal)]


@page(perm.member, f"帮扶项目{WHO_SEES}")
async def list_projects(ctx: Ctx) -> web.StreamResponse:
    status = ctx.q.choice("status", list(ProjectStatus))
    return await respond(ctx, "list.html", [project_table(ctx, status)], title="帮扶项目",
                         fields=[Field("status", "状态", options=options(ProjectStatus))])


@page(perm.anyone)
async def show_project(ctx: Ctx) -> web.StreamResponse:
    raw = ctx.request.match_info["n"]
    p = await assist.get_by_number(ctx.session, int(raw)) if raw.isdigit() and len(raw) < 9 else None
    if p is None:
        raise NotFound(f"没有找到帮扶{raw}号项目。")
    seen = await assist.involvement(ctx.session, p, ctx.viewer.userid, secretary=ctx.viewer.secretary)
    allowed = perm.can_view_project(ctx.viewer, seen)
    await assist.record_view(ctx.session, p, now=ctx.now, actor=ctx.viewer.userid, allowed=allowed)
    ctx.require(allowed, f"帮扶{p.number}号{WHO_SEES}")
    ms = await assist.milestones(ctx.session, p.id)
    ups = await assist.updates(ctx.session, p.id)
    members = assist.members_of(p)
    names = await people.names(ctx.session, [p.lead, p.target, *members] + [u.author for u in ups])

    async def milestones(limit: int | None, offset: int) -> Page[Any]:
        late = [m.status == MilestoneStatus.OPEN and m.due < ctx.today for m in ms]
        return listed([[m.position, m.title, Cell(m.due, tone="late" if overdue else None),
                        MilestoneStatus.label_of(m.status), m.done_at] for m, overdue in zip(ms, late)], limit, offset)

    async def history(limit: int | None, offset: int) -> Page[Any]:
        return listed([[u.at, UpdateKind.label_of(u.kind), names.get(u.author, u.author), u.text] for u in ups],
                      limit, offset)
    tables = [Table("milestones", f"帮扶{p.number}号里程碑", MILESTONES, milestones, paged=False),
              Table("updates", f"帮扶{p.number}号进展", UPDATES, history, paged=False)]
    return await respond(ctx, "assist/project.html", tables, title=f"帮扶{p.number}号 {p.title}", project=p,
                         names=names, target=_target(p, names, False), members=members,
                         target_type=TargetType.label_of(p.target_type), status=ProjectStatus.label_of(p.status),
                         assessment=Assessment.label_of(p.assessment))


def setup(app: web.Application) -> None:
    app.router.add_get("/assist", list_projects)
    app.router.add_get("/assist/{n}", show_project)
    add_nav(app, "帮扶", "assist", perm.member, order=50)
