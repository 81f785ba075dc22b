"""/排名 (every team's score for a month) and /班组 (one team's record), for the secretary and grid leaders."""

from __future__ import annotations

import logging

from bot.dispatcher import Context, Replies
from bot.replies import Text
from handlers.teams import messages as msg
from handlers.teams.router import router
from storage import audit
from storage import teams as store
from storage.deeds import ItemKind, status_label

log = logging.getLogger(__name__)


@router.command("/排名", usage="/排名", summary="班组评分排名", help=[("/排名", "班组评分", ("secretary",))])
async def rank(ctx: Context) -> Replies:
    month = msg.month_arg(ctx.args.split()[0] if ctx.args else None, ctx.today)
    if month is None:
        return Text(content=msg.RANK_USAGE)
    if month > store.month_start(ctx.today):
        return Text(content=f"{store.month_label(month)}还没到，没有评分。")
    try:
        w = msg.weights(ctx)
    except store.TeamWeightsError as exc:
        log.error("team_weights setting invalid: %s", exc)
        return Text(content=msg.BAD_WEIGHTS.format(exc=exc))
    ranking = await store.ranking(ctx.session, month, ctx.settings.tz, now=ctx.now, weights_=w)
    if not ranking.teams:
        return Text(content="名册里还没有班组。")
    current = month == store.month_start(ctx.today)
    head = f"{store.month_label(month)}班组评分" + (f"（截至{ctx.today.month}月{ctx.today.day}日）" if current else "")
    lines = [head + "："]
    for ts in ranking.teams:
        place = f"{ts.rank}." if ts.rank else "-."
        lines.append(f"{place} {ts.team} {msg.score(ts.score)}（网格长 {msg.leaders(ts)}）\n   {msg.components_line(ts)}")
    lines.append("权重：" + "，".join(f"{k.label}{w[k]:g}" for k in store.COMPONENTS)
                 + "。没有数据的项不计入，其余权重按比例折算。")
    return Text(content="\n".join(lines))


async def _team_for(ctx: Context, arg: str | None, names: list[str]) -> str | Text:
    """The team the sender asks about and may see, or what to say instead."""
    assert ctx.sender is not None
    if ctx.sender.is_secretary:
        if arg is None:
            return Text(content="请写明班组，例如“/班组 运行一班”。班组：" + "、".join(names))
        team = arg
    elif ctx.sender.grid_leader:
        team = arg or ctx.sender.team
        if team != ctx.sender.team:
            return Text(content=f"网格长只能查看本班组（{ctx.sender.team}）的情况。")
    else:
        return Text(content="班组情况只有支部书记和网格长可以查看。想看班组排名请发“/排名”。")
    if team not in names:
        return Text(content=f"没有“{team}”这个班组。班组：" + "、".join(names))
    return team


@router.command("/班组", hidden=True, help=[("/班组 班组名", "班组档案", ("secretary",))])
async def team_record(ctx: Context) -> Replies:
    team = await _team_for(ctx, ctx.args.split()[0] if ctx.args else None, await store.team_names(ctx.session))
    if isinstance(team, Text):
        return team
    try:
        w = msg.weights(ctx)
    except store.TeamWeightsError as exc:
        return Text(content=msg.BAD_WEIGHTS.format(exc=exc))
    month = store.month_start(ctx.today)
    rec = await store.record(ctx.session, team, month, ctx.settings.tz)
    ranking = await store.ranking(ctx.session, month, ctx.settings.tz, now=ctx.now, weights_=w)
    ts = ranking.of(team)
    await audit.record(ctx.session, ctx.now, ctx.userid, "team_view", "team", team, "")
    leaders = [p for p in rec.people if p.grid_leader] or (ts.leaders if ts else [])
    lines = [f"【{team}】网格长：{'、'.join(p.name for p in leaders) or '（未设）'}；共 {len(rec.people)} 人",
             "成员：" + "、".join(p.name for p in rec.people)]
    deeds = [i for i in rec.open_items if i.kind == ItemKind.DEED]
    lines.append(f"未办结事项 {len(deeds)} 件" + ("：" if deeds else ""))
    lines += [f"· #{i.number} {i.title}（{status_label(i.kind, i.status)}）" for i in deeds[:10]]
    lines.append(f"本月事件 {len(rec.incidents)} 件" + ("：" if rec.incidents else ""))
    lines += [f"· #{i.number} {i.created_at.astimezone(ctx.settings.tz):%m-%d %H:%M} {i.title}"
              f"（{status_label(i.kind, i.status)}）" for i in rec.incidents[:10]]
    lines.append(f"本月走访 {rec.visits} 次，覆盖 {rec.visited_people} 人")
    if ts is not None:
        lines.append(f"本月评分 {msg.score(ts.score)}" + (f"，第 {ts.rank}/{len(ranking.teams)} 名" if ts.rank else ""))
        lines.append(msg.components_line(ts))
    return Text(content="\n".join(lines))
