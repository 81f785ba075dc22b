"""What happens to an item, whichever way it was asked for (a text, a card button, an answer, the workbench).

The lifecycle rules are storage's (``storage.deeds.actions`` refuses what is not allowed, in
Chinese); here: who is told what, and who may act (owner, requester, secretary). The secretary's
:func:`reassign` and :func:`close_by_hand` serve ``/指派`` and ``/关闭`` and the workbench's item page alike:
they take anything :class:`Acting` (a chat ``Context``, the workbench's ``Ctx``), raise ``Refused``
for what cannot be done and return the replies, the first one for whoever acted.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from bot.cards import button_card
from bot.config import Settings
from bot.dispatcher import Context, Replies
from bot.nlu.summary import category_hint, split_problems
from bot.nlu.summary import title as summarise
from bot.replies import Reply, Text
from handlers.deeds import messages as msg
from handlers.deeds.states import DeedCard, DeedStates
from storage import audit, deeds, duty, people
from storage.deeds import Action, DeedStatus, EventKind, Item, lifecycle
from storage.errors import Refused

DONE_RE = re.compile(r"已解决|已经解决|解决了|已办好|已经办好|办好了|已修好|已经修好|修好了|办结|搞定|已处理完|处理好了")
NOT_DONE_RE = re.compile(r"(没|未|尚未|还不|不能|没有)(能)?(解决|办好|修好|办结|搞定|处理好|处理完)")


def is_done(text: str) -> bool:
    return bool(DONE_RE.search(text)) and not NOT_DONE_RE.search(text)


def is_secretary(ctx: Context) -> bool:
    return ctx.sender is not None and ctx.sender.is_secretary


def _others(*userids: str | None, besides: set[str]) -> list[str]:
    """Distinct userids, keeping order, without ``besides`` and empties."""
    out: list[str] = []
    for u in userids:
        if u and u not in besides and u not in out:
            out.append(u)
    return out


class Acting(Protocol):
    """Who acts, when, in which transaction: a chat ``Context`` or the workbench's ``Ctx``."""

    session: AsyncSession
    now: datetime
    settings: Settings

    @property
    def userid(self) -> str: ...


async def secretaries(ctx: Context) -> list[str]:
    """The branch's active secretaries (cached with its routing: ``storage.deeds.routing``)."""
    return list((await deeds.routing_table(ctx.session)).secretaries)


# --- cards -----------------------------------------------------------------------


async def owner_card(ctx: Acting, item: Item, *, heading: str = "新诉求") -> Reply:
    sender = getattr(ctx, "sender", None)
    requester = sender if sender is not None and sender.userid == item.requester else \
        await people.get(ctx.session, item.requester)
    who = requester.label if requester and requester.team else await msg.name(ctx, item.requester)
    urgent = "【紧急】" if item.urgent else ""
    assert item.owner is not None
    n = item.number
    return button_card(
        item.owner,
        title=f"{urgent}{heading} #{n}（{msg.category(item)}）",
        desc=f"{who}：{item.title}\n请在1个工作日内接单，目标{msg.when(ctx, item.due_at, '%m月%d日')}前办好。",
        buttons=[("接单", DeedCard("accept", n).pack()), ("查看", DeedCard("view", n).pack())],
        fallback=(f"{urgent}【待接单】#{n} {who}反映：{item.text}\n"
                  f"请回复“接单 #{n}”确认跟进；有进展回复“#{n} 进展情况”，办好后回复“#{n} 已解决”。"),
        task_prefix=f"deed{n}", urgent=bool(item.urgent),
    )


async def confirm_card(ctx: Context, item: Item, note: str) -> Reply:
    owner = await msg.name(ctx, item.owner)
    n = item.number
    return button_card(
        item.requester,
        title=f"#{n} 已办好，请确认",
        desc=f"{item.title}\n{owner}：{note}"[:400],
        buttons=[("满意", DeedCard("ok", n).pack()), ("不满意", DeedCard("no", n).pack())],
        fallback=f"您反映的 #{n}「{item.title}」，{owner}反馈已办好：{note}\n请回复“满意”或“还没解决”。",
        task_prefix=f"deedok{n}",
    )


