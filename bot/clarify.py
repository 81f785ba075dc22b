"""A clarification card instead of the generic help: "您是想：反映问题 / 需要关心帮助 / 报告走访 / 查进度 / …".

When nobody took a message that says something (``fallback`` calls :func:`offer`), the sender is asked what
they meant, as a template card with buttons and a numbered text fallback. The choice (a button, "1", "反映问题")
sends the same message on as that intent, through every router, as if the parser had read it so. With
``SIJING_NLU_EXAMPLES`` on, the message (names and phone numbers redacted) and the choice are kept as a
labelled example (``storage.examples``; ``sijing nlu examples`` exports them).

The re-routing needs no help from the dispatcher: the answer's handler swaps the event for the original text
and the parse for the chosen one, clears the question and returns ``NOT_HANDLED``; the dispatcher then routes
the message as if no question were open (a card click is routed on to the later routers the same way).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import MISSING, dataclass, fields, replace
from datetime import date
from typing import Any

from bot import filters, pending
from bot.cardkeys import RESULTS, CardKey
from bot.cards import button_card
from bot.dispatcher import NOT_HANDLED, Context, Replies, Router
from bot.events import TextMessage
from bot.fsm import State, StatesGroup
from bot.nlu import Intent, Parse
from bot.replies import Text
from storage import examples, people
from storage.errors import Refused

router = Router("clarify")


class ClarifyStates(StatesGroup, domain="clarify"):
    # "您是想：1. 反映问题 2. …" — a number, a label or a button answers it; anything else drops it.
    choose = State()


class ClarifyCard(CardKey, prefix="clarify"):
    choice: str


@dataclass(frozen=True)
class Option:
    key: str
    label: str
    intent: Intent | None  # None: none of these (the help)
    members_only: bool = False
    category: str | None = None


OPTIONS: tuple[Option, ...] = (
    Option("deed", "反映问题/提建议", Intent.DEED_REQUEST, category="other"),
    Option("care", "需要关心帮助", Intent.CARE_NEED, category="other"),
    Option("visit", "报告走访", Intent.VISIT_REPORT, members_only=True),
    Option("status", "查进度", Intent.STATUS_QUERY),
    Option("incident", "报告突发事件", Intent.INCIDENT_REPORT),
    Option("none", "都不是", None),
)
BY_KEY = {o.key: o for o in OPTIONS}
# A pressed option updates the card in place (``update_template_card`` with the click's ResponseCode, by the
# dispatcher): its buttons give way to "已选：报告走访 · 12-03 09:14", so it cannot be pressed twice.
RESULTS.update({(ClarifyCard.prefix, o.key): f"已选：{o.label}" for o in OPTIONS})
TITLE = "您是想："
STALE = "这个选择已经过期了。请把想说的事重新发给我，一句话说清楚就行。"
NONE_OF_THESE = ("好的。可以直接用一句话告诉我要做什么，例如“食堂晚班没有热饭”“我父亲下周住院做手术”"
                 "“#12 进度”“今天谁值班”；发“帮助”可以看全部用法。")
MIN_HAN = 4  # a message with fewer Chinese characters gets the help, not the card


# A parse the parser itself is unsure of (``Parse.confidence``, the intent's probability margin, below this) is
# asked about before anything is recorded. Never an incident or an urgent report: emergencies go through at once.
# On the held-out organisations (704 messages, shipped model) 0.15 asks about 15 (2.1%), 4 of them misread,
# against 8 misreadings among the 689 it does not ask about (tests/nlu/test_confidence.py keeps this honest).
CONFIDENCE_FLOOR = 0.15
# Readings that record or change something (feedback confirms or reopens an item).
RECORDING = frozenset({Intent.DEED_REQUEST, Intent.CARE_NEED, Intent.VISIT_REPORT, Intent.PROGRESS_REPORT,
                       Intent.FEEDBACK})


# A question about someone named ("王晓斌家里怎么了", "听说邓超住院了？") records nothing: the domains answer it.
ASKS = re.compile(r"[?？]|吗|呢|么|没有|了没|怎么了|怎么样|咋了|咋样|咋回事|怎么回事|什么事|啥事|什么情况|啥情况|出什么|出啥"
                  r"|是不是|是否|有没有|还好吗|严重吗|为什么|为啥|好点了|好些了")


def unsure(parse: Parse | None, text: str = "") -> bool:
    """The parser says it is unsure of a reading that would record something (not of a question about someone)."""
    confidence = getattr(parse, "confidence", None)
    if parse is None or not isinstance(confidence, (int, float)) or confidence >= CONFIDENCE_FLOOR:
        return False
    if (parse.persons or parse.ambiguous) and ASKS.search(text):
        return False
    return parse.intent in RECORDING and not parse.urgent and parse.ref is None


def wants_card(text: str) -> bool:
    """Says something (enough Chinese characters, not a command) that nobody took: ask what it meant."""
    return len(re.findall(r"[\u4e00-\u9fff]", text)) >= MIN_HAN and not text.lstrip().startswith(("/", "／"))


def _options(ctx: Context) -> list[Option]:
    member = ctx.sender is not None and ctx.sender.role in ("member", "secretary")
    return [o for o in OPTIONS if member or not o.members_only]


def numbered(options: list[Option], text: str) -> str:
    quoted = text.strip() if len(text.strip()) <= 40 else text.strip()[:40] + "…"
    lines = [f"没太确定您这条消息（“{quoted}”）想做什么。{TITLE}"]
    lines += [f"{i}. {o.label}" for i, o in enumerate(options, 1)]
    lines.append("请回复序号，或点上面卡片的按钮。")
    return "\n".join(lines)


def _parse_data(parse: Parse | None) -> dict[str, Any]:
    if parse is None:
        return {}
    return {"intent": parse.intent.value, "category": parse.category, "polarity": parse.polarity,
            "persons": list(parse.persons), "due": parse.due.isoformat() if parse.due else None, "ref": parse.ref,
            "urgent": parse.urgent}


async def offer(ctx: Context) -> Replies:
    """Ask what the message meant: a card with buttons, and the numbered list as its text fallback."""
    options = _options(ctx)
    prompt = numbered(options, ctx.text)
    await ctx.fsm.set(ClarifyStates.choose, {"text": ctx.text, "parse": _parse_data(ctx.parse),
                                             "options": [o.key for o in options]}, prompt=prompt)
    # The options are numbered in the card too: a reply by number works whether the card or its fallback shows.
    desc = (f"“{ctx.text.strip()[:40]}”\n" + "  ".join(f"{i}. {o.label}" for i, o in enumerate(options, 1))
            + "\n点按钮或回复序号，我按您选的办理。")
    return button_card(ctx.userid, title=TITLE + " / ".join(o.label for o in options[:4]) + " / …", desc=desc,
                       buttons=[(o.label, ClarifyCard(o.key).pack()) for o in options], fallback=prompt,
                       task_prefix="clarify")


NUMBER = re.compile(r"^\s*第?\s*([1-9１-９]|[一二三四五六])\s*(?:个|项)?\s*[。.!！]?\s*$")
CN = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6}


def _said(ctx: Context) -> str | dict[str, bool] | bool:
    """The option an answer names: a number or (part of) a label."""
    keys = list(ctx.fsm.data.get("options", []))
    m = NUMBER.match(ctx.text)
    if m:
        n = int(m.group(1)) if m.group(1).isdigit() else CN[m.group(1)]
        return 1 <= n <= len(keys) and {"choice": keys[n - 1]}  # type: ignore[return-value]
    said = ctx.text.strip().strip("。.!！")
    for key in keys:
        label = BY_KEY[key].label
        if said and (said == label or said in label.split("/")):
            return {"choice": key}
    return False


_NAMED_BY_DOMAINS: tuple[Callable[[str], bool], ...] = ()  # ``Feature.names_record`` of each domain


def leave_to_domains(tests: tuple[Callable[[str], bool], ...]) -> None:
    """The domains' record references (set by the registry when it builds the routers)."""
    global _NAMED_BY_DOMAINS
    _NAMED_BY_DOMAINS = tests


