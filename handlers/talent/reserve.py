"""后备人才: /推荐 (or "推荐孙鹏进后备人才，理由是…"), /考察, /认定, /后备.

Reserve talent is confidential: only party members and the secretary see candidacies, and a
candidate never sees their own candidacy or its review notes, whatever their role.
"""

from __future__ import annotations

import logging
import re

from bot.dispatcher import Context, Replies
from bot.logsafe import pseudo
from bot.replies import Reply, Text
from handlers.talent import messages as msg
from handlers.talent.router import router
from storage import audit, people
from storage import talent as store
from storage.people import RosterEntry
from storage.talent import ReserveCandidate, ReserveStatus, ReviewAspect

log = logging.getLogger(__name__)

STAFF = ("member", "secretary")
REASON_RE = re.compile(r"理由\s*(?:是|为)?\s*[:：，,]?\s*(?P<r>.+)$", re.S)


async def recommend_in_words(ctx: Context, text: str, persons: tuple[str, ...]) -> Replies:
    """"推荐孙鹏进后备人才，理由是技术过硬": the person named in the text, the reason after 理由."""
    assert ctx.sender is not None
    if not ctx.sender.is_staff:
        return Text(content=msg.RECOMMEND_DENIED)
    others = [u for u in persons if u != ctx.userid]
    if not others:
        return Text(content="没有在名册里找到您推荐的同志，请这样发：/推荐 姓名 理由（姓名与名册一致）。")
    if len(others) != 1:
        return Text(content="请一次推荐一位同志，写清姓名和理由，例如“/推荐 孙鹏 技术过硬，肯吃苦”。")
    m = REASON_RE.search(text)
    target = await people.get(ctx.session, others[0])
    assert target is not None
    return await _recommend(ctx, target, m["r"].strip(" ，,。.") if m else "")


@router.command("/推荐", roles=STAFF, hidden=True, denied=msg.RECOMMEND_DENIED)
async def recommend(ctx: Context) -> Replies:
    parts = ctx.args.split(maxsplit=1)
    if not parts:
        return Text(content=msg.RECOMMEND_USAGE)
    target, why = await msg.resolve(ctx, parts[0])
    if target is None:
        return Text(content=why)
    return await _recommend(ctx, target, parts[1].strip() if len(parts) > 1 else "")


async def _recommend(ctx: Context, target: RosterEntry, reason: str) -> Replies:
    if target.userid == ctx.userid:
        return Text(content="不能推荐自己。")
    if len(reason) < 2:
        return Text(content=f"推荐需要写明理由，没有登记。请这样发：/推荐 {target.name} 理由")
    cand, created = await store.recommend(ctx.session, target.userid, by=ctx.userid, reason=reason, now=ctx.now)
    if not created:
        return Text(content=f"{target.name}已在后备人才考察中（{ReserveStatus.label_of(cand.status)}），"
                            f"可用“/考察 {target.name} 工作|品行|群众评价 内容”补充考察意见。")
    log.info("reserve candidate %s recommended by %s", cand.id, pseudo(ctx.userid))
    replies: list[Reply] = [Text(content=f"已登记：推荐{target.name}为后备人才（{ReserveStatus.RECOMMENDED.label}）。"
                                         f"党员可用“/考察 {target.name} 工作|品行|群众评价 内容”补充考察意见，"
                                         f"书记用“/认定 {target.name} 通过|不通过 说明”认定。此事不会告知本人。")]
    me = await msg.name(ctx, ctx.userid)
    for sec in await people.by_role(ctx.session, "secretary"):
        if sec.userid not in (ctx.userid, target.userid):
            replies.append(Text(to=sec.userid, content=f"{me}推荐{target.name}为后备人才，理由：{reason}\n"
                                                       f"发“/后备 {target.name}”查看考察情况。"))
    return replies


async def _candidate_for(ctx: Context, token: str) -> tuple[RosterEntry, ReserveCandidate] | Text:
    """The candidate named ``token``, or what to say; their own candidacy is hidden from the sender."""
    target, why = await msg.resolve(ctx, token)
    if target is None:
        return Text(content=why)
    if target.userid == ctx.userid:
        return Text(content=msg.NO_RESERVE)
    cand = await store.latest_candidacy(ctx.session, target.userid)
    if cand is None:
        return Text(content=f"{target.name}不在后备人才名单里。推荐请用“/推荐 {target.name} 理由”。")
    return target, cand


@router.command("/考察", roles=STAFF, usage="/考察 姓名 工作|品行|群众评价 内容", summary="后备人才考察意见",
                denied=msg.MEMBERS_ONLY.format(cmd="/考察"))
