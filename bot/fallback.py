"""Last resort: what nobody else took gets a short, useful answer."""

from __future__ import annotations

import unicodedata

from bot import clarify, filters
from bot.dispatcher import Context, Replies, Router
from bot.nlu import Intent
from bot.replies import Text

router = Router("fallback")

HELP = (
    "您好，我是四精助手。可以直接用一句话告诉我：\n"
    "· 反映问题或提建议，例如“食堂晚班没有热饭”\n"
    "· 需要关心帮助，例如“我父亲下周住院做手术”\n"
    "· 查询进度，例如“#12 进度”或“我反映的事怎么样了”\n"
    "· 满意或不满意，例如“#12 满意”\n"
    "· 今天谁值班\n"
    "党员同志还可以报告走访、跟进情况。"
)


CHINESE_PLEASE = ("I understand Chinese: please write to me in Chinese (a sentence is enough). "
                  "我能看懂中文，请用中文告诉我。\n")
FOREIGN_LETTERS = 3  # this many letters of another script, and no Chinese character: not Chinese


def _is_han(ch: str) -> bool:
    return "CJK UNIFIED IDEOGRAPH" in unicodedata.name(ch, "")


def _is_kana_or_hangul(ch: str) -> bool:
    name = unicodedata.name(ch, "")
    return name.startswith(("HIRAGANA", "KATAKANA", "HANGUL"))


def not_chinese(text: str) -> bool:
    """Written in another language: letters of another script and no Chinese character ("Hello, help?"), or
    Japanese / Korean (kana or hangul, with or without Chinese characters)."""
    letters = [ch for ch in text if ch.isalpha()]
    if any(_is_kana_or_hangul(ch) for ch in letters):
        return True
    if any(_is_han(ch) for ch in letters):
        return False
    return len(letters) >= FOREIGN_LETTERS


@router.route(filters.app_event("subscribe"))
async def welcome(ctx: Context) -> Replies:
    return Text(content=f"欢迎使用四精助手，{ctx.sender.name if ctx.sender else ''}！\n" + HELP)


@router.route(filters.app_event())
async def other_event(ctx: Context) -> Replies:
    """enter_agent, card events nobody claimed, etc.: no answer."""
    return None


@router.route(filters.media)
async def media(ctx: Context) -> Replies:
    return Text(content="暂时只能看懂文字消息，请把情况用文字发给我，谢谢！")


@router.route(filters.text)
async def help_text(ctx: Context) -> Replies:
    if ctx.parse is not None and ctx.parse.intent == Intent.FEEDBACK and ctx.parse.polarity == "satisfied":
        return Text(content="谢谢您的肯定！有什么问题或建议，随时直接发给我。")
    if not_chinese(ctx.text):
        return Text(content=CHINESE_PLEASE + HELP)
    smalltalk = ctx.parse is not None and ctx.parse.intent == Intent.SMALLTALK  # "你好呀", "这是干嘛用的": the help
    if ctx.sender is not None and not ctx.fsm.is_open and not smalltalk and clarify.wants_card(ctx.text):
        return await clarify.offer(ctx)  # "您是想：反映问题 / 报告走访 / 查进度 / …" instead of the help
    return Text(content=HELP)
