"""精密关注 slash commands: /我的 /结案 for party members (/台账 and /覆盖, paged summaries: ``ledger.py``).

Privacy: employees never see ledger entries; members see only the entries they are responsible for;
the secretary sees all. Every view of a sensitive entry is audited.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from bot.dispatcher import Context, Replies
from bot.format import fmt_day
from bot.replies import Text
from handlers.care import messages as msg
from handlers.care.router import router
from handlers.care.which import ask_which, continuation, named
from storage import audit, care, deeds, people
from storage.care import CareCategory, CareEntry
from storage.care.queries import open_items_owned

STAFF = ("member", "secretary")
SECRETARY = ("secretary",)
SOON = timedelta(days=3)  # /我的 lists visits and follow-ups due within this


async def _audit_views(ctx: Context, entries: list[CareEntry], where: str) -> None:
    await audit.record_views(ctx.session, ctx.now, ctx.userid, "care_entry",
                             [e.id for e in entries if e.sensitive], f"via={where}")


@router.command("/我的", roles=STAFF, summary="我的责任区、待走访、待办事项", denied=msg.MINE_DENIED)
async def mine(ctx: Context) -> Replies:
    soon = ctx.today + SOON
    zone, stale = await care.zone_not_visited(ctx.session, ctx.userid, ctx.today)
    tasks = await care.open_tasks(ctx.session, member=ctx.userid, due_by=soon)
    ledger = await care.ledger(ctx.session, responsible=ctx.userid)  # read once: those due soon are among them
    entries = [e for e in ledger if e.next_follow_up is not None and e.next_follow_up <= soon]
    items = await open_items_owned(ctx.session, ctx.userid)
    everyone = await people.by_id(ctx.session, [*(t.person for t in tasks), *(e.person for e in entries)])
    zone_names = {p.userid: p.name for p in zone}

    lines = [f"【我的责任区】{len(zone)} 人" + ("：" + "、".join(p.name for p in zone) if zone else "")]
    categories = {e.id: e.category for e in ledger}
    due_lines = [msg.task_line(t, everyone.get(t.person), categories.get(t.entry_id or 0), ctx.today) for t in tasks]
    tasked = {t.person for t in tasks}
    follow = [e for e in entries if e.person not in tasked]
    for e in follow:
        assert e.next_follow_up is not None
        due_lines.append(f"· 回访 {msg.who(everyone.get(e.person), e.person)}（{CareCategory.label_of(e.category)}），"
                         f"{fmt_day(e.next_follow_up)}{msg.late(e.next_follow_up, ctx.today)}")
    lines.append("【近期待走访】" + ("\n" + "\n".join(due_lines) if due_lines else "暂无"))
    if items:
        lines.append("【我负责的事项】\n" + "\n".join(
            f"· #{i.number} {i.title}（{deeds.status_label(i.kind, i.status)}）" for i in items))
    else:
        lines.append("【我负责的事项】暂无")
    lines.append(f"【{care.NOT_VISITED_DAYS} 天未走访】" + ("、".join(zone_names[u] for u in stale) if stale else "无"))
    shown = {t.entry_id for t in tasks if t.reason == care.VisitReason.FOLLOW_UP}  # a task showing its category
    await _audit_views(ctx, [*follow, *(e for e in entries if e.id in shown and e not in follow)], "mine")
    return Text(content="\n".join(lines))


@router.command("/结案", roles=STAFF, usage="/结案 姓名", summary="重点关注对象情况好转，解除关注",
                denied=msg.RESOLVE_DENIED)
async def resolve_command(ctx: Context) -> Replies:
    if not ctx.args:
        return Text(content=msg.RESOLVE_USAGE)
    found = await named(ctx, ctx.args)
    if not found:
        return Text(content=msg.NOT_IN_ROSTER.format(word=ctx.args))
    if len(found) > 1:
        return await ask_which(ctx, [p.userid for p in found], then="resolve", data={})
    return await resolve(ctx, found[0].userid, {})


@continuation("resolve")
async def resolve(ctx: Context, person: str, data: dict[str, Any]) -> Replies:
    assert ctx.sender is not None
    entries = [e for e in await care.active_entries_of(ctx.session, person)
               if e.responsible == ctx.userid or ctx.sender.is_secretary]
    name = await people.name_of(ctx.session, person)
    if not entries:
        return Text(content=msg.NOTHING_TO_RESOLVE.format(name=name))
    for entry in entries:
        await care.resolve_entry(ctx.session, ctx.now, entry, ctx.userid)
    return Text(content=msg.resolved(name, entries))
