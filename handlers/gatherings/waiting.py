"""What is open for someone to sign up for, for short replies in context (``bot.pending``): "报名",
"给我报个名", "算我一个" mean the one upcoming training or activity they may join."""

from __future__ import annotations

from collections.abc import Sequence

from bot.dispatcher import Context, Replies
from bot.pending import SIGNUP, Candidate, Pending
from handlers.gatherings import messages as msg
from handlers.gatherings.signup import sign_up
from storage import gatherings
from storage.gatherings import GatheringKind

DOMAIN = "gatherings"


async def find(ctx: Context, kinds: frozenset[str]) -> Sequence[Candidate]:
    if SIGNUP not in kinds or ctx.sender is None:
        return []
    signed = {g.id for g in await gatherings.signed_up_for(ctx.session, ctx.userid)}
    found = []
    for g in await gatherings.upcoming(ctx.session, None, ctx.now, team=ctx.sender.team or None):
        if g.id in signed or g.lecturer == ctx.userid:
            continue
        found.append(Candidate(DOMAIN, SIGNUP, f"{g.kind}:{g.number}",
                               f"报名{gatherings.label_of(g)}「{g.title}」（{msg.when(ctx, g)}）"))
    return found


async def act(ctx: Context, c: Candidate) -> Replies:
    kind, _, n = c.ref.partition(":")
    return await sign_up(ctx, GatheringKind(kind), int(n))


pending = Pending(find, act)