# --- new requests ----------------------------------------------------------------


async def request(ctx: Context, text: str, category: str, urgent: bool, *, whole: bool = False) -> Replies:
    """A new request. Several distinct problems in it: ask whether to register them apart (not when urgent,
    nor when ``whole``: the person said one item). One they already raised: ask whether it is the same."""
    parts = [] if urgent or whole else split_problems(text)
    if len(parts) > 1:
        return await ctx.fsm.ask(DeedStates.split, msg.split_prompt([summarise(p) for p in parts]),
                                 {"text": text, "parts": parts, "category": category})
    dup = await deeds.find_duplicate(ctx.session, ctx.userid, text, category)
    if dup is not None:
        return await ask_duplicate(ctx, dup, text, category, urgent)
    return await create(ctx, text, category, urgent)


async def create_apart(ctx: Context, parts: list[str], category: str) -> Replies:
    """The person said yes to "要分成 N 条登记吗？": one item per problem, each in the category its subject
    names (the whole message's otherwise); one reply lists them, each owner gets their card. A problem the
    person already raised (an open item of theirs as similar as the duplicate question asks about) is not
    registered twice: it is added to that item, as "是同一件事" would, and the reply says so."""
    lines, replies, created = [], [], set()
    for part in parts:
        part_category = category_hint(part) or category
        dup = await deeds.find_duplicate(ctx.session, ctx.userid, part, part_category)
        if dup is not None and dup.number not in created:  # two parts of this message are two problems
            await deeds.add_note(ctx.session, dup, now=ctx.now, actor=ctx.userid, note=part, kind=EventKind.MERGED)
            lines.append(f"「{summarise(part)}」您之前反映过，已补充到 #{dup.number}「{dup.title}」"
                         f"（{msg.status(dup)}，{await msg.name(ctx, dup.owner)} 负责）")
            replies.extend(await _supplemented(ctx, dup, part))
            continue
        item, owner = await _register(ctx, part, part_category, False)
        created.add(item.number)
        lines.append(f"#{item.number}「{item.title}」由 {await msg.name(ctx, owner)} 负责")
        if owner and owner != ctx.userid:
            replies.append(await owner_card(ctx, item))
    new = len(created)
    head = (f"已分成{new}条登记：" if new == len(parts) else
            f"{len(parts)}件事里新登记{new}条：" if new else f"这{len(parts)}件事您之前都反映过：")
    tail = ("\n负责人会在1个工作日内接单并与您联系。" if new else "\n") + "随时可以发“/我的事项”查询进度。"
    return [Text(content=head + "\n" + "\n".join(lines) + tail), *replies]


async def ask_duplicate(ctx: Context, dup: Item, text: str, category: str, urgent: bool) -> Replies:
    prompt = (f"您之前反映过 #{dup.number}「{dup.title}」（{msg.status(dup)}）。\n"
              f"是否与 #{dup.number} 是同一件事？回复 是/否")
    return await ctx.fsm.ask(DeedStates.dup, prompt,
                             {"number": dup.number, "text": text, "category": category, "urgent": urgent})


async def _pick_owner(ctx: Context, category: str) -> str | None:
    assert ctx.sender is not None
    routing = await deeds.routing_table(ctx.session)
    secs = list(routing.secretaries)
    for c in (routing.routes.get(category), ctx.sender.zone_member, *secs):
        if c and c != ctx.userid and (c in routing.known or await people.get(ctx.session, c) is not None):
            return c
    return secs[0] if secs else None


async def _register(ctx: Context, text: str, category: str, urgent: bool) -> tuple[Item, str | None]:
    """A new item and its owner, titled by what it is about (``bot.nlu.summary.title``), not its first characters."""
    assert ctx.sender is not None
    owner = await _pick_owner(ctx, category)
    item = await deeds.create(ctx.session, now=ctx.now, requester=ctx.userid, owner=owner, text=text,
                              category=category, urgent=urgent, team=ctx.sender.team, title=summarise(text))
    return item, owner


