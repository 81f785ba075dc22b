"""The workbench's 精英培养: talent profiles, the lecturer team, reserve talent (后备人才) with its
confidential review; their sheets of the inspection workbooks (reserve talent only in the internal one)."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from bot.web import permissions as perm
from bot.web.core import Ctx, NotFound, Scope, add_nav, page, url
from bot.web.tables import Cell, Field, Table, listed, options, respond
from bot.web.workbook import Column
from storage import audit, people, talent
from storage.paging import Page
from storage.people.models import Person
from storage.talent import ReserveCandidate, ReserveStatus, ReviewAspect

FAR = 10**6
PROFILES = (Column("姓名", width=9), Column("班组"), Column("技能", "wrap", 30), Column("证书", "wrap", 30),
            Column("意愿", "wrap", 30))
LECTURERS = (Column("姓名", width=9), Column("班组"), Column("专长", "wrap", 30), Column("加入时间", "datetime"))
RESERVE = (Column("姓名", width=9), Column("班组"), Column("推荐人", width=9), Column("推荐理由", "wrap", 36),
           Column("状态", width=8), Column("考察意见", "int", 8), Column("认定时间", "datetime"), Column("认定说明", "wrap", 30))
REVIEWS = (Column("时间", "datetime"), Column("考察人", width=9), Column("方面", width=9), Column("意见", "wrap", 60))
PROFILES_FOR = "人才档案只有支部书记可以查看。"
RESERVE_FOR = "后备人才只有支部书记可以查看。"


def _who(who: dict[str, Person], userid: str | None) -> tuple[str, str]:
    p = who.get(userid or "")
    return (p.name, p.team) if p else (userid or "", "")


def profile_table(scope: Scope, *, public: bool = False) -> Table:
    """Skills and certificates; a person's wishes only inside (``public`` leaves them out)."""
    async def fetch(limit: int | None, offset: int) -> Page[Any]:
        rows = await talent.profiles(scope.session, limit=FAR if limit is None else limit, offset=offset)
        who = await people.by_id(scope.session, [r.userid for r in rows])
        out = [[*_who(who, r.userid), "、".join(talent.skills(r)), "、".join(talent.certificates(r)),
                *([] if public else ["；".join(w.get("text", "") for w in talent.wishes(r))])] for r in rows]
        return Page(out, await talent.count_profiles(scope.session))
    return Table("profiles", "人才档案", PROFILES[:4] if public else PROFILES, fetch)


def lecturer_table(scope: Scope) -> Table:
    async def fetch(limit: int | None, offset: int) -> Page[Any]:
        rows = await talent.lecturers(scope.session)
        who = await people.by_id(scope.session, [r.userid for r in rows])
        return listed([[*_who(who, r.userid), r.specialty, r.agreed_at] for r in rows], limit, offset)
    return Table("lecturers", "内部讲师", LECTURERS, fetch, paged=False)


def reserve_table(scope: Scope, status: str | None) -> Table:
    """Internal only: recommendations and decisions (never in the public ledger)."""
    async def fetch(limit: int | None, offset: int) -> Page[Any]:
        rows = await talent.candidates(scope.session, status=status, limit=FAR)
        counts = await talent.review_counts(scope.session, [c.id for c in rows])
        who = await people.by_id(scope.session, [c.userid for c in rows] + [c.recommended_by for c in rows])
        return listed([[Cell(_who(who, c.userid)[0], url(f"talent/reserve/{c.id}")), _who(who, c.userid)[1],
                        _who(who, c.recommended_by)[0], c.reason, ReserveStatus.label_of(c.status),
                        counts.get(c.id, 0), c.decided_at, c.decision_note or ""] for c in rows], limit, offset)
    return Table("reserve", "后备人才", RESERVE, fetch)


def ledgers(scope: Scope, *, internal: bool) -> list[Table]:
    return [profile_table(scope, public=not internal), lecturer_table(scope),
            *([reserve_table(scope, None)] if internal else [])]


@page(perm.secretary, PROFILES_FOR)
async def overview(ctx: Ctx) -> web.StreamResponse:
    return await respond(ctx, "list.html", [profile_table(ctx), lecturer_table(ctx)], title="人才档案与讲师")


@page(perm.secretary, RESERVE_FOR)
async def reserve(ctx: Ctx) -> web.StreamResponse:
    status = ctx.q.choice("status", list(ReserveStatus))
    return await respond(ctx, "list.html", [reserve_table(ctx, status)], title="后备人才（内部）",
                         intro="考察意见属内部资料，不进入公开台账；查看详情会记入审计日志。",
                         fields=[Field("status", "状态", options=options(ReserveStatus))])


@page(perm.secretary, RESERVE_FOR)
async def candidate(ctx: Ctx) -> web.StreamResponse:
    raw = ctx.request.match_info["id"]
    c = await ctx.session.get(ReserveCandidate, int(raw)) if raw.isdigit() and len(raw) < 9 else None
    if c is None:
        raise NotFound("没有这条后备人才记录。")
    reviews = await talent.reviews(ctx.session, c.id)
    who = await people.by_id(ctx.session, [c.userid, c.recommended_by] + [r.reviewer for r in reviews])
    await audit.record(ctx.session, ctx.now, ctx.viewer.userid, "view", "reserve_candidate", c.id, "via=web")

    async def fetch(limit: int | None, offset: int) -> Page[Any]:
        return listed([[r.at, _who(who, r.reviewer)[0], ReviewAspect.label_of(r.aspect), r.note] for r in reviews],
                      limit, offset)
    name = _who(who, c.userid)[0]
    return await respond(ctx, "list.html", [Table("reviews", f"{name}考察意见", REVIEWS, fetch, paged=False)],
                         title=f"后备人才：{name}", intro=(f"推荐人：{_who(who, c.recommended_by)[0]}；理由：{c.reason}；"
                                                       f"状态：{ReserveStatus.label_of(c.status)}"))


def setup(app: web.Application) -> None:
    app.router.add_get("/talent", overview)
    app.router.add_get("/talent/reserve", reserve)
    app.router.add_get("/talent/reserve/{id}", candidate)
    add_nav(app, "人才", "talent", perm.secretary, order=61)
    add_nav(app, "后备", "talent/reserve", perm.secretary, order=62)
