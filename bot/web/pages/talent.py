"""精英培养: talent profiles, the lecturer team, reserve talent (后备人才) with its confidential review."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from bot.web import permissions as perm
from bot.web.core import Ctx, NotFound, Scope, add_nav, page, url
from bot.web.queries.people import people_for
from bot.web.tables import Cell, Field, Table, options, respond
from bot.web.workbook import Column
from storage import audit, reports, talent
from storage.models import ReserveCandidate

FAR = 10**6
PROFILES = (Column("姓名", width=9), Column("班组"), Column("技能", "wrap", 30), Column("证书", "wrap", 30),
            Column("意愿", "wrap", 30))
LECTURERS = (Column("姓名", width=9), Column("班组"), Column("专长", "wrap", 30), Column("加入时间", "datetime"))
RESERVE = (Column("姓名", width=9), Column("班组"), Column("推荐人", width=9), Column("推荐理由", "wrap", 36),
           Column("状态", width=8), Column("考察意见", "int", 8), Column("认定时间", "datetime"), Column("认定说明", "wrap", 30))
REVIEWS = (Column("时间", "datetime"), Column("考察人", width=9), Column("方面", width=9), Column("意见", "wrap", 60))


def _who(people: dict[str, Any], userid: str | None) -> tuple[str, str]:
    p = people.get(userid or "")
    return (p.name, p.team) if p else (userid or "", "")


def profile_table(scope: Scope, *, public: bool = False) -> Table:
    """Skills and certificates; a person's wishes only inside (``public`` leaves them out)."""
    async def fetch(limit: int | None, offset: int) -> tuple[list[Any], int]:
        rows = await talent.profiles(scope.session, limit=FAR if limit is None else limit, offset=offset)
        people = await people_for(scope.session, [r.userid for r in rows])
        out = [[*_who(people, r.userid), "、".join(talent.skills(r)), "、".join(talent.certificates(r)),
                *([] if public else ["；".join(w.get("text", "") for w in talent.wishes(r))])] for r in rows]
        return out, await talent.count_profiles(scope.session)
    return Table("profiles", "人才档案", PROFILES[:4] if public else PROFILES, fetch)


def lecturer_table(scope: Scope) -> Table:
    async def fetch(limit: int | None, offset: int) -> tuple[list[Any], int]:
        rows = await talent.lecturers(scope.session)
        people = await people_for(scope.session, [r.userid for r in rows])
        return [[*_who(people, r.userid), r.specialty, r.agreed_at] for r in rows], len(rows)
    return Table("lecturers", "内部讲师", LECTURERS, fetch, paged=False)


def reserve_table(scope: Scope, status: str | None) -> Table:
    """Internal only: recommendations and decisions (never in the public ledger)."""
    async def fetch(limit: int | None, offset: int) -> tuple[list[Any], int]:
        rows = await talent.candidates(scope.session, status=status, limit=FAR, offset=0)
        counts = await talent.review_counts(scope.session, [c.id for c in rows])
        people = await people_for(scope.session, [c.userid for c in rows] + [c.recommended_by for c in rows])
        out = [[Cell(_who(people, c.userid)[0], url(f"talent/reserve/{c.id}")), _who(people, c.userid)[1],
                _who(people, c.recommended_by)[0], c.reason, reports.cn(talent.RESERVE_STATUS_CN, c.status),
                counts.get(c.id, 0), c.decided_at, c.decision_note or ""] for c in rows]
        return out[offset: None if limit is None else offset + limit], len(out)
    return Table("reserve", "后备人才", RESERVE, fetch)


@page(perm.secretary, "人才档案只有支部书记可以查看。")
async def overview(ctx: Ctx) -> web.StreamResponse:
    return await respond(ctx, "list.html", [profile_table(ctx), lecturer_table(ctx)], title="人才档案与讲师")


@page(perm.secretary, "后备人才只有支部书记可以查看。")
async def reserve(ctx: Ctx) -> web.StreamResponse:
    status = ctx.q.choice("status", talent.RESERVE_STATUSES)
    return await respond(ctx, "list.html", [reserve_table(ctx, status)], title="后备人才（内部）",
                         intro="考察意见属内部资料，不进入公开台账；查看详情会记入审计日志。",
                         fields=[Field("status", "状态", options=options(talent.RESERVE_STATUS_CN))])


@page(perm.secretary, "后备人才只有支部书记可以查看。")
async def candidate(ctx: Ctx) -> web.StreamResponse:
    raw = ctx.request.match_info["id"]
    c = await ctx.session.get(ReserveCandidate, int(raw)) if raw.isdigit() and len(raw) < 9 else None
    if c is None:
        raise NotFound("没有这条后备人才记录。")
    reviews = await talent.reviews(ctx.session, c.id)
    people = await people_for(ctx.session, [c.userid, c.recommended_by] + [r.reviewer for r in reviews])
    await audit.record(ctx.session, ctx.now, ctx.viewer.userid, "view", "reserve_candidate", c.id, "via=web")

    async def fetch(limit: int | None, offset: int) -> tuple[list[Any], int]:
        return [[r.at, _who(people, r.reviewer)[0], talent.ASPECT_CN.get(r.aspect, r.aspect), r.note]
                for r in reviews], len(reviews)
    name = _who(people, c.userid)[0]
    return await respond(ctx, "list.html", [Table("reviews", f"{name}考察意见", REVIEWS, fetch, paged=False)],
                         title=f"后备人才：{name}", intro=(f"推荐人：{_who(people, c.recommended_by)[0]}；理由：{c.reason}；"
                                                       f"状态：{reports.cn(talent.RESERVE_STATUS_CN, c.status)}"))


def setup(app: web.Application) -> None:
    app.router.add_get("/talent", overview)
    app.router.add_get("/talent/reserve", reserve)
    app.router.add_get("/talent/reserve/{id}", candidate)
    add_nav(app, "人才", "talent", perm.secretary, order=61)
    add_nav(app, "后备", "talent/reserve", perm.secretary, order=62)
