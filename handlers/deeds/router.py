"""办实事: requests become numbered items, followed by their owner until the requester confirms.

Precedence inside this router: open questions (``deeds.*`` states), card clicks
(``deed:*``), the slash commands owned here, "接单 #N" texts, then intents
(deed_request, progress_report, feedback, status_query).
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from bot import filters
from bot.cards import button_card
from bot.dispatcher import NOT_HANDLED, Context, Replies, Router
from bot.events import AppEvent
from bot.nlu import Intent
from bot.replies import Reply, Text
from storage import audit, conversations, deeds as items, people
from storage.deeds.models import Item, ItemEvent
from storage.people import RosterEntry

router = Router("deeds")

STATE_DUP = "deeds.dup"
STATE_WHICH = "deeds.which"

_REF = r"[#＃]\s*(\d{1,7})"
ACCEPT_RE = re.compile(
    rf"^\s*(?:我)?(?:接单|已接单|接了|收到)\s*[#＃]?\s*(\d{{1,7}})\s*[。.!！]?\s*$"
    rf"|^\s*{_REF}\s*(?:收到|收到了|好的收到|接单|已接单|我接了)\s*[。.!！]?\s*$"
)
DONE_RE = re.compile(r"已解决|已经解决|解决了|已办好|已经办好|办好了|已修好|已经修好|修好了|办结|搞定|已处理完|处理好了")
NOT_DONE_RE = re.compile(r"(没|未|尚未|还不|不能|没有)(能)?(解决|办好|修好|办结|搞定|处理好|处理完)")
YES_RE = re.compile(r"^\s*(是|是的|对|对的|嗯|是同一件|同一件|一样|一回事|是一件事)\s*[。.!！]?\s*$")
NO_RE = re.compile(r"^\s*(否|不是|不对|不是同一件|不一样|新的|另一件|另外一件|不是一回事)\s*[。.!！]?\s*$")
NUMBER_ANSWER = re.compile(r"^\s*第?\s*[#＃]?\s*(\d{1,7})\s*(?:号|件)?\s*[。.!！]?\s*$")

EVENT_CN = {
    "created": "提交",
    "accepted": "接单",
    "progress": "进展",
    "resolved": "办好",
    "confirmed": "确认满意，办结",
    "reopened": "不满意，重新办理",
    "closed_by_hand": "书记销号",
    "assigned": "改派",
    "note": "补充",
    "merged": "补充情况",
    "urged": "催办",
}

SECRETARY_ONLY = "“{cmd}”只有支部书记可以使用。您可以发“/我的事项”查看自己反映的事。"


# --- helpers -----------------------------------------------------------------------


def _slash(text: str) -> str:
    t = text.strip()
    return "/" + t[1:] if t.startswith("／") else t


async def _name(ctx: Context, userid: str | None) -> str:
    if not userid:
        return "支部"
    p = await people.get(ctx.session, userid)
    return p.name if p else userid


async def _secretaries(ctx: Context) -> list[RosterEntry]:
    return await people.by_role(ctx.session, "secretary")


def _local(ctx: Context, dt: datetime | None, fmt: str = "%m-%d %H:%M") -> str:
    return dt.astimezone(ctx.settings.tz).strftime(fmt) if dt else "—"


def _age(ctx: Context, since: datetime) -> str:
    delta = ctx.now - since
    days = delta.days
    if days >= 1:
        return f"{days}天"
    return f"{max(int(delta.total_seconds() // 3600), 0)}小时"


async def _find_person(ctx: Context, account: str) -> RosterEntry | None:
    """A roster entry by userid or, failing that, by exact name."""
    p = await people.get(ctx.session, account)
    if p is not None:
        return p
    matches = [e for e in await people.all_people(ctx.session) if e.name == account]
    return matches[0] if len(matches) == 1 else None


async def _deed(ctx: Context, n: int) -> Item | None:
    item = await items.get_by_number(ctx.session, n)
    return item if item is not None and item.kind == "deed" else None


def _not_found(n: int) -> Text:
    return Text(content=f"没有找到编号 #{n} 的事项，请核对编号。发“/我的事项”可以查看您反映过的事。")


async def _missing(ctx: Context, n: int) -> Replies:
    """No deed #n: NOT_HANDLED when #n is another kind of item (an incident), else say so."""
    if await items.get_by_number(ctx.session, n) is not None:
        return NOT_HANDLED
    return _not_found(n)


