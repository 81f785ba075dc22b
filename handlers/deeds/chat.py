"""办实事 in everyday words: "接单 #N", new requests, progress, feedback, "how is it going?"."""

from __future__ import annotations

from bot import filters
from bot.dispatcher import NOT_HANDLED, Context, Replies
from bot.nlu import Intent
from bot.replies import Text
from handlers.deeds import flows
from handlers.deeds import messages as msg
from handlers.deeds.router import router
from handlers.deeds.states import DeedStates
from storage import deeds
from storage.deeds import DeedCategory, Item

ACCEPT = (r"^(?:我)?(?:接单|已接单|接了|收到)\s*[#＃]?\s*(\d{1,7})\s*[。.!！]?$"
          r"|^[#＃]\s*(\d{1,7})\s*(?:收到|收到了|好的收到|接单|已接单|我接了)\s*[。.!！]?$")


def _category(ctx: Context) -> str:
    assert ctx.parse is not None
    found = DeedCategory.parse(ctx.parse.category or "")
    return found.value if found is not None else DeedCategory.OTHER.value


async def _referenced(ctx: Context, n: int) -> Item | Replies:
    """The deed #n; NOT_HANDLED when #n is an incident (duty's), a reply when there is no #n."""
    item = await deeds.get_by_number(ctx.session, n)
    if item is None:
        return msg.not_found(n)
    if item.kind != deeds.ItemKind.DEED:
        return NOT_HANDLED
    return item


@router.message(regex=ACCEPT)
async def accept_text(ctx: Context) -> Replies:
    assert ctx.match is not None
    found = await _referenced(ctx, int(ctx.match.group(1) or ctx.match.group(2)))
    return await flows.accept(ctx, found) if isinstance(found, Item) else found


@router.message(filters.intent(Intent.DEED_REQUEST))
async def new_request(ctx: Context) -> Replies:
    assert ctx.parse is not None
    return await flows.request(ctx, ctx.text.strip(), _category(ctx), bool(ctx.parse.urgent))


@router.message(filters.intent(Intent.PROGRESS_REPORT))
async def progress(ctx: Context) -> Replies:
    assert ctx.parse is not None
    if ctx.parse.ref is not None:
        found = await _referenced(ctx, ctx.parse.ref)
        return await flows.progress(ctx, found, ctx.text) if isinstance(found, Item) else found
    mine = await deeds.open_for_owner(ctx.session, ctx.userid)
    if not mine:
        return Text(content=("没找到你负责的、正在办理的事项。要报告某件事的进展，请带上编号，"
                             "例如“#12 已联系后勤，周五前修好”；如果是反映新问题，请直接把问题说清楚。"))
    if len(mine) == 1:
        return await flows.progress(ctx, mine[0], ctx.text)
    return await ctx.fsm.ask(DeedStates.which, msg.pick_prompt(mine),
                             {"purpose": "progress", "text": ctx.text, "numbers": [i.number for i in mine]})


@router.message(filters.intent(Intent.FEEDBACK))
async def feedback(ctx: Context) -> Replies:
    assert ctx.parse is not None
    polarity = ctx.parse.polarity
    if polarity not in ("satisfied", "unsatisfied"):
        return NOT_HANDLED
    if ctx.parse.ref is not None:
        found = await _referenced(ctx, ctx.parse.ref)
        if not isinstance(found, Item):
            return found
        if found.requester != ctx.userid:
            return Text(content=(f"谢谢反馈！不过 #{found.number} 的办理结果只能由反映人本人确认，"
                                 f"这条反馈没有改变事项状态。"))
        return await flows.feedback(ctx, found, polarity, ctx.text)
    waiting = await deeds.awaiting_confirmation(ctx.session, ctx.userid)
    if len(waiting) == 1:
        return await flows.feedback(ctx, waiting[0], polarity, ctx.text)
    if len(waiting) > 1:
        return await ctx.fsm.ask(DeedStates.which, msg.pick_prompt(waiting),
                                 {"purpose": "feedback", "polarity": polarity, "text": ctx.text,
                                  "numbers": [i.number for i in waiting]})
    if not await deeds.list_items(ctx.session, requester=ctx.userid, limit=1):
        return NOT_HANDLED
    if polarity == "unsatisfied":  # "食堂晚班还是没有热饭": about one of their open items?
        category, text = _category(ctx), ctx.text.strip()
        dup = await deeds.find_duplicate(ctx.session, ctx.userid, text, category)
        if dup is not None:
            return await flows.ask_duplicate(ctx, dup, text, dup.category if category == "other" else category,
                                             bool(ctx.parse.urgent))
    return Text(content=("目前没有等您确认的事项。要评价某件事请带上编号，例如“#12 满意”或“#12 还没解决”；"
                         "发“/我的事项”可以查看进度。"))


@router.message(filters.intent(Intent.STATUS_QUERY))
async def status_query(ctx: Context) -> Replies:
    assert ctx.parse is not None
    if ctx.parse.ref is None:
        return await flows.my_items(ctx)
    found = await _referenced(ctx, ctx.parse.ref)
    return await flows.show(ctx, found) if isinstance(found, Item) else found


@router.message(filters.has_ref)
async def done_with_number(ctx: Context) -> Replies:
    """"#N 已解决" that the parser read as something else, from the item's owner."""
    assert ctx.parse is not None and ctx.parse.ref is not None
    if not flows.is_done(ctx.text):
        return NOT_HANDLED
    item = await deeds.get_deed(ctx.session, ctx.parse.ref)
    if item is None or item.owner != ctx.userid:
        return NOT_HANDLED
    return await flows.progress(ctx, item, ctx.text)