async def create(ctx: Context, text: str, category: str, urgent: bool) -> Replies:
    assert ctx.sender is not None
    item, owner = await _register(ctx, text, category, urgent)
    n = item.number
    owner_name = await msg.name(ctx, owner)
    due = msg.when(ctx, item.due_at, "%m月%d日")
    if owner == ctx.userid:
        nxt = f"请您直接跟进，目标{due}前办好。"
    else:
        nxt = (f"接下来：{owner_name}会在1个工作日内接单并与您联系，目标{due}前办好；"
               f"办好后会请您确认是否满意。随时可以发“#{n} 进度”查询。")
    replies: list[Reply] = [Text(content=f"已受理，编号 #{n}，由 {owner_name} 负责跟进。\n事项：{item.title}\n{nxt}")]
    if owner and owner != ctx.userid:
        replies.append(await owner_card(ctx, item))
    if urgent:
        for s in _others(*await secretaries(ctx), besides={ctx.userid, owner or ""}):
            replies.append(Text(to=s, content=(f"【紧急诉求】#{n} {ctx.sender.name}（{ctx.sender.team}）：{text}\n"
                                               f"已交给{owner_name}跟进。")))
    return replies


async def merge(ctx: Context, data: dict[str, Any]) -> Replies:
    """The person said it is the same matter: a note on the earlier item."""
    item = await deeds.get_deed(ctx.session, int(data["number"]))
    if item is None or item.status == DeedStatus.CLOSED or item.requester != ctx.userid:
        return await create(ctx, data["text"], data["category"], bool(data["urgent"]))
    await deeds.add_note(ctx.session, item, now=ctx.now, actor=ctx.userid, note=data["text"], kind=EventKind.MERGED)
    owner_name = await msg.name(ctx, item.owner)
    return [Text(content=f"好的，已把这次的情况补充到 #{item.number}，由 {owner_name} 继续跟进。"),
            *await _supplemented(ctx, item, data["text"])]


async def _supplemented(ctx: Context, item: Item, text: str) -> list[Reply]:
    """The owner told what the requester added to their item (nothing when the requester owns it)."""
    if not item.owner or item.owner == ctx.userid:
        return []
    return [Text(to=item.owner, content=f"#{item.number}「{item.title}」有补充情况，{await msg.name(ctx, ctx.userid)}：{text}")]


# --- the owner's work ------------------------------------------------------------


async def accept(ctx: Context, item: Item) -> Replies:
    n = item.number
    if item.owner != ctx.userid:
        hint = "如需改派请用“/指派 #N 账号”。" if is_secretary(ctx) else "如有疑问请联系支部书记。"
        return Text(content=f"#{n} 由{await msg.name(ctx, item.owner)}负责，只有负责人可以接单。{hint}")
    await deeds.accept(ctx.session, item, now=ctx.now, actor=ctx.userid)
    replies: list[Reply] = [Text(content=(f"已接单 #{n}「{item.title}」。有进展请回复“#{n} 进展情况”，"
                                          f"办好后回复“#{n} 已解决”，系统会请反映人确认。"))]
    if item.requester != ctx.userid:
        replies.append(Text(to=item.requester,
                            content=f"您反映的 #{n}「{item.title}」已由{await msg.name(ctx, ctx.userid)}接单，正在跟进。"))
    return replies


