"""Slash commands nobody took, and the command list: generated from the routers' registered commands.

Each domain registers its commands with ``@router.command(..., usage=, summary=, roles=)``; the help a
person gets lists those their role may use, in the registry's order.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot import filters
from bot.dispatcher import NOT_HANDLED, CommandInfo, Context, Replies, Router
from bot.replies import Text

router = Router("commands")


def help_for(role: str, catalog: Sequence[CommandInfo], *, committee: bool = False) -> str:
    """``可用命令：`` and one line per command (and sub-command) ``role`` (a committee officer or not) may use.

    When a usage is registered twice (a general line and one for a role), the later line wins.
    """
    lines: dict[str, str] = {}
    for c in catalog:
        if c.visible_to(role, committee):
            lines[c.usage] = f"{c.usage} — {c.summary}" if c.summary else c.usage
    return "可用命令：\n" + "\n".join(lines.values())


@router.route(filters.known, filters.text)
async def unknown_command(ctx: Context) -> Replies:
    if not ctx.is_command:
        return NOT_HANDLED
    assert ctx.sender is not None
    return Text(content=f"没有这个命令：{ctx.text.split()[0]}\n{help_for(ctx.sender.role, ctx.catalog, committee=bool(ctx.sender.committee))}")
