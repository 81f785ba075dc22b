"""/活动: upcoming activities, and /活动 新建 (the secretary for any team or the whole branch, a grid
leader for their own team).

An activity is a gathering of kind ``activity``: its text is read by ``storage.gatherings.drafts``
(as /培训's is), and signing up, rosters, cancelling and attendance are ``handlers.gatherings``'.
"""

from __future__ import annotations

from bot.cards import button_card
from bot.dispatcher import Context, Replies
from bot.format import moment
from bot.replies import Reply, Text
from handlers.teams import messages as msg
from handlers.teams.router import router
from storage import gatherings, people
from storage.gatherings import ActivityCategory, Gathering, GatheringKind, drafts

KIND = GatheringKind.ACTIVITY
FIELDS = ("时间", "地点", "名额", "类型", "班组")


@router.command("/活动", usage="/活动", summary="近期活动（报名：报名 活动N）",
                help=[("/活动 新建 标题 时间=… 地点=… 名额=…", "发布活动", ("secretary",))])
async def activities(ctx: Context) -> Replies:
    if not ctx.args:
        return await _upcoming(ctx)
    if ctx.args.startswith("新建"):
        return await _create(ctx, ctx.args[2:].strip())
    return Text(content="用法：/活动（查看近期活动）；" + msg.CREATE_USAGE)


def _when(ctx: Context, g: Gathering) -> str:
    return moment(g.starts_at, ctx.settings.tz)


async def _upcoming(ctx: Context) -> Replies:
    rows = await gatherings.upcoming(ctx.session, KIND, ctx.now)
    if not rows:
        return Text(content="近期没有活动。")
    cnt = await gatherings.counts(ctx.session, [g.id for g in rows])
    lines = ["近期活动："]
    for g in rows:
        signed = cnt[g.id][0]
        quota = f"{signed}/{g.capacity}" if g.capacity else f"{signed}人（不限）"
        category = ActivityCategory.label_of(g.category, ActivityCategory.OTHER.label)
        lines.append(f"活动{g.number} {g.title}（{category}，{g.team or '全支部'}） {_when(ctx, g)} {g.place}，"
                     f"已报名 {quota}")
    lines.append(f"报名请回复“报名 活动编号”，例如“报名 活动{rows[0].number}”。")
    return Text(content="\n".join(lines))


async def _create(ctx: Context, body: str) -> Replies:
    assert ctx.sender is not None
    if not (ctx.sender.is_secretary or ctx.sender.grid_leader):
        return Text(content="活动只能由支部书记或网格长发布。")
    try:
        draft = await drafts.read(ctx.session, KIND, body, ctx.now, FIELDS)
    except drafts.BadDraft as bad:
        return Text(content=bad.message + ("\n" + msg.CREATE_USAGE if bad.usage else ""))
    team = draft.team
    if not ctx.sender.is_secretary:
        team = team or ctx.sender.team
        if team != ctx.sender.team:
            return Text(content=f"网格长只能为本班组（{ctx.sender.team}）发布活动，活动没有发布。")
    g = await gatherings.create(ctx.session, kind=KIND, title=draft.title, starts_at=draft.starts_at,
                                place=draft.place, capacity=draft.capacity, created_by=ctx.userid, now=ctx.now,
                                category=draft.category, team=team)
    audience = [p for p in (await people.team_members(ctx.session, team) if team else
                            await people.all_people(ctx.session)) if p.userid != ctx.userid]
    scope = team or "全支部"
    quota = f"名额 {g.capacity} 人" if g.capacity else "名额不限"
    desc = (f"{ActivityCategory.label_of(g.category)}｜{scope}\n时间：{_when(ctx, g)}\n"
            f"地点：{g.place or '另行通知'}\n{quota}")
    replies: list[Reply] = [Text(content=f"已发布活动{g.number}「{g.title}」（{scope}，{_when(ctx, g)}，{quota}），"
                                         f"已通知 {len(audience)} 人。\n"
                                         f"活动结束后发“/签到 活动{g.number} 姓名,姓名”登记到场人员。")]
    for p in audience:
        replies.append(button_card(
            p.userid, title=f"活动{g.number}：{g.title}", desc=desc,
            buttons=[("报名", gatherings.signup_key(g))], task_prefix=f"activity{g.number}",
            fallback=f"【活动报名】活动{g.number}「{g.title}」\n{desc}\n要参加请回复“报名 活动{g.number}”。"))
    return replies
