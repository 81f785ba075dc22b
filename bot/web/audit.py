"""审计日志: who did or saw what, when (the secretary only), as ``/api/audit`` shows it to the admin."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from bot.web import permissions as perm
from bot.web.auditwords import action_label, object_label
from bot.web.core import Ctx, add_nav, page
from bot.web.tables import Field, Table, respond
from bot.web.workbook import Column
from storage import audit, people
from storage.paging import Page

COLUMNS = (Column("时间", "datetime"), Column("操作人", width=10), Column("账号", width=12), Column("操作", width=18),
           Column("对象类型", width=14), Column("对象", width=16), Column("说明", "wrap", 40))


@page(perm.secretary, "审计日志只有支部书记可以查看。")
async def audit_log(ctx: Ctx) -> web.StreamResponse:
    actions, types = await audit.kinds(ctx.session)
    since, until = ctx.q.moments(ctx.tz)
    actor, action, object_type = ctx.q.text("actor"), ctx.q.choice("action", actions), ctx.q.choice("object_type", types)

    async def fetch(limit: int | None, offset: int) -> Page[Any]:
        found = await audit.page_of(ctx.session, actor=actor, action=action, object_type=object_type,
                                    since=since, until=until, newest_first=True, limit=limit, offset=offset)
        names = await people.names(ctx.session, [a.actor for a in found.rows])
        return Page([[a.at, names.get(a.actor, ""), a.actor, action_label(a.action, a.object_type),
                      object_label(a.object_type),
                      a.object_id, a.detail] for a in found.rows], found.total)
    fields = [Field("action", "操作", options=[(a, action_label(a)) for a in actions]),
              Field("object_type", "对象类型", options=[(t, object_label(t)) for t in types]), Field("actor", "操作人账号", "text"),
              Field("since", "自", "date"), Field("until", "至", "date")]
    return await respond(ctx, "list.html", [Table("audit", "审计日志", COLUMNS, fetch)], title="审计日志", fields=fields)


def setup(app: web.Application) -> None:
    app.router.add_get("/audit", audit_log)
    add_nav(app, "审计", "audit", perm.secretary, order=90)
