"""Signing up and withdrawing: the 报名 button, "报名 培训N" / "报名 活动N", "取消报名 …", and
"我报名电工培训" (by title, when exactly one upcoming training matches)."""

from __future__ import annotations

import logging

from bot import filters
from bot.dispatcher import Context, Replies
from bot.logsafe import pseudo
from bot.replies import Text
from handlers.gatherings import messages as msg
from handlers.gatherings.router import router
from handlers.gatherings.states import CARDS, ActivitySignupCard, TrainingSignupCard
from storage import gatherings
from storage.gatherings import SIGNUP, GatheringKind

log = logging.getLogger(__name__)

SIGNUP_TEXT = (r"^(?:我要|我想|我)?(?P<cancel>取消)?报名\s*(?:参加)?\s*(?P<kind>培训|活动)\s*[#＃]?\s*(?P<n>\d{1,6})"
               r"\s*[。.!！]?$")
SIGNUP_BY_TITLE = r"^我(?:要)?报名(?:参加)?\s*(?P<what>.{1,30}?)\s*[。.!！]?$"


def _about_training(ctx: Context) -> bool:
    return "培训" in ctx.text or "课" in ctx.text


async def sign_up(ctx: Context, kind: GatheringKind, n: int) -> Replies:
    g = await gatherings.get(ctx.session, kind, n)
    if g is None:
        return msg.not_found(kind, n)
    result = await gatherings.sign_up(ctx.session, g, ctx.userid, ctx.now)
    if not result.ok:
        return Text(content=result.message)
    log.info("%s %s signup by %s", kind.value, n, pseudo(ctx.userid))
    return Text(content=msg.signed_up(ctx, g, await gatherings.signed_count(ctx.session, g)))


@router.card(TrainingSignupCard, action=SIGNUP)
@router.card(ActivitySignupCard, action=SIGNUP)
async def pressed(ctx: Context) -> Replies:
    card = ctx.card
    assert isinstance(card, (TrainingSignupCard, ActivitySignupCard))
    return await sign_up(ctx, CARDS[type(card)], card.number)


@router.route(filters.known, filters.card(f"{TrainingSignupCard.prefix}:"))
@router.route(filters.known, filters.card(f"{ActivitySignupCard.prefix}:"))
async def stale(ctx: Context) -> Replies:
    """A ``talent:`` / ``teams:`` key that is no sign-up (an old card)."""
    key = getattr(ctx.event, "event_key", "")
    return msg.stale(GatheringKind.TRAINING if TrainingSignupCard.matches_prefix(key) else GatheringKind.ACTIVITY)


@router.message(regex=SIGNUP_TEXT)
async def by_number(ctx: Context) -> Replies:
    assert ctx.match is not None
    kind, n = msg.kind_of(ctx.match["kind"]), int(ctx.match["n"])
    if not ctx.match["cancel"]:
        return await sign_up(ctx, kind, n)
    g = await gatherings.get(ctx.session, kind, n)
    if g is None:
        return msg.not_found(kind, n)
    await gatherings.cancel_signup(ctx.session, g, ctx.userid, ctx.now)
    return Text(content=msg.withdrawn(g))


@router.message(_about_training, regex=SIGNUP_BY_TITLE)
async def by_title(ctx: Context) -> Replies:
    assert ctx.match is not None and ctx.sender is not None
    hits = await gatherings.matching(ctx.session, GatheringKind.TRAINING, ctx.match["what"], ctx.now,
                                     ctx.sender.team)
    if len(hits) == 1:
        return await sign_up(ctx, GatheringKind.TRAINING, hits[0].number)
    if not hits:
        return Text(content=msg.NO_MATCH)
    return Text(content=msg.several(ctx, hits))
