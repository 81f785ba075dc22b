"""What the duty domain has waiting for someone, for short replies in context (``bot.pending``): open
incidents waiting for a grid leader's (or the secretary's) acknowledgement ("收到 马上过去")."""

from __future__ import annotations

from collections.abc import Sequence

from bot.dispatcher import Context, Replies
from bot.pending import ACK, Candidate, Pending
from handlers.duty import incidents

DOMAIN = "duty"


async def find(ctx: Context, kinds: frozenset[str]) -> Sequence[Candidate]:
    if ACK not in kinds or ctx.sender is None:
        return []
    return [Candidate(DOMAIN, ACK, str(i.number), f"事件 #{i.number} {i.title}（等您确认收到）")
            for i in await incidents.waiting_for_me(ctx)]


async def act(ctx: Context, c: Candidate) -> Replies:
    return await incidents.acknowledge(ctx, int(c.ref))


pending = Pending(find, act)
