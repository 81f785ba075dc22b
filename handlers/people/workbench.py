"""``/后台``: a one-time link to the workbench for a desktop browser (valid 10 minutes, single use).

On a phone the workbench opens from the app's 应用主页 (OAuth2); on a desktop there is no WeCom login,
so the bot hands out a link that logs its holder in once as the person who asked.
"""

from __future__ import annotations

from bot.dispatcher import Context, Replies
from bot.replies import Text
from bot.web.auth import create_login_link
from handlers.people.router import router

NO_ADDRESS = "工作台还没有配置对外地址（SIJING_PUBLIC_URL），暂时无法生成登录链接，请联系管理员。"


def _link_text(link: str) -> str:
    return ("四精助手工作台登录链接（10 分钟内有效，只能使用一次，请勿转发）：\n"
            f"{link}\n在手机上可直接从企业微信工作台打开“四精助手”。")


@router.command("/后台", "/工作台", usage="/后台", summary="获取电脑端工作台的一次性登录链接")
async def workbench_link(ctx: Context) -> Replies:
    if not ctx.settings.public_url:
        return Text(content=NO_ADDRESS)
    link = await create_login_link(ctx.session, ctx.userid, ctx.now, ctx.settings)
    return Text(content=_link_text(link))
