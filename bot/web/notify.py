"""Messages the workbench's actions send: outbox rows in the page's transaction, as the chat's replies are."""

from __future__ import annotations

from collections.abc import Sequence

from bot.pushes import enqueue_reply, held_until
from bot.replies import Reply
from bot.web.core import Ctx


async def deliver(ctx: Ctx, replies: Sequence[Reply]) -> None:
    """Queue ``replies`` (one message per push, as the processor does); the sender wakes after commit."""
    for reply in replies:
        to = reply.addressed(ctx.viewer.userid)
        wait = held_until(reply, to, ctx.viewer.userid, ctx.now)  # a broadcast at night waits for the morning
        unasked = to != ctx.viewer.userid and not reply.urgent
        await enqueue_reply(ctx.session, reply, to, ctx.now, not_before=wait, unasked=unasked)
        ctx.queued = True
