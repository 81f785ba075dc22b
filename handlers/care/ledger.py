"""/台账 and /覆盖 in chat: a summary (counts in SQL) and one page of rows, "第1/14页，回复“下一页”".

The full ledger and the coverage of every member are the workbench's ("关爱台账", "责任区覆盖", reached with
/后台). A page of the ledger is audited once (one line naming the sensitive entries shown), not per entry.
"""

from __future__ import annotations

import re

from bot.dispatcher import Context, Replies
from bot.paging import page_count, page_number
from bot.replies import TEXT_LIMIT, Text, clip_bytes
from handlers.care import messages as msg
from handlers.care.router import router
from handlers.care.states import CareStates
from storage import audit, people
from storage.care import CareCategory, summary
from storage.care.coverage import members as coverage_members

STAFF = ("member", "secretary")
SECRETARY = ("secretary",)
LEDGER_PAGE = 8  # entries per page (each line clipped: a page stays within one message)
COVERAGE_PAGE = 20  # members per page
UNASSIGNED_SHOWN = 10
LINE_LIMIT = 200  # bytes per entry line
NEXT = re.compile(r"^\s*(下一页|下页|下一頁|继续)\s*[。.!！]?\s*$")


def _footer(command: str, page: int, pages: int) -> str:
    more = f"回复“下一页”看第 {page + 1} 页，或发“{command} 页码”。" if page < pages else "已是最后一页。"
    return f"第{page}/{pages}页，{more}完整{'台账' if command == '/台账' else '覆盖情况'}请发“/后台”在工作台查看。"


async def _ledger_page(ctx: Context, page: int) -> Replies:
    assert ctx.sender is not None
    secretary = ctx.sender.is_secretary
    mine = None if secretary else ctx.userid
    s = await summary.ledger_summary(ctx.session, ctx.today, responsible=mine)
    if not s.total:
        await ctx.fsm.clear()
        return Text(content=msg.LEDGER_EMPTY if secretary else msg.LEDGER_EMPTY_MINE)
    pages = page_count(s.total, LEDGER_PAGE)
    if page > pages:
        return Text(content=f"台账共 {pages} 页，没有第 {page} 页。")
    entries = await summary.ledger_page(ctx.session, responsible=mine, limit=LEDGER_PAGE,
                                        offset=(page - 1) * LEDGER_PAGE)
    names = await people.by_id(ctx.session, [u for e in entries for u in (e.person, e.responsible)]
                               + [m for m, _ in s.by_member])
    lines = [msg.ledger_title(secretary, s.total) + (f"，逾期未回访 {s.overdue}" if s.overdue else ""),
             "按类别：" + "、".join(f"{CareCategory.label_of(c)} {n}" for c, n in s.by_category)]
    if secretary and s.by_member:
        top = "、".join(f"{msg.who(names.get(m), m)} {n}" for m, n in s.by_member)
        lines.append(f"按负责党员（{s.members} 人）：{top}" + (" 等" if s.members > len(s.by_member) else ""))
    for entry in entries:
        shows = secretary or entry.responsible == ctx.userid or not entry.sensitive
        line = msg.entry_line(entry, names.get(entry.person), names.get(entry.responsible), ctx.today, summary=shows)
        lines.append(clip_bytes(line, LINE_LIMIT))
    lines += [_footer("/台账", page, pages), msg.confidential(secretary)]
    seen = [e.id for e in entries if e.sensitive]
    if seen:  # one line per view: which sensitive entries this page showed
        await audit.record(ctx.session, ctx.now, ctx.userid, "view", "care_ledger", f"page:{page}",
                           f"via=ledger;entries={','.join(map(str, seen))}")
    await _stay(ctx, "ledger", page, pages)
    return Text(content=clip_bytes("\n".join(lines), TEXT_LIMIT))


async def _coverage_page(ctx: Context, page: int) -> Replies:
    t = await summary.coverage_totals(ctx.session, ctx.today)
    found = await coverage_members(ctx.session, ctx.today, limit=COVERAGE_PAGE, offset=(page - 1) * COVERAGE_PAGE)
    pages = page_count(found.total, COVERAGE_PAGE)
    if page > pages:
        return Text(content=f"覆盖情况共 {pages} 页，没有第 {page} 页。")
    lines = [f"责任区走访覆盖（截至 {ctx.today.isoformat()}）",
             "党员：责任区人数 / 30天内走访 / 90天内走访",
             f"合计：{t.zone_total} / {t.visited_30} / {t.visited_90}（党员 {found.total} 人）"]
    lines += [f"· {m.name}：{m.zone_size} / {m.visited_30} / {m.visited_90}" for m in found.rows]
    if t.unassigned:
        shown = await summary.unassigned_names(ctx.session, UNASSIGNED_SHOWN)
        lines.append("不在任何责任区：" + "、".join(shown) + (f" 等{t.unassigned}人" if t.unassigned > len(shown) else ""))
    else:
        lines.append("所有人都已分到责任区。")
    lines.append(_footer("/覆盖", page, pages))
    await _stay(ctx, "coverage", page, pages)
    return Text(content=clip_bytes("\n".join(lines), TEXT_LIMIT))


async def _stay(ctx: Context, view: str, page: int, pages: int) -> None:
    """Keep "下一页" meaning the next page of this view while there is one (no prompt: nothing is re-asked)."""
    if page < pages:
        await ctx.fsm.set(CareStates.page, {"view": view, "page": page})
    elif ctx.fsm.state == CareStates.page:
        await ctx.fsm.clear()


@router.command("/台账", roles=STAFF, hidden=True, denied=msg.LEDGER_DENIED,
                help=[("/台账", "重点关注人群台账", SECRETARY)])
async def ledger(ctx: Context) -> Replies:
    page = page_number(ctx.args)
    if page is None:
        return Text(content="用法：/台账（第1页）、/台账 2（第2页）")
    return await _ledger_page(ctx, page)


@router.command("/覆盖", roles=SECRETARY, summary="责任区走访覆盖", denied=msg.COVERAGE_DENIED)
async def zone_coverage(ctx: Context) -> Replies:
    page = page_number(ctx.args)
    if page is None:
        return Text(content="用法：/覆盖（第1页）、/覆盖 2（第2页）")
    return await _coverage_page(ctx, page)


@router.message(lambda ctx: bool(NEXT.match(ctx.text)), state=CareStates.page)
async def next_page(ctx: Context) -> Replies:
    data = ctx.fsm.data
    page = int(data.get("page", 0)) + 1
    if data.get("view") == "coverage":
        if ctx.sender is None or not ctx.sender.is_secretary:
            await ctx.fsm.clear()
            return Text(content=msg.COVERAGE_DENIED)
        return await _coverage_page(ctx, page)
    if ctx.sender is None or not ctx.sender.is_staff:
        await ctx.fsm.clear()
        return Text(content=msg.LEDGER_DENIED)
    return await _ledger_page(ctx, page)

