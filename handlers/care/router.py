"""精密关注: care needs (with consent), tips about colleagues, visits, the ledger, /我的, /覆盖.

Precedence inside this router: open questions ``care.*`` first, then card events ``care:*``,
then the slash commands (/台账 /覆盖 /我的 /结案) and the tip text fallback (登记 T{n}),
then the intents ``care_need`` and ``visit_report``. Anything else is NOT_HANDLED.

Pending tips live in ``care_entries`` with ``status='proposed'`` (see ``storage.care``);
``T{n}`` is the entry id.

Privacy: employees never see ledger entries (only confirmations); members see only the
entries they are responsible for; the secretary sees all. Every view of a sensitive entry
is audited. State changes are audited by ``storage.care``.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable, Sequence
from datetime import date, timedelta
from typing import Any

from bot import filters
from bot.cards import button_card
from bot.dispatcher import NOT_HANDLED, Context, Replies, Router
from bot.events import AppEvent
from bot.logsafe import pseudo
from bot.nlu import Intent
from bot.replies import Reply, Text
from storage import care, conversations, people
from storage.care.coverage import coverage
from storage.care.models import CareEntry, VisitTask
from storage.people.models import Person

log = logging.getLogger(__name__)

router = Router("care")

STAFF = ("member", "secretary")
YES = {"是", "是的", "好", "好的", "要", "对", "确认", "可以", "同意", "嗯", "行", "登记", "需要"}
NO = {"否", "不", "不是", "不用", "不要", "不了", "算了", "取消", "不需要", "不登记", "不用了"}
TIP_REPLY = re.compile(r"^\s*(不登记|登记)\s*[Tt]\s*(\d+)\s*$")
PAST_DAY = (("大前天", 3), ("前天", 2), ("昨天", 1), ("昨晚", 1), ("昨日", 1))
WEEKDAYS = "一二三四五六日"
CN_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
TIP_TTL = timedelta(days=1)
ITEM_STATUS = {"submitted": "已提交", "accepted": "已受理", "in_progress": "办理中", "resolved": "已办结待评价",
               "reopened": "重新办理", "open": "待处理", "acknowledged": "已响应"}

CONFIDENTIAL = "此信息仅你和支部书记可见，请注意保密。"


# --- small helpers --------------------------------------------------------------


def fmt_day(day: date) -> str:
    """``2026-12-01（周二）``."""
    return f"{day.isoformat()}（周{WEEKDAYS[day.weekday()]}）"


def _answer(text: str) -> str:
    return text.strip().rstrip("。.!！~～ ").strip()


def _is_staff(ctx: Context) -> bool:
    return ctx.sender is not None and ctx.sender.role in STAFF


def _is_secretary(ctx: Context) -> bool:
    return ctx.sender is not None and ctx.sender.role == "secretary"


def _command(ctx: Context) -> tuple[str, str] | None:
    """``("/台账", "rest")`` for a slash command, else None."""
    text = ctx.text.strip()
    if not text.startswith(("/", "／")):
        return None
    head, _, rest = text[1:].partition(" ")
    return "/" + head.strip(), rest.strip()


def _visited_on(text: str, today: date) -> date:
    """Today, unless the text says 昨天/前天/大前天."""
    for word, days in PAST_DAY:
        if word in text:
            return today - timedelta(days=days)
    return today


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def _day(value: Any) -> date | None:
    return date.fromisoformat(value) if value else None


def _who(person: Person | None, userid: str) -> str:
    return person.name if person is not None else userid


async def _name(ctx: Context, userid: str) -> str:
    entry = await people.get(ctx.session, userid)
    return entry.name if entry else userid


# --- "which one?" (reusable: the idea can be copied by other domains) ---------------------

Continuation = Callable[[Context, str, dict[str, Any]], Awaitable[Replies]]
CONTINUATIONS: dict[str, Continuation] = {}


def continuation(name: str) -> Callable[[Continuation], Continuation]:
    """Register what to do once the person has said which candidate they meant."""
    def register(fn: Continuation) -> Continuation:
        CONTINUATIONS[name] = fn
        return fn
    return register


async def ask_which(ctx: Context, candidates: Sequence[str], *, then: str, data: dict[str, Any]) -> Reply:
    """Ask which of several people with the same name was meant (state ``care.which``).

    Args:
        ctx: the event.
        candidates: userids, in the order to offer them.
        then: the name of a registered continuation, called with the chosen userid and ``data``.
        data: JSON-able payload for the continuation.
    """
    found = await care.names(ctx.session, candidates)
    ordered = [u for u in candidates if u in found]
    options = " ".join(f"{i}. {found[u].name}（{found[u].team or '未分班组'}）" for i, u in enumerate(ordered, 1))
    await conversations.put(ctx.session, ctx.userid, "care.which",
                            {"candidates": ordered, "then": then, "data": data}, ctx.now)
    return Text(content=f"你说的是哪一位？{options}\n回复序号即可。")


def _choice(text: str, candidates: Sequence[str]) -> str | None:
    answer = _answer(text)
    if answer.startswith("第"):
        answer = answer[1:].rstrip("个位")
    number = int(answer) if answer.isdigit() else CN_DIGITS.get(answer)
    if number is not None:
        return candidates[number - 1] if 1 <= number <= len(candidates) else None
    return answer if answer in candidates else None


async def _which_answer(ctx: Context, data: dict[str, Any]) -> Replies:
    candidates = list(data.get("candidates", []))
    chosen = _choice(ctx.text, candidates)
    if chosen is None:
        if _answer(ctx.text).isdigit():
            return Text(content=f"请回复 1 到 {len(candidates)} 之间的序号。")
        await conversations.clear(ctx.session, ctx.userid)
        return NOT_HANDLED
    await conversations.clear(ctx.session, ctx.userid)
    return await CONTINUATIONS[data["then"]](ctx, chosen, data.get("data", {}))


# --- open questions -----------------------------------------------------------------


@router.route(filters.known, filters.text)
async def open_question(ctx: Context) -> Replies:
    state = ctx.state
    if state is None or state.expired or not state.kind.startswith("care."):
        return NOT_HANDLED
    if state.kind == "care.consent":
        return await _consent_answer(ctx, state.data)
    if state.kind == "care.which":
        return await _which_answer(ctx, state.data)
    if state.kind == "care.tip":
        return await _tip_answer(ctx, state.data)
    if state.kind == "care.visit_who":
        return await _visit_who_answer(ctx, state.data)
    return NOT_HANDLED


async def _consent_answer(ctx: Context, data: dict[str, Any]) -> Replies:
    answer = _answer(ctx.text)
    if answer not in YES and answer not in NO:
        await conversations.clear(ctx.session, ctx.userid)
        return NOT_HANDLED
    await conversations.clear(ctx.session, ctx.userid)
    responsible = await care.responsible_for(ctx.session, ctx.userid)
    who = await _name(ctx, responsible) if responsible else "支部书记"
    if answer in NO:
        return Text(content=f"好的，不登记。有需要随时找我或 {who}。")
    if responsible is None:
        return Text(content="名册中还没有你的联系党员或支部书记，暂时无法登记，请直接联系支部。")
    category = data.get("category") or "other"
    entry = await care.create_entry(ctx.session, ctx.now, person=ctx.userid, category=category,
                                    responsible=responsible, summary=data.get("summary", ""), source="self",
                                    created_by=ctx.userid, due=_day(data.get("due")))
    task = await _life_event_task(ctx, entry, _day(data.get("due")))
    log.info("care entry %d created for %s", entry.id, pseudo(ctx.userid))
    replies: list[Reply] = [Text(content=f"已登记，{who} 会尽快和你联系。有需要随时找我。")]
    if responsible != ctx.userid:
        assert ctx.sender is not None
        when = task.due_date if task is not None else entry.next_follow_up
        team = f"（{ctx.sender.team}）" if ctx.sender.team else ""
        replies.append(Text(to=responsible, content=(
            f"【重点关注】{ctx.sender.name}{team}登记了重点关注，类别：{care.label(category)}。\n"
            f"情况：“{entry.summary}”\n"
            f"请在 {fmt_day(when) if when else '近期'} 前联系或走访；走访后发“看望了{ctx.sender.name}，……”即可记录，"
            f"下次回访日期会自动排好。\n{CONFIDENTIAL}")))
    return replies


async def _life_event_task(ctx: Context, entry: CareEntry, due: date | None) -> VisitTask | None:
    """A visit task for illness, celebration, bereavement, retirement (once per entry)."""
    days = care.LIFE_EVENT_DUE_DAYS.get(entry.category)
    if days is None:
        return None
    when = due if due is not None and due >= ctx.today else ctx.today + timedelta(days=days)
    return await care.add_task(ctx.session, ctx.now, person=entry.person, member=entry.responsible,
                               entry_id=entry.id, reason=entry.category, due_date=when,
                               dedupe_key=care.first_visit_key(entry.id), actor=ctx.userid)


async def _tip_answer(ctx: Context, data: dict[str, Any]) -> Replies:
    answer = _answer(ctx.text)
    if answer not in YES and answer not in NO:
        return NOT_HANDLED  # the tip stays open; 登记 T{n} still works
    await conversations.clear(ctx.session, ctx.userid)
    return await _decide_tip(ctx, int(data["tip_id"]), answer in YES)


async def _visit_who_answer(ctx: Context, data: dict[str, Any]) -> Replies:
    await conversations.clear(ctx.session, ctx.userid)
    parse = ctx.parse
    if parse is not None and parse.ambiguous:
        return await ask_which(ctx, parse.ambiguous[0][1], then="visit",
                               data={**data, "persons": [u for u in parse.persons if u != ctx.userid]})
    persons = [u for u in (parse.persons if parse else ()) if u != ctx.userid]
    if not persons:
        found = await care.named(ctx.session, _answer(ctx.text))
        if len(found) > 1:
            return await ask_which(ctx, [p.userid for p in found], then="visit", data={**data, "persons": []})
        persons = [p.userid for p in found]
    if not persons:
        return Text(content="没有在名册中找到这位同事。请把走访情况连同姓名重新发一遍，例如“今天看望了孙鹏，……”。")
    return await _record_visits(ctx, persons, data["summary"], _day(data.get("due")), _day(data["visited_on"]))


# --- card buttons and their text fallback --------------------------------------------


def _card_key(ctx: Context) -> str | None:
    if isinstance(ctx.event, AppEvent) and ctx.event.event == "template_card_event" \
            and ctx.event.event_key.startswith("care:"):
        return ctx.event.event_key
    return None


@router.route(filters.known, _card_key)
async def card_button(ctx: Context) -> Replies:
    key = _card_key(ctx)
    assert key is not None
    _, action, tip = (key.split(":", 2) + ["", ""])[:3]
    if action not in ("accept", "decline") or not tip.isdigit():
        return None
    if ctx.state is not None and not ctx.state.expired and ctx.state.kind == "care.tip" \
            and int(ctx.state.data.get("tip_id", 0)) == int(tip):
        await conversations.clear(ctx.session, ctx.userid)
    return await _decide_tip(ctx, int(tip), action == "accept")


async def _decide_tip(ctx: Context, tip_id: int, accept: bool) -> Replies:
    entry = await care.get_entry(ctx.session, tip_id)
    if entry is None or entry.source != "tip" or not _is_staff(ctx):
        return Text(content=f"没有找到线索 T{tip_id}。")
    if ctx.userid != entry.responsible and not _is_secretary(ctx):
        return Text(content=f"线索 T{tip_id} 不是交给你的。")
    if entry.status != "proposed":
        return Text(content=f"线索 T{tip_id} 已经处理过了。")
    name = await _name(ctx, entry.person)
    if not accept:
        await care.decline_tip(ctx.session, ctx.now, entry, ctx.userid)
        return Text(content=f"好的，线索 T{tip_id} 不登记。")
    await care.accept_tip(ctx.session, ctx.now, entry, ctx.userid)
    due = ctx.today + timedelta(days=care.TIP_DUE_DAYS.get(entry.category, care.TIP_DUE_DEFAULT))
    task = await care.add_task(ctx.session, ctx.now, person=entry.person, member=entry.responsible,
                               entry_id=entry.id, reason="tip", due_date=due,
                               dedupe_key=care.first_visit_key(entry.id), actor=ctx.userid)
    when = fmt_day(task.due_date if task is not None else due)
    text = (f"已登记到重点关注台账（{name}，类别：{care.label(entry.category)}）。请在 {when} 前走访 {name}；"
            f"走访后发“看望了{name}，……”即可记录。")
    replies: list[Reply] = [Text(content=text)]
    if entry.responsible != ctx.userid:
        replies.append(Text(to=entry.responsible, content=f"支部书记已将线索 T{tip_id} 登记到台账。{text}"))
    return replies


# --- slash commands -----------------------------------------------------------------


@router.route(filters.known, filters.text)
async def slash_command(ctx: Context) -> Replies:
    cmd = _command(ctx)
    if cmd is None:
        return NOT_HANDLED
    name, arg = cmd
    if name == "/台账":
        return await _ledger(ctx)
    if name == "/覆盖":
        return await _coverage(ctx)
    if name == "/我的":
        return await _mine(ctx)
    if name == "/结案":
        return await _resolve_command(ctx, arg)
    return NOT_HANDLED


# Text fallback of the tip card: "登记 T{n}" / "不登记 T{n}" (after the slash commands).
@router.route(filters.known, filters.text)
async def tip_text_reply(ctx: Context) -> Replies:
    match = TIP_REPLY.match(ctx.text)
    if match is None:
        return NOT_HANDLED
    tip = int(match.group(2))
    if ctx.state is not None and not ctx.state.expired and ctx.state.kind == "care.tip" \
            and int(ctx.state.data.get("tip_id", 0)) == tip:
        await conversations.clear(ctx.session, ctx.userid)
    return await _decide_tip(ctx, tip, match.group(1) == "登记")


def _entry_line(entry: CareEntry, person: Person | None, responsible: Person | None, today: date,
                *, summary: bool) -> str:
    due = entry.next_follow_up
    overdue = " 【逾期】" if due is not None and due < today else ""
    line = (f"· {_who(person, entry.person)}｜{care.label(entry.category)}｜负责：{_who(responsible, entry.responsible)}"
            f"｜下次回访：{fmt_day(due) if due else '未定'}{overdue}")
    if summary and entry.summary:
        line += f"\n  情况：{entry.summary}"
    return line


async def _ledger(ctx: Context) -> Replies:
    if not _is_staff(ctx):
        return Text(content="重点关注台账仅限党员同志查看。你登记过的事会有联系党员跟进，有需要随时告诉我。")
    secretary = _is_secretary(ctx)
    entries = await care.ledger(ctx.session, responsible=None if secretary else ctx.userid)
    if not entries:
        return Text(content="台账中暂无在册的重点关注对象。" if secretary else "你负责的重点关注对象目前没有。")
    found = await care.names(ctx.session, [e.person for e in entries] + [e.responsible for e in entries])
    lines = []
    for entry in entries:
        shows = secretary or entry.responsible == ctx.userid or not entry.sensitive
        lines.append(_entry_line(entry, found.get(entry.person), found.get(entry.responsible), ctx.today,
                                 summary=shows))
    await care.record_views(ctx.session, ctx.now, ctx.userid, entries, "ledger")
    title = "重点关注人群台账" if secretary else "我负责的重点关注对象"
    return Text(content=f"{title}（{len(entries)} 人次）\n" + "\n".join(lines) + f"\n{CONFIDENTIAL}")


async def _coverage(ctx: Context) -> Replies:
    if not _is_secretary(ctx):
        return Text(content="/覆盖 仅限支部书记使用。党员同志可发 /我的 查看自己的责任区。")
    cov = await coverage(ctx.session, ctx.today)
    lines = [f"责任区走访覆盖（截至 {ctx.today.isoformat()}）", "党员：责任区人数 / 30天内走访 / 90天内走访"]
    for m in cov.members:
        lines.append(f"· {m.name}：{m.zone_size} / {m.visited_30} / {m.visited_90}")
    lines.append(f"合计：{cov.zone_total} / {cov.visited_30} / {cov.visited_90}")
    if cov.unassigned:
        lines.append("不在任何责任区：" + "、".join(name for _, name in cov.unassigned))
    else:
        lines.append("所有人都已分到责任区。")
    return Text(content="\n".join(lines))


async def _mine(ctx: Context) -> Replies:
    if not _is_staff(ctx):
        return Text(content="/我的 是党员同志的责任区视图。查看你反映的事，请发 /我的事项。")
    soon = ctx.today + timedelta(days=3)
    zone = await people.zone(ctx.session, ctx.userid)
    tasks = await care.open_tasks(ctx.session, member=ctx.userid, due_by=soon)
    entries = await care.ledger(ctx.session, responsible=ctx.userid, due_by=soon)
    items = await care.open_items_owned(ctx.session, ctx.userid)
    stale = await care.not_visited(ctx.session, [p.userid for p in zone], ctx.today)
    found = await care.names(ctx.session, [t.person for t in tasks] + [e.person for e in entries])
    zone_names = {p.userid: p.name for p in zone}

    lines = [f"【我的责任区】{len(zone)} 人" + ("：" + "、".join(p.name for p in zone) if zone else "")]
    due_lines = []
    for t in tasks:
        late = " 【逾期】" if t.due_date < ctx.today else ""
        due_lines.append(f"· 走访 {_who(found.get(t.person), t.person)}，截止 {fmt_day(t.due_date)}{late}")
    tasked = {t.person for t in tasks}
    for e in entries:
        if e.person in tasked:
            continue
        assert e.next_follow_up is not None
        late = " 【逾期】" if e.next_follow_up < ctx.today else ""
        due_lines.append(f"· 回访 {_who(found.get(e.person), e.person)}（{care.label(e.category)}），"
                         f"{fmt_day(e.next_follow_up)}{late}")
    lines.append("【近期待走访】" + ("\n" + "\n".join(due_lines) if due_lines else "暂无"))
    if items:
        lines.append("【我负责的事项】\n" + "\n".join(
            f"· #{i.number} {i.title}（{ITEM_STATUS.get(i.status, i.status)}）" for i in items))
    else:
        lines.append("【我负责的事项】暂无")
    lines.append(f"【{care.NOT_VISITED_DAYS} 天未走访】" + ("、".join(zone_names[u] for u in stale) if stale else "无"))
    await care.record_views(ctx.session, ctx.now, ctx.userid, [e for e in entries if e.person not in tasked], "mine")
    return Text(content="\n".join(lines))


async def _resolve_command(ctx: Context, arg: str) -> Replies:
    if not _is_staff(ctx):
        return Text(content="只有负责的党员或支部书记可以结案。")
    if not arg:
        return Text(content="用法：/结案 姓名或账号")
    found = await care.named(ctx.session, arg)
    if not found:
        return Text(content=f"名册里没有找到“{arg}”。")
    if len(found) > 1:
        return await ask_which(ctx, [p.userid for p in found], then="resolve", data={})
    return await _resolve(ctx, found[0].userid, {})


@continuation("resolve")
async def _resolve(ctx: Context, person: str, data: dict[str, Any]) -> Replies:
    entries = [e for e in await care.active_entries_of(ctx.session, person)
               if e.responsible == ctx.userid or _is_secretary(ctx)]
    name = await _name(ctx, person)
    if not entries:
        return Text(content=f"{name} 目前没有由你负责的在册重点关注。")
    for entry in entries:
        await care.resolve_entry(ctx.session, ctx.now, entry, ctx.userid)
    kinds = "、".join(care.label(e.category) for e in entries)
    return Text(content=f"已结案：{name}（{kinds}）。")


# --- intents --------------------------------------------------------------------


def _intent(intent: Intent) -> Callable[[Context], bool]:
    def check(ctx: Context) -> bool:
        return ctx.parse is not None and ctx.parse.intent == intent
    return check


@router.route(filters.known, filters.text, _intent(Intent.CARE_NEED))
async def care_need(ctx: Context) -> Replies:
    parse = ctx.parse
    assert parse is not None and ctx.sender is not None
    category = parse.category if parse.category in care.CATEGORIES else "other"
    data = {"category": category, "due": _iso(parse.due), "summary": ctx.text.strip()}
    if parse.ambiguous:
        return await ask_which(ctx, parse.ambiguous[0][1], then="care_need", data=data)
    others = [u for u in parse.persons if u != ctx.userid]
    if others:
        return await _tip(ctx, others[0], data)
    return await _propose(ctx, data)


async def _propose(ctx: Context, data: dict[str, Any]) -> Replies:
    """A care need about oneself: ask before anything is stored."""
    responsible = await care.responsible_for(ctx.session, ctx.userid)
    if responsible is None:
        return Text(content="收到。名册中还没有你的联系党员或支部书记，请直接联系支部，我们会尽快关心。")
    assert ctx.sender is not None
    name = await _name(ctx, responsible)
    if responsible == ctx.userid:
        who = "你本人"
    elif ctx.sender.zone_member == responsible:
        who = f"{name}（你的联系党员）"
    else:
        who = f"{name}（支部书记）"
    await conversations.put(ctx.session, ctx.userid, "care.consent", data, ctx.now)
    return Text(content=(f"是否登记到重点关注台账（类别：{care.label(data['category'])}），由 {who}跟进？"
                         "回复 是/否"))


@continuation("care_need")
async def _care_need_chosen(ctx: Context, person: str, data: dict[str, Any]) -> Replies:
    if person == ctx.userid:
        return await _propose(ctx, data)
    return await _tip(ctx, person, data)


async def _tip(ctx: Context, person: str, data: dict[str, Any]) -> Replies:
    """A colleague's need: passed privately to their zone member, who decides."""
    assert ctx.sender is not None
    responsible = await care.responsible_for(ctx.session, person)
    thanks = Text(content="谢谢你告诉我们，已转给相关党员同志，会妥善关心。")
    if responsible is None:
        return thanks
    entry = await care.create_entry(ctx.session, ctx.now, person=person, category=data["category"],
                                    responsible=responsible, summary=data["summary"], source="tip",
                                    created_by=ctx.userid, due=_day(data.get("due")), status="proposed")
    open_kind = await care.has_open_question(ctx.session, responsible, ctx.now)
    tips = await care.open_tips(ctx.session, responsible)
    only = len(tips) == 1 and (open_kind is None or open_kind == "care.tip")
    if only:
        await conversations.put(ctx.session, responsible, "care.tip", {"tip_id": entry.id}, ctx.now, ttl=TIP_TTL)
    elif open_kind == "care.tip":
        await conversations.clear(ctx.session, responsible)
    target = await people.get(ctx.session, person)
    if target is None:
        who = person
    else:
        who = f"{target.name}（{target.team}）" if target.team else target.name
    zone = "，你的责任区" if target is not None and target.zone_member == responsible else ""
    desc = (f"{ctx.sender.name}反映：“{entry.summary}”\n涉及：{who}{zone}\n类别：{care.label(entry.category)}\n"
            "是否登记到台账并安排走访？")
    how = f"回复“登记 T{entry.id}”登记并安排走访，回复“不登记 T{entry.id}”不登记"
    if only:
        how += "（也可直接回复 是/否）"
    fallback = f"【重点关注线索 T{entry.id}】\n{desc}\n{how}。{CONFIDENTIAL}"
    card = button_card(responsible, title=f"重点关注线索 T{entry.id}", desc=desc,
                       buttons=[("登记并安排走访", f"care:accept:{entry.id}"), ("不登记", f"care:decline:{entry.id}")],
                       fallback=fallback, task_prefix="care")
    log.info("care tip %d from %s passed to %s", entry.id, pseudo(ctx.userid), pseudo(responsible))
    if responsible == ctx.userid:
        return card
    return [thanks, card]