async def progress(ctx: Context, item: Item, text: str) -> Replies:
    n = item.number
    note = text.strip()
    if item.owner != ctx.userid and item.requester == ctx.userid and is_done(text):
        return await _requester_says_done(ctx, item, note)
    if item.owner != ctx.userid:
        return Text(content=f"#{n} 由{await msg.name(ctx, item.owner)}负责，进展请由负责人反馈。")
    if is_done(note):
        await deeds.resolve(ctx.session, item, now=ctx.now, actor=ctx.userid, note=note)
        requester = await msg.name(ctx, item.requester)
        replies: list[Reply] = [Text(content=f"已记录 #{n} 办好，已请{requester}确认是否满意。确认后才算销号。")]
        if item.requester != ctx.userid:
            replies.append(await confirm_card(ctx, item, note))
        return replies
    await deeds.progress(ctx.session, item, now=ctx.now, actor=ctx.userid, note=note)
    replies = [Text(content=f"已记录 #{n} 的进展，并告知了{await msg.name(ctx, item.requester)}。"
                            f"办好后请回复“#{n} 已解决”。")]
    if item.requester != ctx.userid:
        replies.append(Text(to=item.requester, content=(f"您反映的 #{n}「{item.title}」有新进展"
                                                        f"（{await msg.name(ctx, ctx.userid)}）：{note}")))
    return replies


async def _requester_says_done(ctx: Context, item: Item, note: str) -> Replies:
    """The requester reports their own item solved: that is their confirmation."""
    if item.status == DeedStatus.CLOSED:
        return Text(content=f"#{item.number} 已经办结了，谢谢！")
    return await feedback(ctx, item, "satisfied", note, resolving=True)


# --- the secretary's actions ----------------------------------------------------------


async def reassign(ctx: Acting, item: Item, account: str) -> list[Reply]:
    """``/指派 #N 账号``: give a deed to someone else; tell the new owner, the old one and the requester."""
    n = item.number
    lifecycle.check_item(Action.REASSIGN, item, ctx.userid)
    target = await people.find(ctx.session, account)
    if target is None:
        raise Refused(f"名册里没有账号“{account}”，请核对后再试。")
    if target.userid == item.owner:
        raise Refused(f"#{n} 本来就由{target.name}负责。")
    before = await deeds.reassign(ctx.session, item, now=ctx.now, actor=ctx.userid, owner=target.userid)
    replies: list[Reply] = [Text(content=f"已将 #{n} 改派给{target.name}，已通知本人。")]
    if target.userid != ctx.userid:
        replies.append(await owner_card(ctx, item, heading="改派给您"))
    if before and before not in (ctx.userid, target.userid):
        replies.append(Text(to=before, content=f"#{n}「{item.title}」已由支部书记改派给{target.name}，您不用再跟进了，谢谢！"))
    if item.requester not in (ctx.userid, target.userid):
        replies.append(Text(to=item.requester, content=f"您反映的 #{n}「{item.title}」改由{target.name}负责跟进。"))
    return replies


async def close_by_hand(ctx: Acting, item: Item, reason: str, *, how: str = "") -> list[Reply]:
    """``/关闭 #N 原因``: close a deed by hand with a written reason; tell the requester and the owner.
    ``how`` follows the refusal of a missing reason (the chat says how to write the command)."""
    n, reason = item.number, reason.strip(" ：:，,\n\t")
    lifecycle.check_item(Action.CLOSE, item, ctx.userid)  # refuses, in Chinese, what cannot be closed (and by whom)
    if len(reason) < 2:
        raise Refused(f"手工销号必须写明原因，没有关闭 #{n}。" + (f"\n{how}" if how else ""))
    await deeds.close_by_hand(ctx.session, item, now=ctx.now, actor=ctx.userid, reason=reason)
    replies: list[Reply] = [Text(content=f"已销号 #{n}，原因已记录：{reason}")]
    if item.requester != ctx.userid:
        replies.append(Text(to=item.requester,
                            content=f"您反映的 #{n}「{item.title}」已由支部书记销号，原因：{reason}\n"
                                    f"如果问题其实还没解决，请回复“#{n} 还没解决”。"))
    if item.owner and item.owner not in (ctx.userid, item.requester):
        replies.append(Text(to=item.owner, content=f"#{n}「{item.title}」已由支部书记销号，原因：{reason}"))
    return replies