async def review(ctx: Context) -> Replies:
    parts = ctx.args.split(maxsplit=2)
    if len(parts) < 3:
        return Text(content=msg.REVIEW_USAGE)
    aspect = ReviewAspect.read(parts[1])
    if aspect is None:
        return Text(content=f"考察方面“{parts[1]}”不对，请写 工作、品行 或 群众评价。\n" + msg.REVIEW_USAGE)
    found = await _candidate_for(ctx, parts[0])
    if isinstance(found, Text):
        return found
    target, cand = found
    await store.add_review(ctx.session, cand, reviewer=ctx.userid, aspect=aspect, note=parts[2].strip(), now=ctx.now,
                           name=target.name)
    n = len(await store.reviews(ctx.session, cand.id))
    return Text(content=f"已记录对{target.name}的考察意见（{aspect.label}），目前共 {n} 条。考察意见只有党员和支部书记可见。")


@router.command("/认定", roles=("secretary",), hidden=True, denied=msg.SECRETARY_ONLY.format(cmd="/认定"))
async def decide(ctx: Context) -> Replies:
    parts = ctx.args.split(maxsplit=2)
    if len(parts) < 2 or parts[1] not in msg.DECISIONS:
        return Text(content=msg.DECIDE_USAGE)
    note = parts[2].strip() if len(parts) > 2 else ""
    if len(note) < 2:
        return Text(content="认定需要写明说明，没有认定。\n" + msg.DECIDE_USAGE)
    found = await _candidate_for(ctx, parts[0])
    if isinstance(found, Text):
        return found
    target, cand = found
    approved = msg.DECISIONS[parts[1]]
    await store.decide(ctx.session, cand, by=ctx.userid, approved=approved, note=note, now=ctx.now, name=target.name)
    n = len(await store.reviews(ctx.session, cand.id))
    replies: list[Reply] = [Text(content=f"已认定：{target.name}{'通过，列入后备人才' if approved else '未通过'}"
                                         f"（考察意见 {n} 条）。结果不会自动告知本人。")]
    if cand.recommended_by not in (ctx.userid, target.userid):
        replies.append(Text(to=cand.recommended_by,
                            content=f"您推荐的{target.name}后备人才综合认定：{'通过' if approved else '未通过'}。"))
    return replies


@router.command("/后备", roles=STAFF, usage="/后备", summary="后备人才", denied=msg.MEMBERS_ONLY.format(cmd="/后备"),
                help=[("/后备", "后备人才（/认定 姓名 通过|不通过 说明）", ("secretary",))])
async def board(ctx: Context) -> Replies:
    if ctx.args:
        return await _detail(ctx, ctx.args.split()[0])
    rows = [c for c in await store.candidates(ctx.session) if c.userid != ctx.userid]
    if not rows:
        return Text(content="后备人才名单是空的。推荐请用“/推荐 姓名 理由”。")
    counts = await store.review_counts(ctx.session, [c.id for c in rows])
    await audit.record(ctx.session, ctx.now, ctx.userid, "reserve_list_viewed", "reserve_candidate", "*",
                       f"{len(rows)}")
    lines = ["后备人才（仅党员和支部书记可见）："]
    for c in rows:
        lines.append(f"{await msg.name(ctx, c.userid)}：{ReserveStatus.label_of(c.status)}，"
                     f"推荐人{await msg.name(ctx, c.recommended_by)}，{c.created_at.astimezone(ctx.settings.tz):%m-%d}推荐，"
                     f"考察意见 {counts[c.id]} 条")
    lines.append("查看考察意见：/后备 姓名")
    return Text(content="\n".join(lines))


async def _detail(ctx: Context, who: str) -> Replies:
    found = await _candidate_for(ctx, who)
    if isinstance(found, Text):
        return found
    target, cand = found
    await audit.record(ctx.session, ctx.now, ctx.userid, "reserve_viewed", "reserve_candidate", cand.id)
    tz = ctx.settings.tz
    lines = [f"{target.name}（{target.team or '—'}）后备人才：{ReserveStatus.label_of(cand.status)}",
             f"{ReserveStatus.RECOMMENDED.label}：{await msg.name(ctx, cand.recommended_by)}，"
             f"{cand.created_at.astimezone(tz):%Y-%m-%d}，理由：{cand.reason}"]
    reviews = await store.reviews(ctx.session, cand.id)
    if reviews:
        lines.append(f"骨干考察（{len(reviews)} 条）：")
        for r in reviews:
            lines.append(f"· {await msg.name(ctx, r.reviewer)}（{ReviewAspect.label_of(r.aspect)}，"
                         f"{r.at.astimezone(tz):%m-%d}）：{r.note}")
    else:
        lines.append("骨干考察：还没有考察意见。")
    if cand.decided_at is not None:
        lines.append(f"综合认定：{ReserveStatus.label_of(cand.status)}，"
                     f"{await msg.name(ctx, cand.decided_by)}，{cand.decided_at.astimezone(tz):%Y-%m-%d}，"
                     f"说明：{cand.decision_note or '—'}")
    return Text(content="\n".join(lines))
