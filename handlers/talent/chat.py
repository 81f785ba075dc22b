"""Free statements that fill the talent profile: "我会PLC编程" (a skill), "我考取了高压电工证" (a
certificate), "我想往技术岗发展" (a wish), and "推荐孙鹏进后备人才，理由是…" (a recommendation).

Taken when the parser reads the message as talent, or as other/small talk that reads like a
profile statement (short, not a question, not an everyday phrase such as "我会尽快处理").
"""

from __future__ import annotations

import re
from typing import Any

from bot import filters
from bot.dispatcher import NOT_HANDLED, Context, Replies
from bot.nlu import Intent
from bot.replies import Reply, Text
from handlers.talent import messages as msg
from handlers.talent import reserve
from handlers.talent.router import router
from storage import gatherings
from storage import talent as store
from storage.gatherings import GatheringKind
from storage.talent import ProfileField

CERT_RE = re.compile(r"(?:考了|考取了?|考下了?|考出了?|考过了|拿到了?|取得了?|获得了?)(?P<what>[^，,。.！!；;]{1,30}?(?:证书|证|资格))")
SKILL_RE = re.compile(r"^\s*我(?:会|擅长|熟悉|掌握了?|精通|懂)(?P<what>[^，,。.！!；;？?]{1,30})")
WISH_RE = re.compile(r"^\s*我(?:想|希望|打算|计划|准备)(?P<what>[^。.！!？?]{2,60})")
RECOMMEND_RE = re.compile(r"推荐")
RESERVE_WORD = re.compile(r"后备")
RECOMMEND_TARGET = re.compile(r"后备|人才|苗子|骨干|培养对象")
WISH_HINT = re.compile(r"发展|培训|学|考|岗|技能|技术|证|深造|提升|转正|晋升|讲师|师傅")
NOT_SKILL = re.compile(r"^(?:尽快|马上|立刻|去|来|把|在|跟|和|再|准时|按时|及时|注意|处理|联系|通知|转告|参加|到|帮)")
NOT_WISH = re.compile(r"^(?:问|请问|了解|咨询|知道|请假|反映|说|看看|查)")
WISH_TRIM = re.compile(r"^(?:以后|将来|今后|未来)")

STATEMENT_INTENTS = (Intent.TALENT, Intent.OTHER, Intent.SMALLTALK)
statement = filters.intent(*STATEMENT_INTENTS)
talent = filters.intent(Intent.TALENT)


def _text(ctx: Context) -> str:
    return ctx.text.strip()


def _reserve_word(ctx: Context) -> bool:
    return bool(RESERVE_WORD.search(ctx.text))


def _no_reserve_word(ctx: Context) -> bool:
    return not _reserve_word(ctx)


def _short_feedback_certificate(ctx: Context) -> dict[str, Any] | bool:
    """"我拿到了电工证" reads as feedback to the parser."""
    p = ctx.parse
    m = CERT_RE.search(_text(ctx))
    return bool(p and p.intent is Intent.FEEDBACK and p.ref is None and m and len(_text(ctx)) <= 30) and {"found": m}


def _recommendation(ctx: Context) -> bool:
    return bool(RECOMMEND_RE.search(ctx.text) and RECOMMEND_TARGET.search(ctx.text))


def _wish(ctx: Context) -> dict[str, Any] | bool:
    m = WISH_RE.match(_text(ctx))
    ok = m and not NOT_WISH.match(m["what"]) and (talent(ctx) or WISH_HINT.search(m["what"]))
    return bool(ok) and {"found": m}


def _certificate(ctx: Context) -> dict[str, Any] | bool:
    m = CERT_RE.search(_text(ctx))
    return bool(m and (talent(ctx) or len(_text(ctx)) <= 30)) and {"found": m}


