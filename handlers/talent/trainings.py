"""/培训 (近期培训, 新建, 帮助) and /讲师 (the internal lecturers).

A training is a gathering of kind ``training``: its text is read by ``storage.gatherings.drafts``
(as /活动's is), and signing up, rosters, cancelling and attendance are ``handlers.gatherings``'.
"""

from __future__ import annotations

import logging

from bot.dispatcher import Context, Replies
from bot.logsafe import pseudo
from bot.replies import Reply, Text
from handlers.talent import messages as msg
from handlers.talent.router import router
from storage import gatherings, people
from storage import talent as store
from storage.gatherings import GatheringKind, drafts
from storage.people import RosterEntry

log = logging.getLogger(__name__)

KIND = GatheringKind.TRAINING
FIELDS = ("时间", "地点", "名额", "讲师", "班组")
ADD_WORDS = ("添加", "登记", "新增")
REMOVE_WORDS = ("移除", "删除")


@router.command("/培训", usage="/培训", summary="近期培训（报名：报名 培训N）",
                help=[("/培训 新建 标题 时间=… 地点=… 名额=… 讲师=…", "发布培训", ("secretary",))])
async def trainings(ctx: Context) -> Replies:
    rest = ctx.args
    if not rest:
        return await _upcoming(ctx)
    if rest.startswith("新建"):
        return await _create(ctx, rest[2:].strip())
    if rest in ("帮助", "用法"):
        return Text(content=msg.HELP)
    return Text(content="没看懂。用法：\n" + msg.HELP)


async def _upcoming(ctx: Context) -> Replies:
    assert ctx.sender is not None
    team = None if ctx.sender.is_secretary else ctx.sender.team
    rows = await gatherings.upcoming(ctx.session, KIND, ctx.now, team=team)
    if not rows:
        return Text(content="近期没有培训。")
    cnt = await gatherings.counts(ctx.session, [g.id for g in rows])
    lines = ["近期培训："]
    for g in rows:
        lec = f"，讲师{await msg.name(ctx, g.lecturer)}" if g.lecturer else ""
        scope = f"，{g.team}" if g.team else ""
        lines.append(f"培训{g.number}「{g.title}」{msg.when(ctx, g)}，{g.place or '地点另行通知'}{lec}{scope}；"
                     f"{gatherings.quota(g, cnt[g.id][0])}")
    lines.append(f"报名请回复“报名 培训{rows[0].number}”（换成要报的编号）。")
    return Text(content="\n".join(lines))


async def _lecturer_of(ctx: Context, draft: drafts.Draft, own: bool) -> str | None | Text:
    """The draft's lecturer (a registered lecturer), or what to say instead."""
    if "讲师" not in draft.fields:
        return ctx.userid if own else None
    if not draft.fields["讲师"]:
        return Text(content="讲师没写姓名，培训没有发布。")
    who, why = await msg.resolve(ctx, draft.fields["讲师"])
    if who is None:
        return Text(content=why + "培训没有发布。")
    if await store.lecturer(ctx.session, who.userid) is None:
        return Text(content=f"{who.name}不在内训师名单里，培训没有发布。发“/讲师”查看名单；"
                            f"书记可用“/讲师 添加 姓名 专长”登记。")
    return who.userid


