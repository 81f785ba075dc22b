"""What 办实事 says: the Chinese texts and the lines that describe an item."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from bot.dispatcher import Context
from bot.format import local
from bot.replies import Text
from storage import deeds, people
from storage.deeds import DeedCategory, DeedStatus, EventKind, Item, ItemEvent

SECRETARY_ONLY = "“{cmd}”只有支部书记可以使用。您可以发“/我的事项”查看自己反映的事。"
NO_ITEMS_YET = "您还没有反映过事项。有问题或建议，直接用一句话告诉我就行，例如“食堂晚班没有热饭”。"
ASSIGN_USAGE = "用法：/指派 #N 账号，例如“/指派 #12 zhouli”。"
CLOSE_USAGE = "用法：/关闭 #N 原因，例如“/关闭 #12 已当面沟通，本人同意销号”。"
STALE_BUTTON = "这个按钮已失效，请直接回复文字，例如“#12 进度”。"


def close_how(n: int) -> str:
    return f"请这样发：/关闭 #{n} 原因，例如“/关闭 #{n} 已当面沟通，本人同意销号”。"


def not_found(n: int) -> Text:
    return Text(content=f"没有找到编号 #{n} 的事项，请核对编号。发“/我的事项”可以查看您反映过的事。")


def not_a_deed(n: int) -> Text:
    return Text(content=f"#{n} 是突发事件，不是办实事事项。事件请发“/事件 {n}”查看和跟进。")


async def name(ctx: Context, userid: str | None) -> str:
    sender = getattr(ctx, "sender", None)
    if sender is not None and userid == sender.userid:
        return str(sender.name)  # read with the message
    return await people.name_of(ctx.session, userid)


async def names(ctx: Context, userids: Iterable[str | None]) -> Callable[[str | None], str]:
    """:func:`name` for many at once (one query): userid -> name, "支部" for nobody, the userid if unknown."""
    found = await people.names(ctx.session, {u for u in userids if u})
    return lambda userid: found.get(userid, userid) if userid else "支部"


def status(item: Item) -> str:
    return DeedStatus.label_of(item.status)


def category(item: Item) -> str:
    return DeedCategory.label_of(item.category, "其他")


def when(ctx: Context, moment: object, fmt: str = "%m-%d %H:%M") -> str:
    return local(moment, ctx.settings.tz, fmt)  # type: ignore[arg-type]


def split_prompt(titles: list[str]) -> str:
    n = len(titles)
    listed = "\n".join(f"{i}. {t}" for i, t in enumerate(titles, 1))
    return (f"这条消息里有 {n} 件事：\n{listed}\n要分成 {n} 条登记吗？"
            f"回复“是”分开登记，回复“否”登记成一条。")


def pick_prompt(items: list[Item]) -> str:
    options = "/".join(f"#{i.number} {i.title}" for i in items[:10])
    return f"你说的是哪一件？{options}\n请回复编号，例如“#{items[0].number}”。"


async def event_line(ctx: Context, e: ItemEvent) -> str:
    what = EventKind.label_of(e.kind)
    line = f"{when(ctx, e.at)} {await name(ctx, e.actor)} {what}"
    if e.kind == EventKind.ASSIGNED:
        before, _, after = e.note.partition("->")
        return f"{line}：{await name(ctx, before or None)} → {await name(ctx, after)}"
    if e.kind != EventKind.CREATED and e.note:
        line += f"：{e.note[:60]}"
    return line


async def describe(ctx: Context, item: Item) -> str:
    """An item and its whole history."""
    lines = [
        f"#{item.number} {item.title}" + ("（紧急）" if item.urgent else ""),
        f"状态：{status(item)}；类别：{category(item)}",
        f"反映人：{await name(ctx, item.requester)}；负责人：{await name(ctx, item.owner)}",
        f"提交：{when(ctx, item.created_at)}；目标办结：{when(ctx, item.due_at, '%m-%d')}",
    ]
    if item.close_reason:
        lines.append(f"销号原因：{item.close_reason}")
    lines.append("经过：")
    for e in await deeds.history(ctx.session, item.id):
        lines.append(await event_line(ctx, e))
    return "\n".join(lines)


def not_found_for_secretary(n: int) -> Text:
    """No deed #n, to the secretary (her commands): where to find the numbers in use."""
    return Text(content=f"没有找到编号 #{n} 的事项，请核对编号。发“/待办”可以查看未办结的事项及其编号。")