def _skill(ctx: Context) -> dict[str, Any] | bool:
    t = _text(ctx)
    m = SKILL_RE.match(t)
    plain = len(t) <= 20 and not t.endswith(("?", "？", "吗", "呢"))
    return bool(m and not NOT_SKILL.match(m["what"]) and (talent(ctx) or plain)) and {"found": m}


async def _add(ctx: Context, field: ProfileField) -> Replies:
    what = ctx.extras["found"]["what"].strip(" ：:，,。.了")
    if len(what) < 2:
        return NOT_HANDLED
    if not await store.add_entry(ctx.session, ctx.userid, field, what, now=ctx.now):
        return Text(content=f"您的档案里已经有{field.label}“{what}”了。发“/我的档案”可以查看。")
    return Text(content=f"已记入您的人才档案（{field.label}）：{what}。发“/我的档案”可以查看。")


@router.message(filters.not_command, _short_feedback_certificate)
async def feedback_certificate(ctx: Context) -> Replies:
    return await _add(ctx, ProfileField.CERTIFICATES)


@router.message(filters.not_command, statement, _recommendation)
async def recommendation(ctx: Context) -> Replies:
    assert ctx.parse is not None
    return await reserve.recommend_in_words(ctx, _text(ctx), tuple(ctx.parse.others(None)))


@router.message(filters.not_command, talent, _reserve_word)
async def about_reserve(ctx: Context) -> Replies:
    """Asking about reserve talent in words gets the same answer whoever asks (nothing is revealed)."""
    return Text(content=msg.NO_RESERVE)


@router.message(filters.not_command, statement, _no_reserve_word, _wish)
async def wish(ctx: Context) -> Replies:
    what = WISH_TRIM.sub("", ctx.extras["found"]["what"].strip(" ：:，,。.")).strip()
    if len(what) < 2:
        return NOT_HANDLED
    added = await store.add_entry(ctx.session, ctx.userid, ProfileField.WISHES, what, now=ctx.now)
    head = f"已记下您的意愿：{what}。" if added else f"您的这个意愿（{what}）已经记下了。"
    if "培训" not in what and "报名" not in what and "学" not in what:
        return Text(content=head + "支部会结合大家的意愿安排培训，发“/我的档案”可以查看档案。")
    return await _offer_trainings(ctx, head, what)


async def _offer_trainings(ctx: Context, head: str, what: str) -> Replies:
    team = ctx.sender.team if ctx.sender else None
    if gatherings.keyword(what):
        hits = await gatherings.matching(ctx.session, GatheringKind.TRAINING, what, ctx.now, team)
    else:  # "我想参加培训": any upcoming training
        hits = await gatherings.upcoming(ctx.session, GatheringKind.TRAINING, ctx.now, team=team)
    if not hits:
        return Text(content=head + "近期还没有对应的培训，有了会通知大家。发“/培训”查看近期培训。")
    replies: list[Reply] = [Text(content=head + "近期正好有对应的培训：")]
    cnt = await gatherings.counts(ctx.session, [g.id for g in hits])
    for g in hits[:3]:
        desc = f"时间：{msg.when(ctx, g)}\n地点：{g.place or '另行通知'}\n{gatherings.quota(g, cnt[g.id][0])}"
        fallback = f"培训{g.number}「{g.title}」{msg.when(ctx, g)}，要参加请回复“报名 培训{g.number}”。"
        replies.append(msg.training_card(ctx.userid, g, desc, fallback))
    return replies


@router.message(filters.not_command, statement, _no_reserve_word, _certificate)
async def certificate(ctx: Context) -> Replies:
    return await _add(ctx, ProfileField.CERTIFICATES)


@router.message(filters.not_command, statement, _no_reserve_word, _skill)
async def skill(ctx: Context) -> Replies:
    return await _add(ctx, ProfileField.SKILLS)


@router.message(filters.not_command, talent, _no_reserve_word)
async def hint(ctx: Context) -> Replies:
    return Text(content=msg.TALENT_HINT)
