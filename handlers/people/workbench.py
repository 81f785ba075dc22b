"""The workbench from the chat: ``/后台`` (a one-time login link for a desktop browser) and ``/导出``
(the secretary's inspection workbook, sent as a file message).

The workbench itself is framework (``bot/web``); these are the person's way in, so they live with the
roster. ``/导出`` only queues an ``Attachment``: the sender builds the workbook when it delivers the row,
uploads it (``media/upload``) and sends the file, outside the event's transaction.
"""

from __future__ import annotations

import logging

from bot.dispatcher import Context, Replies
from bot.logsafe import pseudo
from bot.replies import Attachment, Text, TextCard
from bot.web import create_login_link
from handlers.people import messages as msg
from handlers.people.router import router
from storage import audit

log = logging.getLogger(__name__)

INTERNAL_WORDS = ("内部", "内部台账", "internal")
PUBLIC_WORDS = ("", "公开", "公开台账", "台账")


@router.command("/后台", "/工作台", usage="/后台", summary="获取工作台登录链接（电脑浏览器用，10 分钟内有效，只能用一次）")
async def login_link(ctx: Context) -> Replies:
    assert ctx.sender is not None
    try:
        url = await create_login_link(ctx.session, ctx.userid, ctx.now, ctx.settings)
    except ValueError:  # no SIJING_PUBLIC_URL: no absolute address to send
        log.error("/后台 asked by %s but SIJING_PUBLIC_URL is not set", pseudo(ctx.userid))
        return Text(content=msg.NO_PUBLIC_URL)
    return TextCard(title=msg.LINK_TITLE, description=msg.link_description(ctx.sender.role), url=url,
                    btntxt="登录")


@router.command("/导出", roles=("secretary",), usage="/导出", summary="把迎检台账（公开）以文件发给你",
                help=[("/导出 内部", "内部台账（含健康、家庭等敏感信息，留审计记录）", ("secretary",))],
                denied=msg.EXPORT_DENIED)
async def export(ctx: Context) -> Replies:
    assert ctx.sender is not None
    word = ctx.args.strip()
    if word not in INTERNAL_WORDS and word not in PUBLIC_WORDS:
        return Text(content=msg.EXPORT_USAGE)
    internal = word in INTERNAL_WORDS
    which = msg.INTERNAL if internal else msg.PUBLIC
    await audit.record(ctx.session, ctx.now, ctx.userid, "export_requested", "workbook", which, "via=chat")
    spec = {"kind": "inspection_workbook", "userid": ctx.userid, "branch": ctx.sender.branch_id,
            "internal": internal, "as_of": ctx.now.isoformat()}
    return [Text(content=msg.export_started(which, internal)),
            Attachment(build=spec, failed=msg.EXPORT_FAILED.format(which=which))]
