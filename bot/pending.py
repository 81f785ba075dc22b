"""Short replies resolved in context: "接单", "收到，我去问问", "报名", "开始吧", "满意" mean what is waiting
for *that person*.

Each domain says what is waiting for someone (``Pending(find=..., act=...)``, exported as ``pending`` by its
handlers package; ``bot/registry.py`` collects them). Here: the words, and what happens with them —

- one candidate: it is done, and the reply says what was done;
- several: "您说的是哪一件？1. … 2. …", answered by number (``PendingStates.which``);
- none: said plainly ("目前没有等您接单的事项"), for the words that can mean nothing else; a bare "好的" or
  "收到" with nothing waiting is left to the other routers (the help).

The router runs after the domains': a domain that already reads a short reply its own way (a grid
leader's "收到 马上过去", a bare "开始" with a survey waiting) keeps it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import asdict, dataclass

from bot import filters
from bot.dispatcher import NOT_HANDLED, Context, Replies, Router
from bot.fsm import State, StatesGroup
from bot.replies import Text

ACCEPT = "accept"  # an item waiting for its owner to take it on
ACK = "ack"  # an incident waiting for its grid leader's acknowledgement
SIGNUP = "signup"  # a training or activity open for sign-up
START = "start"  # a questionnaire sent to the person, not finished
CONFIRM = "confirm"  # an item resolved, waiting for its requester's word

# What each kind of short reply sounds like. A reply may mean several kinds ("收到": accept or ack).
WORDS: dict[str, tuple[str, ...]] = {
    ACCEPT: ("接单", "接了", "我接", "我来接", "接下", "收到", "我去问问", "我去问一下", "我问问", "我去了解",
             "我来处理", "我来办", "我来跟进", "我跟进", "马上办", "这就办", "交给我", "包在我身上", "我去看看",
             "我去处理", "没问题我来"),
    ACK: ("收到", "马上过去", "马上到", "马上去", "这就去", "这就过去", "立刻过去", "立即过去", "在路上", "我过去",
          "赶过去", "我去看看", "我去处理", "我来处理", "已出发", "出发了", "知道了"),
    SIGNUP: ("报名", "报个名", "报一个", "算我一个", "我参加", "我要参加", "我想参加", "参加一下", "我去参加",
             "加我一个", "我也去", "报上我", "带我一个", "1"),
    START: ("开始", "开始吧", "开始答", "开始填", "填问卷", "答题", "做问卷", "填一下", "我来填"),
    CONFIRM: ("满意", "很满意", "非常满意", "挺满意", "办好了", "解决了", "已解决", "弄好了", "修好了", "没问题了",
              "可以了", "👍", "好的"),
}
# Words that can mean nothing else: said with nothing waiting, the answer says so.
DEFINITE: dict[str, tuple[str, ...]] = {
    ACCEPT: ("接单", "接了", "我接", "接下"),
    SIGNUP: ("报名", "报个名", "算我一个", "我参加", "我要参加"),
    START: ("开始答", "开始填", "填问卷", "做问卷"),
}  # a bare "满意" with nothing to confirm is praise: the fallback thanks
NOTHING = {
    ACCEPT: "目前没有等您接单的事项。",
    ACK: "目前没有等您确认收到的事件。",
    SIGNUP: "目前没有可以报名的培训或活动。有新的培训或活动时我会通知您。",
    START: "目前没有需要您填写的问卷。",
    CONFIRM: "目前没有等您确认的事项。",
}
DONE_WHAT = {ACCEPT: "接单", ACK: "确认收到", SIGNUP: "报名", START: "填写问卷", CONFIRM: "确认办结"}
NOT_REPLIES = re.compile(r"不满意|没解决|没有解决|还没|不行|不报|不参加|没空|来不了|去不了|取消|退出|不接|接不了|没收到|未收到|[#＃]\s*\d")
MAX_CHARS = 16  # a longer message says more than a short reply
WHICH_LIMIT = 9
_FILLER = re.compile(r"[\s,，.。!！~～、…:：;；]+")


@dataclass(frozen=True)
class Candidate:
    """Something waiting for the sender: ``ref`` is the domain's own (an item number, "training:3")."""

    domain: str
    kind: str
    ref: str
    label: str  # "#12 食堂晚班没有热饭（等您接单）"