def _is_secretary(ctx: Context) -> bool:
    return ctx.sender is not None and ctx.sender.role == "secretary"


def _entitled(ctx: Context, item: Item) -> bool:
    return ctx.userid in (item.requester, item.owner) or _is_secretary(ctx)


def _is_done(text: str) -> bool:
    return bool(DONE_RE.search(text)) and not NOT_DONE_RE.search(text)


async def _owner_card(ctx: Context, item: Item, *, heading: str = "新诉求") -> Reply:
    requester = await people.get(ctx.session, item.requester)
    who = f"{requester.name}（{requester.team}）" if requester and requester.team else await _name(ctx, item.requester)
    urgent = "【紧急】" if item.urgent else ""
    due = _local(ctx, item.due_at, "%m月%d日")
    assert item.owner is not None
    return button_card(
        item.owner,
        title=f"{urgent}{heading} #{item.number}（{items.CATEGORY_CN.get(item.category, '其他')}）",
        desc=f"{who}：{item.title}\n请在1个工作日内接单，目标{due}前办好。",
        buttons=[("接单", f"deed:accept:{item.number}"), ("查看", f"deed:view:{item.number}")],
        fallback=(f"{urgent}【待接单】#{item.number} {who}反映：{item.text}\n"
                  f"请回复“接单 #{item.number}”确认跟进；有进展回复“#{item.number} 进展情况”，"
                  f"办好后回复“#{item.number} 已解决”。"),
        task_prefix=f"deed{item.number}",
    )


async def _confirm_card(ctx: Context, item: Item, note: str) -> Reply:
    owner = await _name(ctx, item.owner)
    return button_card(
        item.requester,
        title=f"#{item.number} 已办好，请确认",
        desc=f"{item.title}\n{owner}：{note}"[:400],
        buttons=[("满意", f"deed:ok:{item.number}"), ("不满意", f"deed:no:{item.number}")],
        fallback=(f"您反映的 #{item.number}「{item.title}」，{owner}反馈已办好：{note}\n"
                  f"请回复“满意”或“还没解决”。"),
        task_prefix=f"deedok{item.number}",
    )


def _others(*userids: str | None, besides: set[str]) -> list[str]:
    """Distinct userids, keeping order, without ``besides`` and empties."""
    out: list[str] = []
    for u in userids:
        if u and u not in besides and u not in out:
            out.append(u)
    return out


# --- open questions ----------------------------------------------------------------


@router.route(filters.known, filters.text)
async def pending_question(ctx: Context) -> Replies:
    """Answers to "是否同一件事？" and "你说的是哪一件？"."""
    state = ctx.state
    if state is None or state.expired or not state.kind.startswith("deeds."):
        return NOT_HANDLED
    text = ctx.text
    if state.kind == STATE_DUP:
        if YES_RE.match(text):
            await conversations.clear(ctx.session, ctx.userid)
            return await _merge(ctx, state.data)
        if NO_RE.match(text):
            await conversations.clear(ctx.session, ctx.userid)
            return await _create(ctx, state.data["text"], state.data["category"], bool(state.data["urgent"]))
    elif state.kind == STATE_WHICH:
        m = NUMBER_ANSWER.match(text)
        if m:
            n = int(m.group(1))
            numbers = [int(x) for x in state.data.get("numbers", [])]
            if n not in numbers:
                return Text(content="请回复下面其中一个编号：" + "、".join(f"#{x}" for x in numbers))
            await conversations.clear(ctx.session, ctx.userid)
            item = await _deed(ctx, n)
            if item is None:
                return _not_found(n)
            if state.data.get("purpose") == "feedback":
                return await _apply_feedback(ctx, item, state.data["polarity"], state.data.get("text", ""))
            return await _apply_progress(ctx, item, state.data.get("text", ""))
    # Something else: drop the question and treat the message on its own.
    await conversations.clear(ctx.session, ctx.userid)
    ctx.state = None
    return NOT_HANDLED


# --- card clicks ---------------------------------------------------------------------

