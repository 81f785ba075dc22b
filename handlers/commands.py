"""Slash commands nobody took: show what is available to this person."""

from __future__ import annotations

from bot import filters
from bot.dispatcher import NOT_HANDLED, Context, Replies, Router
from bot.replies import Text

router = Router("commands")

EMPLOYEE = "可用命令：\n/我的事项 — 我反映的事和进度"
MEMBER = (
    "可用命令：\n/我的 — 我的责任区、待走访、待办事项\n/我的事项 — 我反映的事和进度"
)
SECRETARY = (
    "可用命令：\n/待办 — 未办结事项\n/逾期 — 逾期事项与逾期回访\n/指派 #N 账号 — 改派负责人\n"
    "/关闭 #N 原因 — 书记手工销号（须写明原因）\n/台账 — 重点关注人群台账\n/覆盖 — 责任区走访覆盖\n"
    "/路由 类别 账号 — 某类诉求默认交给谁\n/值班 日期 账号 [电话] — 排班\n/我的 — 我的责任区"
)


def help_for(role: str) -> str:
    return {"secretary": SECRETARY, "member": MEMBER}.get(role, EMPLOYEE)


@router.route(filters.known, filters.text)
async def unknown_command(ctx: Context) -> Replies:
    text = ctx.text.strip()
    if not text.startswith(("/", "／")):
        return NOT_HANDLED
    assert ctx.sender is not None
    return Text(content=f"没有这个命令：{text.split()[0]}\n{help_for(ctx.sender.role)}")
