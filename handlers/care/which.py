""""你说的是哪一位？": several people share a name; once the person says which, a continuation goes on.

A flow registers what to do next with ``@continuation("name")`` and asks with
``await ask_which(ctx, candidates, then="name", data={...})``; the answer (a number, "第二个", a
userid) calls the continuation with the chosen userid and ``data`` (JSON-able).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from bot.dispatcher import NOT_HANDLED, Context, Replies
from bot.replies import Text
from handlers.care import messages as msg
from handlers.care.router import router
from handlers.care.states import CareStates
from storage import people
from storage.people import RosterEntry

Continuation = Callable[[Context, str, dict[str, Any]], Awaitable[Replies]]
CONTINUATIONS: dict[str, Continuation] = {}
CN_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}


def continuation(name: str) -> Callable[[Continuation], Continuation]:
    """Register what to do once the person has said which candidate they meant."""
    def register(fn: Continuation) -> Continuation:
        CONTINUATIONS[name] = fn
        return fn
    return register


def answer(text: str) -> str:
    """A short answer without its trailing punctuation."""
    return text.strip().rstrip("。.!！~～ ").strip()


async def named(ctx: Context, word: str) -> list[RosterEntry]:
    """Whom ``word`` names: the person with that userid, else everyone with that name."""
    found = await people.get(ctx.session, word)
    return [found] if found is not None else await people.named(ctx.session, word)


async def ask_which(ctx: Context, candidates: Sequence[str], *, then: str, data: dict[str, Any]) -> Replies:
    """Ask which of several people (userids, in the order to offer them) was meant."""
    everyone = await people.by_id(ctx.session, candidates)
    found = [everyone[u] for u in candidates if u in everyone]
    return await ctx.fsm.ask(CareStates.which, msg.which_prompt(found),
                             {"candidates": [p.userid for p in found], "then": then, "data": data})


def _choice(text: str, candidates: Sequence[str]) -> str | None:
    said = answer(text)
    if said.startswith("第"):
        said = said[1:].rstrip("个位")
    number = int(said) if said.isdigit() else CN_DIGITS.get(said)
    if number is not None:
        return candidates[number - 1] if 1 <= number <= len(candidates) else None
    return said if said in candidates else None


@router.message(state=CareStates.which)
async def which_answer(ctx: Context) -> Replies:
    data = ctx.fsm.data
    candidates = list(data.get("candidates", []))
    chosen = _choice(ctx.text, candidates)
    if chosen is None:
        if answer(ctx.text).isdigit():
            return Text(content=msg.WHICH_RANGE.format(n=len(candidates)))
        return NOT_HANDLED  # something else: the question is dropped and the text routed as usual
    await ctx.fsm.clear()
    return await CONTINUATIONS[data["then"]](ctx, chosen, data.get("data", {}))