CARD_KEY = re.compile(r"^deed:(accept|view|ok|no):(\d{1,7})$")


@router.route(filters.known, filters.card("deed:"))
async def card_click(ctx: Context) -> Replies:
    assert isinstance(ctx.event, AppEvent)
    key = ctx.event.event_key
    m = CARD_KEY.match(key)
    if not m:
        return Text(content="这个按钮已失效，请直接回复文字，例如“#12 进度”。")
    action, n = m.group(1), int(m.group(2))
    item = await _deed(ctx, n)
    if item is None:
        return await _missing(ctx, n)
    if action == "accept":
        return await _accept(ctx, item)
    if action == "view":
        return await _show(ctx, item)
    if ctx.userid != item.requester:
        return Text(content=f"谢谢！不过 #{n} 的办理结果只能由反映人本人确认，您的点击没有改变事项状态。")
    return await _apply_feedback(ctx, item, "satisfied" if action == "ok" else "unsatisfied", "")


# --- slash commands ------------------------------------------------------------------

COMMANDS = ("/待办", "/逾期", "/指派", "/关闭", "/路由", "/我的事项")
SECRETARY_COMMANDS = ("/待办", "/逾期", "/指派", "/关闭", "/路由")
COMMAND_RE = re.compile(r"^(/待办|/逾期|/指派|/关闭|/路由|/我的事项)(?=$|[\s#＃\d])")


@router.route(filters.known, filters.text)
async def command(ctx: Context) -> Replies:
    text = _slash(ctx.text)
    if not text.startswith("/"):
        return NOT_HANDLED
    m = COMMAND_RE.match(text)
    if m is None:
        return NOT_HANDLED
    head = m.group(1)
    rest = text[len(head):].strip()
    if head == "/我的事项":
        return await _my_items(ctx)
    if head in SECRETARY_COMMANDS and not _is_secretary(ctx):
        return Text(content=SECRETARY_ONLY.format(cmd=head))
    if head == "/待办":
        return await _open_board(ctx)
    if head == "/逾期":
        return await _overdue_board(ctx)
    if head == "/指派":
        return await _reassign(ctx, rest)
    if head == "/关闭":
        return await _close(ctx, rest)
    return await _routing(ctx, rest)


async def _open_board(ctx: Context) -> Replies:
    active = await items.list_items(ctx.session, status=items.ACTIVE, limit=200)
    if not active:
        return Text(content="目前没有未办结的事项。")
    lines = [f"未办结事项共 {len(active)} 件："]
    for status in ("submitted", "reopened", "accepted", "in_progress", "resolved"):
        group = sorted((i for i in active if i.status == status), key=lambda i: i.number)
        if not group:
            continue
        lines.append(f"【{items.STATUS_CN[status]}】{len(group)} 件")
        for i in group:
            flag = "（急）" if i.urgent else ""
            lines.append(f"#{i.number}{flag} {i.title} — {await _name(ctx, i.owner)}，已{_age(ctx, i.created_at)}")
    return Text(content="\n".join(lines))


async def _overdue_board(ctx: Context) -> Replies:
    late = await items.overdue(ctx.session, ctx.now)
    if not late:
        return Text(content="目前没有逾期事项。")
    lines = [f"逾期事项 {len(late)} 件："]
    for i in late:
        if i.due_at is not None and i.due_at < ctx.now:
            why = f"超过办结时限{_age(ctx, i.due_at)}（时限 {_local(ctx, i.due_at, '%m-%d')}）"
        else:
            why = f"提交{_age(ctx, i.created_at)}仍未接单"
        lines.append(f"#{i.number} {i.title} — {await _name(ctx, i.owner)}，"
                     f"{items.STATUS_CN.get(i.status, i.status)}，{why}")
    return Text(content="\n".join(lines))


