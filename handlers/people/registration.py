"""People who are not in the roster yet: opening the app says nothing, anything else says whom to ask."""

from __future__ import annotations

from bot import filters
from bot.dispatcher import Context, Replies
from bot.replies import Text
from handlers.people import messages as msg
from handlers.people.router import router
from storage import people
from storage.people import Role


@router.event("enter_agent", "subscribe", "unsubscribe", known=False)
async def silent_event(ctx: Context) -> Replies:
    """Opening the app is not a question: say nothing."""
    return None


@router.route(filters.unknown)
async def not_in_roster(ctx: Context) -> Replies:
    """Whom to ask: the secretary, when there is one branch; with several we cannot know which."""
    one = await people.branches.count(ctx.session) == 1
    return Text(content=msg.not_in_roster(await people.by_role(ctx.session, Role.SECRETARY) if one else []))