# --- the requester's word ----------------------------------------------------------


async def feedback(ctx: Context, item: Item, polarity: str, text: str, *, resolving: bool = False) -> Replies:
    """The requester's word on their item; ``resolving``: they say it is solved (before the owner did)."""
    n = item.number
    if item.requester != ctx.userid:
        return Text(content=f"#{n} 的办理结果只能由反映人本人确认，这次没有改变事项状态。")
    owner_name = await msg.name(ctx, item.owner)
    note = text.strip()
    if polarity == "satisfied":
        await deeds.confirm(ctx.session, item, now=ctx.now, actor=ctx.userid, note=note, resolving=resolving)
        replies: list[Reply] = [Text(content=f"谢谢您的确认！#{n}「{item.title}」已办结销号。")]
        if item.owner and item.owner != ctx.userid:
            replies.append(Text(to=item.owner,
                                content=f"{await msg.name(ctx, ctx.userid)}对 #{n} 表示满意，已办结销号。辛苦了！"))
        return replies
    requester = await msg.name(ctx, ctx.userid)
    if deeds.lifecycle.can(deeds.Action.REOPEN, item.status):
        await deeds.reopen(ctx.session, item, now=ctx.now, actor=ctx.userid, note=note)
        replies = [Text(content=f"抱歉没有办好。#{n} 已重新交给{owner_name}办理，并报告了支部书记。")]
        told = f"#{n}「{item.title}」反映人{requester}表示还没解决，已重新打开（第{item.reopen_count}次）。"
        if note:
            told += f"\n反映人说：{note}"
        for u in _others(item.owner, *await secretaries(ctx), besides={ctx.userid}):
            replies.append(Text(to=u, content=told))
        return replies
    await deeds.add_note(ctx.session, item, now=ctx.now, actor=ctx.userid, note=note, kind=EventKind.URGED)
    replies = [Text(content=f"收到，已把您的意见转告{owner_name}，请其抓紧办理 #{n}。")]
    if item.owner and item.owner != ctx.userid:
        replies.append(Text(to=item.owner, content=f"{requester}对 #{n}「{item.title}」的进度不满意：{note}"))
    return replies


# --- reading -----------------------------------------------------------------------


def entitled(ctx: Context, item: Item) -> bool:
    return ctx.userid in (item.requester, item.owner) or is_secretary(ctx)


async def show(ctx: Context, item: Item) -> Replies:
    n = item.number
    if not entitled(ctx, item):
        await audit.record(ctx.session, ctx.now, ctx.userid, "item_view_denied", "item", item.id, f"#{n}")
        return Text(content=f"无权查看 #{n}。")
    await audit.record(ctx.session, ctx.now, ctx.userid, "item_view", "item", item.id, f"#{n}")
    return Text(content=await msg.describe(ctx, item))


async def my_items(ctx: Context) -> Replies:
    mine = await deeds.list_items(ctx.session, requester=ctx.userid, limit=10)
    lines: list[str] = []
    if mine:
        lines.append("您反映的事项（最新在前）：")
        for i in mine:
            lines.append(f"#{i.number} {i.title} — {msg.status(i)}，负责人 {await msg.name(ctx, i.owner)}")
        lines.append("发“#编号 进度”可查看某件事的详细经过。")
    reported = await duty.reported_by(ctx.session, ctx.userid, limit=5)
    if reported:
        lines.append("您报告的突发事件：")
        lines += [f"#{i.number} {i.title} — {deeds.status_label(i.kind, i.status)}" for i in reported]
        lines.append("发“/事件 编号”可查看事件的处置经过。")
    owned = await deeds.open_for_owner(ctx.session, ctx.userid)
    if owned:
        lines.append("您负责跟进的事项：")
        for i in owned[:10]:
            lines.append(f"#{i.number} {i.title} — {msg.status(i)}")
    if not lines:
        return Text(content=msg.NO_ITEMS_YET)
    return Text(content="\n".join(lines))