async def _reassign(ctx: Context, rest: str) -> Replies:
    m = re.match(rf"^[#＃]?\s*(\d{{1,7}})\s+(\S+)\s*$", rest)
    if not m:
        return Text(content="用法：/指派 #N 账号，例如“/指派 #12 zhouli”。")
    n, account = int(m.group(1)), m.group(2)
    item = await _deed(ctx, n)
    if item is None:
        return await _not_a_deed(ctx, n)
    if item.status == "closed":
        return Text(content=f"#{n} 已办结，不能再改派。")
    target = await _find_person(ctx, account)
    if target is None:
        return Text(content=f"名册里没有账号“{account}”，请核对后再试。")
    if target.userid == item.owner:
        return Text(content=f"#{n} 本来就由{target.name}负责。")
    before = await items.reassign(ctx.session, item, now=ctx.now, actor=ctx.userid, owner=target.userid)
    replies: list[Reply] = [Text(content=f"已将 #{n} 改派给{target.name}，已通知本人。")]
    if target.userid != ctx.userid:
        replies.append(await _owner_card(ctx, item, heading="改派给您"))
    if before and before not in (ctx.userid, target.userid):
        replies.append(Text(to=before, content=f"#{n}「{item.title}」已由支部书记改派给{target.name}，您不用再跟进了，谢谢！"))
    if item.requester not in (ctx.userid, target.userid):
        replies.append(Text(to=item.requester, content=f"您反映的 #{n}「{item.title}」改由{target.name}负责跟进。"))
    return replies


async def _close(ctx: Context, rest: str) -> Replies:
    m = re.match(rf"^[#＃]?\s*(\d{{1,7}})\s*(.*)$", rest, re.S)
    if not m:
        return Text(content="用法：/关闭 #N 原因，例如“/关闭 #12 已当面沟通，本人同意销号”。")
    n, reason = int(m.group(1)), m.group(2).strip(" ：:，,")
    item = await _deed(ctx, n)
    if item is None:
        return await _not_a_deed(ctx, n)
    if item.status == "closed":
        return Text(content=f"#{n} 已经办结了。")
    if len(reason) < 2:
        return Text(content=(f"手工销号必须写明原因，没有关闭 #{n}。\n"
                             f"请这样发：/关闭 #{n} 原因，例如“/关闭 #{n} 已当面沟通，本人同意销号”。"))
    await items.close_by_hand(ctx.session, item, now=ctx.now, actor=ctx.userid, reason=reason)
    replies: list[Reply] = [Text(content=f"已销号 #{n}，原因已记录：{reason}")]
    if item.requester != ctx.userid:
        replies.append(Text(to=item.requester,
                            content=f"您反映的 #{n}「{item.title}」已由支部书记销号，原因：{reason}\n"
                                    f"如果问题其实还没解决，请回复“#{n} 还没解决”。"))
    if item.owner and item.owner not in (ctx.userid, item.requester):
        replies.append(Text(to=item.owner, content=f"#{n}「{item.title}」已由支部书记销号，原因：{reason}"))
    return replies


async def _routing(ctx: Context, rest: str) -> Replies:
    if not rest:
        table = await items.routes(ctx.session)
        lines = ["诉求分派规则（未设置的类别交给反映人所在责任区的党员，没有责任区的交给支部书记）："]
        for cat, cn in items.CATEGORY_CN.items():
            owner = table.get(cat)
            lines.append(f"{cn}（{cat}）：{await _name(ctx, owner) if owner else '按责任区'}")
        lines.append("修改：/路由 类别 账号，例如“/路由 食堂 zhouli”；恢复默认：/路由 食堂 默认")
        return Text(content="\n".join(lines))
    parts = rest.split()
    valid = "、".join(items.CATEGORY_CN.values())
    if len(parts) != 2:
        return Text(content=f"用法：/路由 类别 账号，例如“/路由 食堂 zhouli”。类别：{valid}")
    category = items.category_of(parts[0])
    if category is None:
        return Text(content=f"没有“{parts[0]}”这个类别。可用类别：{valid}")
    cn = items.CATEGORY_CN[category]
    if parts[1] in ("默认", "删除", "无", "取消"):
        await items.set_route(ctx.session, category, None, now=ctx.now, actor=ctx.userid)
        return Text(content=f"已恢复默认：{cn}类诉求交给反映人所在责任区的党员。")
    target = await _find_person(ctx, parts[1])
    if target is None:
        return Text(content=f"名册里没有账号“{parts[1]}”，请核对后再试。")
    await items.set_route(ctx.session, category, target.userid, now=ctx.now, actor=ctx.userid)
    return Text(content=f"已设置：今后{cn}类诉求交给{target.name}（{target.userid}）跟进。")