def _unsure_message(ctx: Context) -> bool:
    """An unsure reading of a message that says something, with no question open, no short reply in
    context ("好的我接了" means what waits for that person: ``bot.pending`` reads it) and no record of a
    domain named by its number ("帮扶1号 里程碑1 完成": that domain reads it, as "#12" is the deeds')."""
    return (not ctx.fsm.is_open and unsure(ctx.parse, ctx.text) and wants_card(ctx.text)
            and not pending.kinds_of(ctx.text) and not any(named(ctx.text) for named in _NAMED_BY_DOMAINS))


@router.message(filters.not_command, _unsure_message)
async def unsure_parse(ctx: Context) -> Replies:
    """Before recording what the parser is unsure of: ask."""
    return await offer(ctx)


@router.message(_said, state=ClarifyStates.choose)
async def answered(ctx: Context) -> Replies:
    return await choose(ctx, str(ctx.extras["choice"]))


@router.card(ClarifyCard)
async def pressed(ctx: Context) -> Replies:
    assert isinstance(ctx.card, ClarifyCard)
    if not ctx.fsm.in_state(ClarifyStates.choose) or ctx.card.choice not in ctx.fsm.data.get("options", []):
        raise Refused(STALE)  # said, and the card shows it is stale (not what an old press would have chosen)
    return await choose(ctx, ctx.card.choice)