Find = Callable[[Context, frozenset[str]], Awaitable[Sequence[Candidate]]]
Act = Callable[[Context, Candidate], Awaitable[Replies]]


@dataclass(frozen=True)
class Pending:
    """A domain's part: ``find(ctx, kinds)`` what of those kinds waits for the sender; ``act`` does it."""

    find: Find
    act: Act


class PendingStates(StatesGroup, domain="pending"):
    # "您说的是哪一件？1. … 2. …" — a number answers it; anything else drops it.
    which = State()


def _plain(text: str) -> str:
    return _FILLER.sub("", unicodedata.normalize("NFKC", text)).lower()


def kinds_of(text: str) -> frozenset[str]:
    """Which kinds of short reply ``text`` may be (empty: not a short reply)."""
    bare = _plain(text)
    if not bare or len(bare) > MAX_CHARS or NOT_REPLIES.search(bare):
        return frozenset()
    found = {kind for kind, words in WORDS.items() if any(_says(bare, w) for w in words)}
    return frozenset(found)


def _says(bare: str, word: str) -> bool:
    if word == "1":  # "+1" signs up; a bare number does not
        return bare in ("+1", "＋1")
    return word in bare


def definite(text: str, kinds: frozenset[str]) -> str | None:
    """The kind a reply can only mean (for "nothing waiting" answers), if any."""
    bare = _plain(text)
    for kind in kinds:
        if any(w in bare for w in DEFINITE.get(kind, ())):
            return kind
    return None


def which_prompt(found: Sequence[Candidate]) -> str:
    lines = ["您说的是哪一件？请回复序号："]
    lines += [f"{i}. {c.label}" for i, c in enumerate(found, 1)]
    return "\n".join(lines)


NUMBER = re.compile(r"^\s*第?\s*(?P<hash>[#＃]\s*(?P<ref>\d{1,7})|(?P<n>[1-9１-９]|[一二三四五六七八九]))"
                    r"\s*(?:个|件|项|条|号)?\s*[。.!！]?\s*$")
CN = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}


def router_for(domains: Mapping[str, Pending]) -> Router:
    """The router that resolves short replies against what ``domains`` say is waiting."""
    router = Router("pending")

    async def candidates(ctx: Context, kinds: frozenset[str]) -> list[Candidate]:
        found: list[Candidate] = []
        for part in domains.values():
            found += [c for c in await part.find(ctx, kinds) if c.kind in kinds]
        return found

    async def act(ctx: Context, c: Candidate) -> Replies:
        part = domains.get(c.domain)
        if part is None:
            return Text(content="这件事已经不在了，请重新发一遍。")
        return await part.act(ctx, c)

    @router.message(filters.not_command, state=PendingStates.which, regex=NUMBER)
    async def which(ctx: Context) -> Replies:
        assert ctx.match is not None
        offered = [Candidate(**c) for c in ctx.fsm.data.get("candidates", [])]
        if ctx.match["ref"]:  # "#12": the item itself, not the 12th line
            hits = [i for i, c in enumerate(offered, 1) if c.ref.rpartition(":")[2] == str(int(ctx.match["ref"]))]
            n = hits[0] if len(hits) == 1 else 0
        else:
            said = ctx.match["n"]
            n = int(said) if said.isdigit() else CN[said]
        if not 1 <= n <= len(offered):
            return Text(content=f"请回复 1 到 {len(offered)} 之间的序号。")
        await ctx.fsm.clear()
        return await act(ctx, offered[n - 1])

    @router.message(filters.not_command)
    async def short_reply(ctx: Context) -> Replies:
        kinds = kinds_of(ctx.text)
        if not kinds:
            return NOT_HANDLED
        found = await candidates(ctx, kinds)
        if len(found) == 1:
            return await act(ctx, found[0])
        if found:
            shown = found[:WHICH_LIMIT]
            return await ctx.fsm.ask(PendingStates.which, which_prompt(shown),
                                     {"candidates": [asdict(c) for c in shown]})
        kind = definite(ctx.text, kinds)
        return Text(content=NOTHING[kind]) if kind is not None else NOT_HANDLED

    return router
