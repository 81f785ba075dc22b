"""/支部 and /争先: every branch, read-only, for committee officers; each view audited.

The event's session is scoped to the sender's branch; these views lift the scope
(``storage.scope.every_branch``) for their reads and write nothing but their audit line: for
the list and the ranking with no branch, for one branch with that branch (``in_branch``).
"""

from __future__ import annotations

import logging

from bot.context import COMMITTEE
from bot.dispatcher import Context, Replies
from bot.replies import Text
from handlers.committee import messages as msg
from handlers.committee.router import router
from storage import audit, committee
from storage.committee import Order
from storage.people import branches
from storage.scope import every_branch, in_branch

log = logging.getLogger(__name__)
VIEW = "committee_view"


def _weights(ctx: Context) -> dict[committee.BranchComponent, float] | Text:
    try:
        return committee.weights(ctx.settings.branch_weights)
    except committee.BranchWeightsError as exc:
        log.error("branch_weights setting invalid: %s", exc)
        return Text(content=msg.BAD_WEIGHTS.format(exc=exc))


@router.command("/支部", roles=(COMMITTEE,), usage="/支部 [页码|覆盖|代号]", summary="各支部情况，或一个支部的详情",
                denied=msg.DENIED.format(cmd="/支部"))
async def branch_view(ctx: Context) -> Replies:
    order, page, words = Order.OVERDUE, 1, []
    for word in ctx.args.split():
        if word.isdigit():
            page = int(word)
        elif word in msg.ORDER_WORDS:
            order = msg.ORDER_WORDS[word]
        else:
            words.append(word)
    w = _weights(ctx)
    if isinstance(w, Text):
        return w
    tz = ctx.settings.tz
    with every_branch(ctx.session):
        board = await committee.quarter(ctx.session, committee.quarter_start(ctx.today), ctx.now, tz, weights=w)
        if words:
            found = await branches.by_code(ctx.session, " ".join(words))
            figures = board.find(found.id) if found is not None else None
            if found is None or figures is None:
                return Text(content=msg.NO_BRANCH.format(word=" ".join(words)))
            detail = await committee.detail(ctx.session, found, ctx.now)
            with in_branch(ctx.session, found.id):
                await audit.record(ctx.session, ctx.now, ctx.userid, VIEW, "branch", found.id, found.code)
            return Text(content=msg.branch_detail(figures, detail, board, ctx.now, tz))
        text, pages = msg.branch_list(board, order, page, ctx.today)
        if text is None:
            return Text(content=msg.NO_PAGE.format(pages=pages))
        await audit.record(ctx.session, ctx.now, ctx.userid, VIEW, "branches", f"page {page}/{pages}", str(order))
    return Text(content=text)


@router.command("/争先", roles=(COMMITTEE,), usage="/争先 [季度] [页码]", summary="支部争先：季度支部排名",
                denied=msg.DENIED.format(cmd="/争先"))
async def branch_ranking(ctx: Context) -> Replies:
    page, words = 1, []
    for word in ctx.args.split():
        if word.isdigit() and len(word) < 4:
            page = int(word)
        else:
            words.append(word)
    first = committee.quarter_arg(" ".join(words) or None, ctx.today)
    if first is None:
        return Text(content=msg.RANK_USAGE)
    this = committee.quarter_start(ctx.today)
    if first > this:
        return Text(content=msg.NOT_YET.format(label=committee.quarter_label(first)))
    w = _weights(ctx)
    if isinstance(w, Text):
        return w
    with every_branch(ctx.session):
        board = await committee.quarter(ctx.session, first, ctx.now, ctx.settings.tz, weights=w)
        text, pages = msg.ranking(board, page, ctx.today, current=first == this)
        if text is None:
            return Text(content=msg.NO_PAGE.format(pages=pages))
        await audit.record(ctx.session, ctx.now, ctx.userid, VIEW, "branch_ranking", board.label, f"page {page}/{pages}")
    return Text(content=text)
