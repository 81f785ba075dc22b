"""/我的档案 and /档案 姓名: a person's talent profile (skills, certificates, trainings, wishes)."""

from __future__ import annotations

from bot.dispatcher import Context, Replies
from bot.replies import Text
from handlers.talent import messages as msg
from handlers.talent.router import router
from storage import audit, gatherings
from storage import talent as store
from storage.gatherings import GatheringKind, GatheringStatus
from storage.people import RosterEntry

KIND = GatheringKind.TRAINING


async def _lines(ctx: Context, who: RosterEntry) -> list[str]:
    p = await store.profile(ctx.session, who.userid)
    attended = await gatherings.attended_by(ctx.session, who.userid, KIND)
    signed = [g for g in await gatherings.signed_up_for(ctx.session, who.userid, KIND)
              if g.status == GatheringStatus.OPEN and g.starts_at > ctx.now]
    lec = await store.lecturer(ctx.session, who.userid)
    lines = [f"{who.name}（{who.team or '—'}）的人才档案：",
             "技能：" + ("、".join(store.skills(p)) or "暂无"),
             "证书：" + ("、".join(store.certificates(p)) or "暂无"),
             "参加培训：" + ("、".join(f"培训{g.number}「{g.title}」" for g in attended) or "暂无")]
    if signed:
        lines.append("已报名：" + "、".join(f"培训{g.number}「{g.title}」{msg.when(ctx, g)}" for g in signed))
    lines.append("发展意愿：" + ("；".join(w["text"] for w in store.wishes(p)) or "暂无"))
    if lec is not None:
        lines.append(f"内训师，专长：{lec.specialty}")
    return lines


async def show_own(ctx: Context) -> Replies:
    assert ctx.sender is not None
    return Text(content="\n".join([*await _lines(ctx, ctx.sender), msg.PROFILE_HINT]))


@router.command("/我的档案", usage="/我的档案", summary="我的技能、证书、培训")
async def mine(ctx: Context) -> Replies:
    return await show_own(ctx)


@router.command("/档案", hidden=True)
async def profile_of(ctx: Context) -> Replies:
    assert ctx.sender is not None
    who = ctx.args.split()[0] if ctx.args else ""
    if not who:
        return await show_own(ctx)
    if not ctx.sender.is_staff:
        return Text(content=msg.MEMBERS_ONLY.format(cmd="/档案 姓名") + "查看自己的档案请发“/我的档案”。")
    target, why = await msg.resolve(ctx, who)
    if target is None:
        return Text(content=why)
    if target.userid == ctx.userid:
        return await show_own(ctx)
    await audit.record(ctx.session, ctx.now, ctx.userid, "talent_profile_viewed", "talent_profile", target.userid)
    return Text(content="\n".join(await _lines(ctx, target)))
