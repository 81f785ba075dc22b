"""What 征求意见 has waiting for someone, for short replies in context (``bot.pending``): the questionnaires
sent to them and not finished ("开始吧", "好的我来填")."""

from __future__ import annotations

from collections.abc import Sequence

from bot.dispatcher import Context, Replies
from bot.pending import START, Candidate, Pending
from handlers.surveys import flows
from storage import surveys

DOMAIN = "surveys"


async def find(ctx: Context, kinds: frozenset[str]) -> Sequence[Candidate]:
    if START not in kinds:
        return []
    return [Candidate(DOMAIN, START, str(s.number), f"问卷 #{s.number}《{s.title}》（已答 {r.position} 题）")
            for s, r in await surveys.unfinished_for(ctx.session, ctx.userid)]


async def act(ctx: Context, c: Candidate) -> Replies:
    return await flows.resume(ctx, int(c.ref), explicit=True)


pending = Pending(find, act)
