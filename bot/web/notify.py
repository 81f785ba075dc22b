"""Messages the workbench's actions send: outbox rows in the page's transaction, as the chat's replies are."""

from __future__ import annotations

from collections.abc import Sequence

from bot.replies import Reply, TemplateCard, Text
from bot.web.core import Ctx
from storage import outbox


async def deliver(ctx: Ctx, replies: Sequence[Reply]) -> None:
    """Queue ``replies`` (a card's text fallback too, as the processor does); the sender wakes after commit."""
    for reply in replies:
        to = reply.addressed(ctx.viewer.userid)
        await outbox.enqueue(ctx.session, to, reply.payload(), ctx.now)
        if isinstance(reply, TemplateCard) and reply.fallback:
            await outbox.enqueue(ctx.session, to, Text(content=reply.fallback).payload(), ctx.now)
        ctx.queued = True
