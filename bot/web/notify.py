"""Messages the workbench's actions send: outbox rows in the page's transaction, as the chat's replies are."""

from __future__ import annotations

from collections.abc import Sequence

from bot.pushes import enqueue_replies, held_until
from bot.replies import Reply
from bot.web.core import Ctx


async def deliver(ctx: Ctx, replies: Sequence[Reply]) -> None:
    """Queue ``replies`` (one message per push, as the processor does); the sender wakes after commit."""
    batch = []
    for reply in replies:
        to = reply.addressed(ctx.viewer.userid)
        wait = held_until(reply, to, ctx.viewer.userid, ctx.now)  # a broadcast at night waits for the morning
        batch.append((reply, to, wait, to != ctx.viewer.userid and not reply.urgent))
    if batch:
        await enqueue_replies(ctx.session, batch, ctx.now)
        ctx.queued = True