async def _create(ctx: Context, body: str) -> Replies:
    assert ctx.sender is not None
    own = await store.lecturer(ctx.session, ctx.userid) is not None and not ctx.sender.is_secretary
    if not ctx.sender.is_secretary and not own:
        return Text(content="培训只能由支部书记或内训师发布。")
    try:
        draft = await drafts.read(ctx.session, KIND, body, ctx.now, FIELDS)
    except drafts.BadDraft as bad:
        return Text(content=bad.message + ("\n" + msg.CREATE_USAGE if bad.usage else ""))
    lecturer = await _lecturer_of(ctx, draft, own)
    if isinstance(lecturer, Text):
        return lecturer
    g = await gatherings.create(ctx.session, kind=KIND, title=draft.title, starts_at=draft.starts_at,
                                place=draft.place, capacity=draft.capacity, created_by=ctx.userid, now=ctx.now,
                                lecturer=lecturer, team=draft.team)
    log.info("training %s created by %s", g.number, pseudo(ctx.userid))
    audience = (await people.team_members(ctx.session, g.team) if g.team else await people.all_people(ctx.session))
    lec_name = await msg.name(ctx, lecturer) if lecturer else "待定"
    quota = f"名额 {g.capacity} 人" if g.capacity else "名额不限"
    desc = (f"时间：{msg.when(ctx, g)}\n地点：{g.place or '另行通知'}\n讲师：{lec_name}\n{quota}"
            + (f"\n范围：{g.team}" if g.team else ""))
    fallback = f"【培训报名】培训{g.number}「{g.title}」\n{desc}\n要参加请回复“报名 培训{g.number}”。"
    invited = [p for p in audience if p.userid not in (ctx.userid, lecturer)]  # the lecturer teaches: no sign-up card
    cards: list[Reply] = [msg.training_card(p.userid, g, desc, fallback) for p in invited]
    if lecturer and lecturer != ctx.userid:
        cards.append(Text(to=lecturer, content=f"您将担任培训{g.number}「{g.title}」的讲师，{msg.when(ctx, g)}，"
                                               f"{g.place or '地点另行通知'}。"))
    head = Text(content=f"已发布培训{g.number}「{g.title}」（{msg.when(ctx, g)}，{g.place or '地点另行通知'}，"
                        f"讲师{lec_name}，{quota}），已通知 {len(invited) + int(bool(lecturer and lecturer != ctx.userid))} 人。\n"
                        f"培训结束后发“/签到 培训{g.number} 姓名,姓名”登记到场人员。")
    return [head, *cards]


# --- lecturers -----------------------------------------------------------------------


@router.command("/讲师", hidden=True, help=[("/讲师", "内训师", ("secretary",))])
async def lecturers(ctx: Context) -> Replies:
    parts = ctx.args.split(maxsplit=2)
    if not parts:
        return await _lecturer_list(ctx)
    assert ctx.sender is not None
    if parts[0] in ADD_WORDS:
        if not ctx.sender.is_secretary:
            return Text(content=msg.SECRETARY_ONLY.format(cmd="/讲师 添加"))
        return await _add_lecturer(ctx, parts)
    if parts[0] in REMOVE_WORDS:
        if not ctx.sender.is_secretary:
            return Text(content=msg.SECRETARY_ONLY.format(cmd="/讲师 移除"))
        return await _remove_lecturer(ctx, parts)
    return Text(content=msg.LECTURER_USAGE)


async def _lecturer_list(ctx: Context) -> Replies:
    rows = await store.lecturers(ctx.session)
    if not rows:
        return Text(content="还没有登记内训师。书记可用“/讲师 添加 姓名 专长”登记（须本人同意）。")
    return Text(content="\n".join(["内训师队伍：", *[f"{await msg.name(ctx, r.userid)}：{r.specialty}" for r in rows]]))


async def _named(ctx: Context, parts: list[str], words: int, usage: str) -> RosterEntry | Text:
    """The person ``parts[1]`` names (``words``: how many parts the command needs), or what to say."""
    if len(parts) < words:
        return Text(content=usage)
    who, why = await msg.resolve(ctx, parts[1])
    return who if who is not None else Text(content=why)


async def _add_lecturer(ctx: Context, parts: list[str]) -> Replies:
    who = await _named(ctx, parts, 3, "格式：/讲师 添加 姓名 专长，例如“/讲师 添加 张敏 继电保护”（请先征得本人同意）。")
    if isinstance(who, Text):
        return who
    specialty = parts[2].strip()
    _, created = await store.add_lecturer(ctx.session, who.userid, specialty, now=ctx.now, actor=ctx.userid)
    verb = "登记" if created else "更新"
    replies: list[Reply] = [Text(content=f"已{verb}{who.name}为内训师，专长：{specialty}（已记录本人同意）。")]
    if who.userid != ctx.userid:
        replies.append(Text(to=who.userid, content=f"您已登记为支部内训师，专长：{specialty}。感谢您愿意分享经验！"
                                                   f"您可以用“/培训 新建 …”发布培训。"))
    return replies


async def _remove_lecturer(ctx: Context, parts: list[str]) -> Replies:
    who = await _named(ctx, parts, 2, "格式：/讲师 移除 姓名")
    if isinstance(who, Text):
        return who
    if not await store.remove_lecturer(ctx.session, who.userid, now=ctx.now, actor=ctx.userid):
        return Text(content=f"{who.name}不在内训师名单里。")
    return Text(content=f"已将{who.name}移出内训师名单。")
