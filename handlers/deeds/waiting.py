"""What 办实事 has waiting for someone, for short replies in context (``bot.pending``): items waiting for
their owner to take them on ("接单", "好的我接了", "收到，我去问问") and items resolved, waiting for their
requester's word ("满意", "好的")."""

from __future__ import annotations

from collections.abc import Sequence

from bot.dispatcher import Context, Replies
from bot.pending import ACCEPT, CONFIRM, Candidate, Pending
from handlers.deeds import flows
from handlers.deeds import messages as msg
from storage import deeds

DOMAIN = "deeds"


async def find(ctx: Context, kinds: frozenset[str]) -> Sequence[Candidate]:
    found: list[Candidate] = []
    if ACCEPT in kinds:
        waiting = await deeds.list_items(ctx.session, owner=ctx.userid, status=deeds.UNACCEPTED, limit=50)
        found += [Candidate(DOMAIN, ACCEPT, str(i.number), f"#{i.number} {i.title}（等您接单）")
                  for i in sorted(waiting, key=lambda i: i.number) if i.kind == deeds.ItemKind.DEED]
    if CONFIRM in kinds:
        found += [Candidate(DOMAIN, CONFIRM, str(i.number), f"#{i.number} {i.title}（已办好，等您确认）")
                  for i in await deeds.awaiting_confirmation(ctx.session, ctx.userid)]
    return found


async def act(ctx: Context, c: Candidate) -> Replies:
    item = await deeds.get_deed(ctx.session, int(c.ref))
    if item is None:
        return msg.not_found(int(c.ref))
    if c.kind == ACCEPT:
        return await flows.accept(ctx, item)
    return await flows.feedback(ctx, item, "satisfied", ctx.text)


pending = Pending(find, act)
