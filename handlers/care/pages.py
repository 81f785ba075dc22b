"""The workbench's 精密关注: the care ledger (重点关注台账), visits, one person's timeline; the care sheets of
the inspection workbooks and the care figures on the overview. Zones and coverage: :mod:`handlers.care.zones`.

Sensitive details (a sensitive entry's category and summary, notes of visits linked to one) are shown
only as :mod:`bot.web.permissions` allows, and every such view is audited. The public ledgers (the
inspection workbook) carry none of them: no category, no summary, no visit notes, no source.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from aiohttp import web

from bot.web import permissions as perm
from bot.web.charts import chart, series
from bot.web.core import Ctx, NotFound, Scope, add_nav, page, url
from bot.web.parts import Chart, Glance, Kpi
from bot.web.tables import Cell, Field, Table, options, respond
from bot.web.workbook import Column
from handlers.care import zones
from storage import audit, people, teams
from storage.care import CareCategory, CareEntry, CareSource, CareStatus, TaskStatus, Visit, reason_label
from storage.care import queries as q
from storage.months import months_back, next_month
from storage.paging import Page

MASK = Cell("（敏感信息，仅责任党员和书记可见）", tone="masked")
NOTE = "敏感信息仅支部书记和责任党员可见，每次查看都会记入审计日志。"
DUE = [("late", "回访已逾期"), ("week", "7天内要回访")]
ENTRY_PUBLIC = (Column("序号", "int", 6), Column("姓名", width=9), Column("班组"), Column("责任党员", width=9),
                Column("状态", width=8), Column("回访周期（天）", "int", 8), Column("下次回访", "date"),
                Column("走访次数", "int", 8), Column("最近走访", "date"), Column("登记时间", "datetime"))
ENTRY_FULL = (*ENTRY_PUBLIC[:4], Column("类别", width=10), *ENTRY_PUBLIC[4:], Column("情况摘要", "wrap", 40),
              Column("来源", width=9))
VISIT_PUBLIC = (Column("走访日期", "date"), Column("走访党员", width=9), Column("走访对象", width=9), Column("对象班组"),
                Column("下次走访", "date"), Column("关联台账序号", "int", 8))
VISIT_FULL = (*VISIT_PUBLIC[:4], Column("情况摘要", "wrap", 44), *VISIT_PUBLIC[4:])
MONTHS = 12


async def _audit(scope: Scope, kind: str, ids: list[int], via: str) -> None:
    await audit.record_views(scope.session, scope.now, scope.viewer.userid, kind, ids, f"via={via}")


def care_table(scope: Scope, filters: dict[str, Any], *, public: bool = False, via: str = "web") -> Table:
    """The ledger rows ``scope.viewer`` may see; ``public`` leaves every health and family detail out."""
    where = perm.care_scope(scope.viewer)
    filters = {"status": q.LEDGER, **filters}

    async def fetch(limit: int | None, offset: int) -> Page[Any]:
        found = await q.care_entries(scope.session, scope=where, soonest_first=True, limit=limit, offset=offset,
                                     **filters)
        stats = await q.visit_stats(scope.session, [e.person for e in found.rows])
        who = await people.by_id(scope.session, [e.person for e in found.rows] + [e.responsible for e in found.rows])
        rows, seen = [], []
        for e in found.rows:
            p, (visits, last) = who.get(e.person), stats.get(e.person, (0, None))
            name = Cell(p.name if p else e.person, None if public else url(f"care/people/{e.person}"))
            late = e.status == CareStatus.ACTIVE and e.next_follow_up is not None and e.next_follow_up < scope.today
            row: list[Any] = [e.id, name, p.team if p else "", who[e.responsible].name if e.responsible in who
                              else e.responsible, CareStatus.label_of(e.status), e.interval_days,
                              Cell(e.next_follow_up, tone="late" if late else None), visits, last, e.created_at]
            if not public:
                shown = perm.sees_care_detail(scope.viewer, e)
                seen += [e.id] if shown and e.sensitive else []
                row[4:4] = [CareCategory.label_of(e.category) if shown else MASK]
                row += [e.summary if shown else MASK, CareSource.label_of(e.source)]
            rows.append(row)
        await _audit(scope, "care_entry", seen, via)
        return Page(rows, found.total)
    return Table("care", "重点关注台账", ENTRY_PUBLIC if public else ENTRY_FULL, fetch, note="" if public else NOTE)


def visit_table(scope: Scope, filters: dict[str, Any], *, public: bool = False, via: str = "web") -> Table:
    where = perm.visit_scope(scope.viewer)

    async def fetch(limit: int | None, offset: int) -> Page[Any]:
        found = await q.visits(scope.session, scope=where, limit=limit, offset=offset, **filters)
        entries = await q.entries_by_id(scope.session, [v.entry_id for v in found.rows])
        who = await people.by_id(scope.session, [v.person for v in found.rows])
        names = await people.names(scope.session, [v.member for v in found.rows])
        rows, seen = [], []
        for v in found.rows:
            p, e = who.get(v.person), entries.get(v.entry_id) if v.entry_id else None
            row: list[Any] = [v.visited_on, names.get(v.member, v.member),
                              Cell(p.name if p else v.person, None if public else url(f"care/people/{v.person}")),
                              p.team if p else "", v.next_date, v.entry_id]
            if not public:
                shown = perm.sees_visit_note(scope.viewer, v, e)
                seen += [v.id] if shown and e is not None and e.sensitive else []
                row[4:4] = [v.summary if shown else MASK]
            rows.append(row)
        await _audit(scope, "visit", seen, via)
        return Page(rows, found.total)
    return Table("visits", "走访记录", VISIT_PUBLIC if public else VISIT_FULL, fetch, note="" if public else NOTE)


def ledgers(scope: Scope, *, internal: bool) -> list[Table]:
    via = "export-internal" if internal else "export-public"
    return [care_table(scope, {}, public=not internal, via=via), visit_table(scope, {}, public=not internal, via=via),
            zones.coverage_table(scope)]


@page(perm.member, "重点关注台账仅限党员同志查看。")
async def ledger(ctx: Ctx) -> web.StreamResponse:
    due = ctx.q.choice("due", [k for k, _ in DUE])
    filters = dict(status=ctx.q.choice("status", q.LEDGER), category=ctx.q.choice("category", list(CareCategory)),
                   responsible=ctx.q.text("responsible"), person_named=ctx.q.text("q"),
                   follow_up_before=None if due is None else ctx.today + timedelta(days=0 if due == "late" else 8))
    fields = [Field("due", "回访", options=DUE), Field("status", "状态", options=options(q.LEDGER)),
              Field("category", "类别", options=options(CareCategory)), Field("q", "姓名", "text")]
    if ctx.viewer.secretary:
        staff = [(p.userid, p.name) for p in await people.staff(ctx.session)]
        fields.insert(2, Field("responsible", "责任党员", options=staff))
    title = "重点关注台账" if ctx.viewer.secretary else "我负责的重点关注对象"
    return await respond(ctx, "list.html", [care_table(ctx, filters)], title=title, fields=fields)


@page(perm.member, "走访记录仅限党员同志查看。")
async def visits(ctx: Ctx) -> web.StreamResponse:
    since, until = ctx.q.span()
    filters = dict(member=ctx.q.text("member"), person=ctx.q.text("person"), day_from=since, day_to=until,
                   team=ctx.q.text("team"))
    fields = [Field("since", "走访自", "date"), Field("until", "走访至", "date")]
    if ctx.viewer.secretary:
        staff = [(p.userid, p.name) for p in await people.staff(ctx.session)]
        fields.insert(0, Field("member", "走访党员", options=staff))
        fields.insert(1, Field("team", "对象班组", options=[(t, t) for t in await teams.team_names(ctx.session)]))
    return await respond(ctx, "list.html", [visit_table(ctx, filters)], title="走访记录", fields=fields)


def _events(ctx: Ctx, entries: list[CareEntry], visits: list[Visit], tasks: list[Any],
            names: dict[str, str]) -> tuple[list[tuple[Any, str, Any]], list[int], list[int]]:
    """(date, what, detail) newest first, and the sensitive entries and visit notes shown (to audit)."""
    by_id = {e.id: e for e in entries}
    events, seen_entries, seen_visits = [], [], []
    for e in entries:
        if e.status not in q.LEDGER:
            continue
        shown = perm.sees_care_detail(ctx.viewer, e)
        seen_entries += [e.id] if shown and e.sensitive else []
        category = CareCategory.label_of(e.category) if shown else "（敏感）"
        what = f"列入台账：{category}，责任党员 {names.get(e.responsible, e.responsible)}"
        events.append((e.created_at.astimezone(ctx.tz).date(), what, e.summary if shown else MASK.value))
        if e.resolved_at:
            events.append((e.resolved_at.astimezone(ctx.tz).date(), "解除关注", ""))
    for v in visits:
        entry = by_id.get(v.entry_id) if v.entry_id else None
        shown = perm.sees_visit_note(ctx.viewer, v, entry) and (v.entry_id is None or entry is not None)
        seen_visits += [v.id] if shown and entry is not None and entry.sensitive else []
        events.append((v.visited_on, f"{names.get(v.member, v.member)}走访", v.summary if shown else MASK.value))
    for t in tasks:
        events.append((t.due_date, f"走访任务（{reason_label(t.reason)}）{TaskStatus.label_of(t.status)}",
                       f"负责：{names.get(t.member, t.member)}"))
    events.sort(key=lambda x: x[0], reverse=True)
    return events, seen_entries, seen_visits


@page(perm.member, "个人关爱记录仅限党员同志查看。")
async def person(ctx: Ctx) -> web.StreamResponse:
    userid = ctx.request.match_info["userid"]
    found = (await people.by_id(ctx.session, [userid])).get(userid)
    if found is None:
        raise NotFound("名册中没有这个人。")
    entries, visits_, tasks = await q.timeline(ctx.session, userid)
    ctx.require(perm.can_view_person(ctx.viewer, found, {e.responsible for e in entries}),
                f"{found.name}的关爱记录只有所在责任区的党员、责任党员和支部书记可以查看。")
    names = await people.names(ctx.session, [e.responsible for e in entries] + [v.member for v in visits_]
                               + [t.member for t in tasks] + [found.zone_member])
    events, seen_entries, seen_visits = _events(ctx, entries, visits_, tasks, names)
    await _audit(ctx, "care_entry", seen_entries, "web-timeline")
    await _audit(ctx, "visit", seen_visits, "web-timeline")
    return ctx.render("care/person.html", title=f"{found.name}的关爱记录", person=found, events=events, names=names,
                      note=NOTE)


async def glance(ctx: Ctx) -> Glance:
    """Zone coverage, follow-ups overdue, follow-ups on time month by month."""
    months = months_back(ctx.today, MONTHS)
    cov = await zones.totals(ctx)
    late = await q.late_follow_ups(ctx.session, ctx.today)
    on_time, due = await q.follow_ups_by_month(ctx.session, months, ctx.today)
    spans = [(m, next_month(m) - timedelta(days=1)) for m in months]
    shares = [zones.share(cov.visited_30, cov.zone_total), zones.share(cov.visited_90, cov.zone_total)]
    return Glance([Kpi("30天走访覆盖", f"{shares[0] or 0:.0f}%", url("coverage"), order=40),
                   Kpi("回访已逾期", late, url("care", due="late"), late > 0, order=50)], [
        Chart("coverage", chart("bar", "责任区走访覆盖", ["近30天", "近90天"], [series("覆盖率", shares)], unit="%",
                                top=100, links=[url("coverage")] * 2, hint=f"责任区共 {cov.zone_total} 人"), order=20),
        Chart("followups", chart("bar", "按时回访率（按月）", [f"{m.month}月" for m in months],
                                 [series("按时率", on_time)], unit="%", top=100,
                                 links=[url("care/visits", since=f"{a}", until=f"{b}") for a, b in spans],
                                 hint=f"近一年应回访 {sum(due)} 次"), order=40),
    ])


def setup(app: web.Application) -> None:
    app.router.add_get("/care", ledger)
    app.router.add_get("/care/visits", visits)
    app.router.add_get("/care/people/{userid}", person)
    add_nav(app, "关爱台账", "care", perm.member, order=30)
    add_nav(app, "走访", "care/visits", perm.member, order=31)
    zones.setup(app)