# --- "接单 #N" ----------------------------------------------------------------------


@router.route(filters.known, filters.text)
async def accept_text(ctx: Context) -> Replies:
    m = ACCEPT_RE.match(ctx.text)
    if not m:
        return NOT_HANDLED
    n = int(m.group(1) or m.group(2))
    item = await _deed(ctx, n)
    if item is None:
        return await _missing(ctx, n)
    return await _accept(ctx, item)


async def _accept(ctx: Context, item: Item) -> Replies:
    n = item.number
    if item.owner != ctx.userid:
        hint = "如需改派请用“/指派 #N 账号”。" if _is_secretary(ctx) else "如有疑问请联系支部书记。"
        return Text(content=f"#{n} 由{await _name(ctx, item.owner)}负责，只有负责人可以接单。{hint}")
    if item.status == "closed":
        return Text(content=f"#{n} 已经办结了，不用再接单。")
    if not await items.accept(ctx.session, item, now=ctx.now, actor=ctx.userid):
        return Text(content=f"#{n} 您已经接过了，当前状态：{items.STATUS_CN.get(item.status, item.status)}。")
    replies: list[Reply] = [Text(content=(f"已接单 #{n}「{item.title}」。有进展请回复“#{n} 进展情况”，"
                                          f"办好后回复“#{n} 已解决”，系统会请反映人确认。"))]
    if item.requester != ctx.userid:
        replies.append(Text(to=item.requester,
                            content=f"您反映的 #{n}「{item.title}」已由{await _name(ctx, ctx.userid)}接单，正在跟进。"))
    return replies


# --- intents -------------------------------------------------------------------------


@router.route(filters.known, filters.text)
async def by_intent(ctx: Context) -> Replies:
    parse = ctx.parse
    if parse is None:
        return NOT_HANDLED
    if parse.intent == Intent.DEED_REQUEST:
        return await _request(ctx)
    if parse.intent == Intent.PROGRESS_REPORT:
        return await _progress(ctx)
    if parse.intent == Intent.FEEDBACK:
        return await _feedback(ctx)
    if parse.intent == Intent.STATUS_QUERY:
        return await _status(ctx)
    if parse.ref is not None and _is_done(ctx.text):  # "#N 已解决" read as something else
        item = await _deed(ctx, parse.ref)
        if item is not None and item.owner == ctx.userid:
            return await _apply_progress(ctx, item, ctx.text)
    return NOT_HANDLED


# deed_request -----------------------------------------------------------------------


async def _request(ctx: Context) -> Replies:
    assert ctx.parse is not None
    text = ctx.text.strip()
    category = ctx.parse.category if ctx.parse.category in items.CATEGORY_CN else "other"
    urgent = bool(ctx.parse.urgent)
    dup = await items.find_duplicate(ctx.session, ctx.userid, text, category)
    if dup is not None:
        return await _ask_duplicate(ctx, dup, text, category, urgent)
    return await _create(ctx, text, category, urgent)


async def _ask_duplicate(ctx: Context, dup: Item, text: str, category: str, urgent: bool) -> Replies:
    await conversations.put(ctx.session, ctx.userid, STATE_DUP,
                            {"number": dup.number, "text": text, "category": category, "urgent": urgent}, ctx.now)
    return Text(content=(f"您之前反映过 #{dup.number}「{dup.title}」"
                         f"（{items.STATUS_CN.get(dup.status, dup.status)}）。\n"
                         f"是否与 #{dup.number} 是同一件事？回复 是/否"))


async def _pick_owner(ctx: Context, category: str) -> str | None:
    assert ctx.sender is not None
    secretaries = [s.userid for s in await _secretaries(ctx)]
    candidates = [await items.route_for(ctx.session, category), ctx.sender.zone_member, *secretaries]
    for c in candidates:
        if c and c != ctx.userid and await people.get(ctx.session, c) is not None:
            return c
    return secretaries[0] if secretaries else None


