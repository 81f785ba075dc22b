"""What organisers do with a gathering: its roster (/培训 N 名单, /活动 N 名单), cancelling it
(/培训 取消 N, /活动 取消 N) and recording who came (/签到 培训N 张三,李四 / /签到 活动N …).

Organisers are the secretary, the one who announced it and its lecturer
(``storage.gatherings.may_manage``); party members may see a roster too.
"""

from __future__ import annotations

import re

from bot.dispatcher import Context, Replies
from bot.replies import Reply, Text
from handlers.gatherings import messages as msg
from handlers.gatherings.router import router
from storage import gatherings, people
from storage.gatherings import Gathering, GatheringStatus

ROSTER = r"^[/／](?P<kind>培训|活动)\s*(?:培训|活动)?\s*[#＃]?\s*(?P<n>\d{1,6})\s*(?:名单)?$"
CANCEL = r"^[/／](?P<kind>培训|活动)\s*取消\s*(?:培训|活动)?\s*[#＃]?\s*(?P<n>\d{1,6})$"
ATTEND_ARGS = re.compile(r"^(?P<kind>培训|活动)\s*[#＃]?\s*(?P<n>\d{1,6})\s*(?P<names>.*)$", re.S)
NAME_SPLIT = re.compile(r"[,，、;；\s]+")


async def _gathering(ctx: Context) -> Gathering | Text:
    assert ctx.match is not None
    kind, n = msg.kind_of(ctx.match["kind"]), int(ctx.match["n"])
    return await gatherings.get(ctx.session, kind, n) or msg.not_found(kind, n)


def _manages(ctx: Context, g: Gathering) -> bool:
    assert ctx.sender is not None
    return gatherings.may_manage(g, ctx.userid, secretary=ctx.sender.is_secretary)


@router.message(regex=ROSTER)
async def roster(ctx: Context) -> Replies:
    g = await _gathering(ctx)
    if isinstance(g, Text):
        return g
    assert ctx.sender is not None
    if not (ctx.sender.is_staff or _manages(ctx, g)):
        return Text(content=msg.roster_denied(g))
    rows = await gatherings.signups(ctx.session, g)
    names = await people.names(ctx.session)
    lines = [f"{gatherings.label_of(g)}「{g.title}」{msg.when(ctx, g)}，{GatheringStatus.label_of(g.status)}，"
             f"{gatherings.quota(g, len(rows))}"]
    if not rows:
        lines.append("还没有人报名。")
    for i, s in enumerate(rows, 1):
        lines.append(f"{i}. {names.get(s.userid, s.userid)}{'（已到场）' if s.attended else ''}")
    return Text(content="\n".join(lines))


@router.message(regex=CANCEL)
async def cancel(ctx: Context) -> Replies:
    g = await _gathering(ctx)
    if isinstance(g, Text):
        return g
    if not _manages(ctx, g):
        return Text(content=msg.cancel_denied(g))
    await gatherings.cancel(ctx.session, g, actor=ctx.userid, now=ctx.now)
    signed = await gatherings.signups(ctx.session, g)  # after the lock: whoever signed up a moment ago is told
    replies: list[Reply] = [Text(content=msg.cancelled(g, len(signed)))]
    replies += [Text(to=s.userid, content=msg.cancelled_notice(ctx, g)) for s in signed if s.userid != ctx.userid]
    return replies


@router.command("/签到", hidden=True)
async def attend(ctx: Context) -> Replies:
    m = ATTEND_ARGS.match(ctx.args)
    if not m:
        return Text(content=msg.ATTEND_USAGE)
    kind, n = msg.kind_of(m["kind"]), int(m["n"])
    g = await gatherings.get(ctx.session, kind, n)
    if g is None:
        return msg.not_found(kind, n)
    if not _manages(ctx, g):
        return Text(content=msg.attendance_denied(g))
    tokens = [t for t in NAME_SPLIT.split(m["names"].strip()) if t]
    if not tokens:
        return Text(content=f"格式：/签到 {gatherings.label_of(g)} 张三,李四")
    found: dict[str, str] = {}
    missing: list[str] = []
    ambiguous: list[str] = []
    for token in tokens:
        by_id = await people.get(ctx.session, token)
        hits = [by_id] if by_id is not None else await people.named(ctx.session, token)
        if len(hits) == 1:
            found[hits[0].userid] = hits[0].name
        else:
            (ambiguous if hits else missing).append(token)
    if missing or ambiguous:
        return Text(content=msg.unknown_names(missing, ambiguous))
    new = await gatherings.record_attendance(ctx.session, g, list(found), ctx.now, actor=ctx.userid)
    return Text(content=msg.attendance(g, found, new, len(await gatherings.attendees(ctx.session, g))))