@router.route(filters.known, filters.text, _intent(Intent.VISIT_REPORT))
async def visit_report(ctx: Context) -> Replies:
    parse = ctx.parse
    assert parse is not None
    if not _is_staff(ctx):
        return Text(content="谢谢！走访记录由党员同志填写。如果你或同事需要关心帮助，直接把情况告诉我就好。")
    data = {"summary": ctx.text.strip(), "due": _iso(parse.due),
            "visited_on": _visited_on(ctx.text, ctx.today).isoformat()}
    persons = [u for u in parse.persons if u != ctx.userid]
    if parse.ambiguous:
        return await ask_which(ctx, parse.ambiguous[0][1], then="visit", data={**data, "persons": persons})
    if not persons:
        await conversations.put(ctx.session, ctx.userid, "care.visit_who", data, ctx.now)
        return Text(content="请问你走访的是哪位同事？请回复姓名。")
    return await _record_visits(ctx, persons, data["summary"], parse.due, _day(data["visited_on"]))


@continuation("visit")
async def _visit_chosen(ctx: Context, person: str, data: dict[str, Any]) -> Replies:
    persons = [u for u in data.get("persons", []) if u != person] + [person]
    return await _record_visits(ctx, persons, data["summary"], _day(data.get("due")), _day(data["visited_on"]))


async def _record_visits(ctx: Context, persons: Sequence[str], summary: str, due: date | None,
                         visited_on: date | None) -> Replies:
    visited_on = visited_on or ctx.today
    next_date = due if due is not None and due > ctx.today else None
    found = await care.names(ctx.session, list(persons))
    lines = []
    for userid in dict.fromkeys(persons):
        person = found.get(userid)
        _, _, when = await care.record_visit(ctx.session, ctx.now, member=ctx.userid, person=userid,
                                             visited_on=visited_on, summary=summary, next_date=next_date)
        line = f"已记录对 {_who(person, userid)} 的走访，下次回访：{fmt_day(when)}"
        if person is not None and person.zone_member != ctx.userid:
            if person.zone_member:
                line += f"（{person.name} 在 {await _name(ctx, person.zone_member)} 的责任区）"
            else:
                line += f"（{person.name} 不在任何人的责任区）"
        lines.append(line)
    return Text(content="\n".join(lines))