async def _create(ctx: Context, text: str, category: str, urgent: bool) -> Replies:
    assert ctx.sender is not None
    owner = await _pick_owner(ctx, category)
    item = await items.create(ctx.session, now=ctx.now, requester=ctx.userid, owner=owner, text=text,
                              category=category, urgent=urgent, team=ctx.sender.team)
    n = item.number
    owner_name = await _name(ctx, owner) if owner else "支部"
    due = _local(ctx, item.due_at, "%m月%d日")
    if owner == ctx.userid:
        nxt = f"请您直接跟进，目标{due}前办好。"
    else:
        nxt = (f"接下来：{owner_name}会在1个工作日内接单并与您联系，目标{due}前办好；"
               f"办好后会请您确认是否满意。随时可以发“#{n} 进度”查询。")
    replies: list[Reply] = [Text(content=f"已受理，编号 #{n}，由 {owner_name} 负责跟进。\n{nxt}")]
    if owner and owner != ctx.userid:
        replies.append(await _owner_card(ctx, item))
    if urgent:
        for s in _others(*[s.userid for s in await _secretaries(ctx)], besides={ctx.userid, owner or ""}):
            replies.append(Text(to=s, content=(f"【紧急诉求】#{n} {ctx.sender.name}（{ctx.sender.team}）：{text}\n"
                                               f"已交给{owner_name}跟进。")))
    return replies


async def _merge(ctx: Context, data: dict[str, Any]) -> Replies:
    item = await _deed(ctx, int(data["number"]))
    if item is None or item.status == "closed" or item.requester != ctx.userid:
        return await _create(ctx, data["text"], data["category"], bool(data["urgent"]))
    await items.add_note(ctx.session, item, now=ctx.now, actor=ctx.userid, note=data["text"], kind="merged")
    owner_name = await _name(ctx, item.owner)
    replies: list[Reply] = [Text(content=f"好的，已把这次的情况补充到 #{item.number}，由 {owner_name} 继续跟进。")]
    if item.owner and item.owner != ctx.userid:
        replies.append(Text(to=item.owner, content=(f"#{item.number}「{item.title}」有补充情况，"
                                                    f"{await _name(ctx, ctx.userid)}：{data['text']}")))
    return replies


# progress_report --------------------------------------------------------------------


async def _progress(ctx: Context) -> Replies:
    assert ctx.parse is not None
    if ctx.parse.ref is not None:
        item = await _deed(ctx, ctx.parse.ref)
        if item is None:
            return await _missing(ctx, ctx.parse.ref)
        return await _apply_progress(ctx, item, ctx.text)
    mine = await items.open_for_owner(ctx.session, ctx.userid)
    if not mine:
        return Text(content=("没找到你负责的、正在办理的事项。要报告某件事的进展，请带上编号，"
                             "例如“#12 已联系后勤，周五前修好”；如果是反映新问题，请直接把问题说清楚。"))
    if len(mine) == 1:
        return await _apply_progress(ctx, mine[0], ctx.text)
    await conversations.put(ctx.session, ctx.userid, STATE_WHICH,
                            {"purpose": "progress", "text": ctx.text, "numbers": [i.number for i in mine]}, ctx.now)
    options = "/".join(f"#{i.number} {i.title}" for i in mine[:10])
    return Text(content=f"你说的是哪一件？{options}\n请回复编号，例如“#{mine[0].number}”。")


async def _apply_progress(ctx: Context, item: Item, text: str) -> Replies:
    n = item.number
    if item.owner != ctx.userid and item.requester == ctx.userid and _is_done(text):
        return await _requester_says_done(ctx, item, text.strip())
    if item.owner != ctx.userid:
        return Text(content=f"#{n} 由{await _name(ctx, item.owner)}负责，进展请由负责人反馈。")
    if item.status == "closed":
        return Text(content=f"#{n} 已经办结了。")
    if item.status == "resolved":
        return Text(content=f"#{n} 已报办好，正在等反映人确认。")
    note = text.strip()
    if _is_done(note):
        await items.resolve(ctx.session, item, now=ctx.now, actor=ctx.userid, note=note)
        requester = await _name(ctx, item.requester)
        replies: list[Reply] = [Text(content=f"已记录 #{n} 办好，已请{requester}确认是否满意。确认后才算销号。")]
        if item.requester != ctx.userid:
            replies.append(await _confirm_card(ctx, item, note))
        return replies
    await items.progress(ctx.session, item, now=ctx.now, actor=ctx.userid, note=note)
    replies = [Text(content=f"已记录 #{n} 的进展，并告知了{await _name(ctx, item.requester)}。办好后请回复“#{n} 已解决”。")]
    if item.requester != ctx.userid:
        replies.append(Text(to=item.requester, content=(f"您反映的 #{n}「{item.title}」有新进展"
                                                        f"（{await _name(ctx, ctx.userid)}）：{note}")))
    return replies