async def choose(ctx: Context, key: str) -> Replies:
    data = ctx.fsm.data
    await ctx.fsm.clear()
    option = BY_KEY[key]
    text = str(data.get("text", ""))
    stored = dict(data.get("parse") or {})
    if ctx.settings.nlu_examples and text:
        await examples.add(ctx.session, ctx.now, text=await redact(ctx, text, stored.get("persons", [])),
                           intent=option.intent.value if option.intent else "none",
                           predicted=str(stored.get("intent") or Intent.OTHER.value),
                           role=ctx.sender.role if ctx.sender else "")
    if option.intent is None:
        return Text(content=NONE_OF_THESE)
    ctx.event = TextMessage(user=ctx.event.user, created=ctx.event.created, agent_id=ctx.event.agent_id,
                            raw={}, msg_id=getattr(ctx.event, "msg_id", ""), content=text)
    ctx.parse = parse_as(option, stored)
    return NOT_HANDLED  # routed on, as that intent (see the module's docstring)


def parse_as(option: Option, stored: dict[str, Any]) -> Parse:
    """The stored reading with the chosen intent; sure of it (the sender said so)."""
    assert option.intent is not None
    keeps_category = option.intent in (Intent.DEED_REQUEST, Intent.CARE_NEED)
    values: dict[str, Any] = {
        "intent": option.intent, "category": (stored.get("category") or option.category) if keeps_category else None,
        "polarity": stored.get("polarity"), "persons": tuple(stored.get("persons") or ()),
        "due": date.fromisoformat(stored["due"]) if stored.get("due") else None, "ref": stored.get("ref"),
        "urgent": bool(stored.get("urgent")) or option.intent == Intent.INCIDENT_REPORT, "ambiguous": ()}
    for f in fields(Parse):  # fields a newer parser adds: their defaults, a sure confidence
        if f.name not in values and f.default is MISSING and f.default_factory is MISSING:
            values[f.name] = 1.0 if f.name == "confidence" else None
    names = {f.name for f in fields(Parse)}
    parse = Parse(**{k: v for k, v in values.items() if k in names})
    return replace(parse, confidence=1.0) if "confidence" in names else parse  # type: ignore[call-arg]


# --- redaction ---------------------------------------------------------------------------------

SURNAMES = ("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
            "姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤")
NICKNAME = re.compile(rf"[小老阿][{SURNAMES}]|[{SURNAMES}](?:师傅|工|总|主任|班长|值长|护士长|经理|大姐|哥|姐)")
PHONE = re.compile(r"\d{7,}")


async def redact(ctx: Context, text: str, persons: list[str]) -> str:
    """The text without the names of the people it names (and the sender's), nicknames or phone numbers."""
    everyone = await people.all_people(ctx.session)  # rare (an opted-in answer): every name, not only those found
    named = {*persons, ctx.userid}
    names: set[str] = set()
    for p in everyone:
        if p.name and (p.userid in named or p.name in text):
            names.add(p.name)
            if len(p.name) >= 3 and p.userid in named:
                names.add(p.name[1:])  # the given name
    for name in sorted(names, key=len, reverse=True):
        text = text.replace(name, "某某")
    return PHONE.sub("[电话]", NICKNAME.sub("某某", text))
