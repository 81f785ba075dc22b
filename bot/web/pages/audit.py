"""审计日志: who did or saw what, when (the secretary only)."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from bot.web import permissions as perm
from bot.web.core import Ctx, add_nav, page
from bot.web.queries import audit as q
from bot.web.queries.people import names_for
from bot.web.tables import Field, Table, respond
from bot.web.workbook import Column

COLUMNS = (Column("时间", "datetime"), Column("操作人", width=10), Column("账号", width=12), Column("操作", width=18),
           Column("对象类型", width=14), Column("对象", width=16), Column("说明", "wrap", 40))
VIEW_CN = {"view": "查看", "login": "登录", "logout": "退出", "login_refused": "登录被拒", "export": "导出"}


@page(perm.secretary, "审计日志只有支部书记可以查看。")
async def audit_log(ctx: Ctx) -> web.StreamResponse:
    actions, types = await q.kinds(ctx.session)
    since, until = ctx.q.span()
    f = q.AuditFilter(actor=ctx.q.text("actor"), action=ctx.q.choice("action", actions),
                      object_type=ctx.q.choice("object_type", types), since=since, until=until)

    async def fetch(limit: int | None, offset: int) -> tuple[list[Any], int]:
        rows, total = await q.entries(ctx.session, f, ctx.tz, limit, offset)
        names = await names_for(ctx.session, [a.actor for a in rows])
        return [[a.at, names.get(a.actor, ""), a.actor, VIEW_CN.get(a.action, a.action), a.object_type, a.object_id,
                 a.detail] for a in rows], total
    fields = [Field("action", "操作", options=[(a, VIEW_CN.get(a, a)) for a in actions]),
              Field("object_type", "对象类型", options=[(t, t) for t in types]), Field("actor", "操作人账号", "text"),
              Field("since", "自", "date"), Field("until", "至", "date")]
    return await respond(ctx, "list.html", [Table("audit", "审计日志", COLUMNS, fetch)], title="审计日志", fields=fields)


def setup(app: web.Application) -> None:
    app.router.add_get("/audit", audit_log)
    add_nav(app, "审计", "audit", perm.secretary, order=90)