async def _requester_says_done(ctx: Context, item: Item, note: str) -> Replies:
    """The requester reports their own item solved: that is their confirmation."""
    n = item.number
    if item.status == "closed":
        return Text(content=f"#{n} 已经办结了，谢谢！")
    if item.status != "resolved":
        await items.resolve(ctx.session, item, now=ctx.now, actor=ctx.userid, note=note)
    return await _apply_feedback(ctx, item, "satisfied", note)


# feedback ---------------------------------------------------------------------------


async def _feedback(ctx: Context) -> Replies:
    assert ctx.parse is not None
    polarity = ctx.parse.polarity
    if polarity not in ("satisfied", "unsatisfied"):
        return NOT_HANDLED
    if ctx.parse.ref is not None:
        item = await _deed(ctx, ctx.parse.ref)
        if item is None:
            return await _missing(ctx, ctx.parse.ref)
        if item.requester != ctx.userid:
            return Text(content=(f"谢谢反馈！不过 #{item.number} 的办理结果只能由反映人本人确认，"
                                 f"这条反馈没有改变事项状态。"))
        return await _apply_feedback(ctx, item, polarity, ctx.text)
    waiting = await items.awaiting_confirmation(ctx.session, ctx.userid)
    if len(waiting) == 1:
        return await _apply_feedback(ctx, waiting[0], polarity, ctx.text)
    if len(waiting) > 1:
        await conversations.put(ctx.session, ctx.userid, STATE_WHICH,
                                {"purpose": "feedback", "polarity": polarity, "text": ctx.text,
                                 "numbers": [i.number for i in waiting]}, ctx.now)
        options = "/".join(f"#{i.number} {i.title}" for i in waiting[:10])
        return Text(content=f"你说的是哪一件？{options}\n请回复编号，例如“#{waiting[0].number}”。")
    if not await items.list_items(ctx.session, requester=ctx.userid, limit=1):
        return NOT_HANDLED
    if polarity == "unsatisfied":  # "食堂晚班还是没有热饭": about one of their open items?
        category = ctx.parse.category if ctx.parse.category in items.CATEGORY_CN else "other"
        text = ctx.text.strip()
        dup = await items.find_duplicate(ctx.session, ctx.userid, text, category)
        if dup is not None:
            return await _ask_duplicate(ctx, dup, text, dup.category if category == "other" else category,
                                        bool(ctx.parse.urgent))
    return Text(content=("目前没有等您确认的事项。要评价某件事请带上编号，例如“#12 满意”或“#12 还没解决”；"
                         "发“/我的事项”可以查看进度。"))


async def _apply_feedback(ctx: Context, item: Item, polarity: str, text: str) -> Replies:
    n = item.number
    if item.requester != ctx.userid:
        return Text(content=f"#{n} 的办理结果只能由反映人本人确认，这次没有改变事项状态。")
    owner_name = await _name(ctx, item.owner)
    note = text.strip()
    if polarity == "satisfied":
        if item.status == "closed":
            return Text(content=f"#{n} 已经办结了，谢谢您的认可！")
        if item.status != "resolved":
            return Text(content=f"#{n} 还在办理中（{items.STATUS_CN.get(item.status, item.status)}），"
                                f"{owner_name}办好后会请您确认。")
        await items.confirm(ctx.session, item, now=ctx.now, actor=ctx.userid, note=note)
        replies: list[Reply] = [Text(content=f"谢谢您的确认！#{n}「{item.title}」已办结销号。")]
        if item.owner and item.owner != ctx.userid:
            replies.append(Text(to=item.owner, content=f"{await _name(ctx, ctx.userid)}对 #{n} 表示满意，已办结销号。辛苦了！"))
        return replies
    requester = await _name(ctx, ctx.userid)
    if item.status in ("resolved", "closed"):
        await items.reopen(ctx.session, item, now=ctx.now, actor=ctx.userid, note=note)
        replies = [Text(content=f"抱歉没有办好。#{n} 已重新交给{owner_name}办理，并报告了支部书记。")]
        msg = f"#{n}「{item.title}」反映人{requester}表示还没解决，已重新打开（第{item.reopen_count}次）。"
        if note:
            msg += f"\n反映人说：{note}"
        for u in _others(item.owner, *[s.userid for s in await _secretaries(ctx)], besides={ctx.userid}):
            replies.append(Text(to=u, content=msg))
        return replies
    await items.add_note(ctx.session, item, now=ctx.now, actor=ctx.userid, note=note, kind="urged")
    replies = [Text(content=f"收到，已把您的意见转告{owner_name}，请其抓紧办理 #{n}。")]
    if item.owner and item.owner != ctx.userid:
        replies.append(Text(to=item.owner, content=f"{requester}对 #{n}「{item.title}」的进度不满意：{note}"))
    return replies


# status_query -----------------------------------------------------------------------


async def _status(ctx: Context) -> Replies:
    assert ctx.parse is not None
    if ctx.parse.ref is None:
        return await _my_items(ctx)
    item = await _deed(ctx, ctx.parse.ref)
    if item is None:
        return await _missing(ctx, ctx.parse.ref)
    return await _show(ctx, item)


async def _my_items(ctx: Context) -> Replies:
    mine = await items.list_items(ctx.session, requester=ctx.userid, limit=10)
    lines: list[str] = []
    if mine:
        lines.append("您反映的事项（最新在前）：")
        for i in mine:
            lines.append(f"#{i.number} {i.title} — {items.STATUS_CN.get(i.status, i.status)}，"
                         f"负责人 {await _name(ctx, i.owner)}")
        lines.append("发“#编号 进度”可查看某件事的详细经过。")
    owned = await items.open_for_owner(ctx.session, ctx.userid)
    if owned:
        lines.append("您负责跟进的事项：")
        for i in owned[:10]:
            lines.append(f"#{i.number} {i.title} — {items.STATUS_CN.get(i.status, i.status)}")
    if not lines:
        return Text(content="您还没有反映过事项。有问题或建议，直接用一句话告诉我就行，例如“食堂晚班没有热饭”。")
    return Text(content="\n".join(lines))


async def _show(ctx: Context, item: Item) -> Replies:
    n = item.number
    if not _entitled(ctx, item):
        await audit.record(ctx.session, ctx.now, ctx.userid, "item_view_denied", "item", item.id, f"#{n}")
        return Text(content=f"无权查看 #{n}。")
    await audit.record(ctx.session, ctx.now, ctx.userid, "item_view", "item", item.id, f"#{n}")
    events = await items.history(ctx.session, item.id)
    lines = [
        f"#{n} {item.title}" + ("（紧急）" if item.urgent else ""),
        f"状态：{items.STATUS_CN.get(item.status, item.status)}；类别：{items.CATEGORY_CN.get(item.category, '其他')}",
        f"反映人：{await _name(ctx, item.requester)}；负责人：{await _name(ctx, item.owner)}",
        f"提交：{_local(ctx, item.created_at)}；目标办结：{_local(ctx, item.due_at, '%m-%d')}",
    ]
    if item.close_reason:
        lines.append(f"销号原因：{item.close_reason}")
    lines.append("经过：")
    for e in events:
        lines.append(await _event_line(ctx, e))
    return Text(content="\n".join(lines))


async def _event_line(ctx: Context, e: ItemEvent) -> str:
    what = EVENT_CN.get(e.kind, e.kind)
    line = f"{_local(ctx, e.at)} {await _name(ctx, e.actor)} {what}"
    if e.kind == "assigned":
        before, _, after = e.note.partition("->")
        return f"{line}：{await _name(ctx, before or None)} → {await _name(ctx, after)}"
    if e.kind not in ("created",) and e.note:
        line += f"：{e.note[:60]}"
    return line
