"""Texts naming a project (帮扶1号 / 帮扶#1 / 项目1, or — for progress and feedback — the key words of
an active project's title): progress and milestones from the lead and members, feedback from the
people the project is for, "怎么样了" for anyone involved.
"""

from __future__ import annotations

from typing import Any

from bot import filters
from bot.dispatcher import NOT_HANDLED, Context, Replies
from bot.nlu import Intent
from bot.replies import Reply, Text
from handlers.assist import messages as msg
from handlers.assist import parsing, views
from handlers.assist.router import router
from storage import assist as projects
from storage.assist import Action, Project, done_count, label


def _named(ctx: Context) -> dict[str, Any] | bool:
    """The text names a project number: gives ``reference`` (number, said 项目N)."""
    found = parsing.reference(ctx.text)
    return {"reference": found} if found else False


def _no_number(ctx: Context) -> bool:
    """Neither a project number (those are ``_named``'s, even when there is no such project) nor "#N",
    which names a deed."""
    return parsing.reference(ctx.text) is None and ctx.parse is not None and ctx.parse.ref is None


async def _by_title(ctx: Context) -> dict[str, Any] | bool:
    """Exactly one active project the sender is involved in has its title's key words in the text."""
    text = parsing.without_noise(ctx.text)
    found: list[Project] = []
    for p in await projects.active(ctx.session):
        avoid = {p.target, await msg.target_text(ctx, p)}
        if any(w in text for w in parsing.title_words(p.title, avoid)) and (await views.involvement(ctx, p)).involved:
            found.append(p)
    return {"project": found[0]} if len(found) == 1 else False


@router.message(filters.not_command, _named)
async def named_project(ctx: Context) -> Replies:
    n, maybe_other = ctx.extras["reference"]
    p = await projects.get_by_number(ctx.session, n)
    if p is None:
        return NOT_HANDLED if maybe_other else Text(content=msg.not_found(n))  # "项目3" may be another domain's
    return await _about(ctx, p, ctx.text.strip())


@router.message(filters.not_command, filters.intent(Intent.PROGRESS_REPORT, Intent.FEEDBACK), _no_number, _by_title)
async def project_by_title(ctx: Context) -> Replies:
    return await _about(ctx, ctx.extras["project"], ctx.text.strip())


async def _about(ctx: Context, p: Project, text: str) -> Replies:
    roles = await views.involvement(ctx, p)
    intent = ctx.parse.intent if ctx.parse is not None else None
    note = parsing.body(text)
    if intent == Intent.STATUS_QUERY and parsing.QUERY.search(text) and len(note) <= 12:
        return await views.show(ctx, p.number)
    said_feedback = bool(parsing.FEEDBACK.search(text))
    feedbackish = said_feedback or intent == Intent.FEEDBACK
    if roles.responsible and not (said_feedback and roles.affected and not roles.lead):
        return await _progress(ctx, p, text, note)
    if roles.affected:
        return await _feedback(ctx, p, note)
    if feedbackish:
        return Text(content=(f"谢谢！不过{label(p)}的意见由帮扶对象本人提出，"
                             f"您的这条意见没有记入项目。有其他问题可以直接告诉我。"))
    who = "" if roles.secretary else "您不在这个项目中，"
    return Text(content=(f"{label(p)}的进展由负责人{await msg.name(ctx, p.lead)}和责任党员反馈，"
                         f"{who}这条消息没有记入项目。发“/帮扶 {p.number}”可查看经过。"))


async def _progress(ctx: Context, p: Project, text: str, note: str) -> Replies:
    projects.check(Action.PROGRESS, p)  # a closed project takes no progress (checked again under the lock)
    ms = await projects.milestones(ctx.session, p.id)
    hit = parsing.milestone_in(text, ms)
    if hit is None and parsing.MS_NUMBER_DONE.search(text):
        return Text(content=f"{label(p)}没有这个里程碑，共 {len(ms)} 个。发“/帮扶 {p.number}”查看。")
    me = await msg.name(ctx, ctx.userid)
    replies: list[Reply] = []
    if hit is not None:
        await projects.complete_milestone(ctx.session, p, hit, now=ctx.now, actor=ctx.userid, note=note)
        nxt = projects.next_open(ms)
        tail = f"下一个：{msg.md(nxt.due)} {nxt.title}。" if nxt else "里程碑已全部完成，负责人可用“/帮扶 评估 …”评估结项。"
        replies.append(Text(content=f"已记录{label(p)} 里程碑{hit.position}「{hit.title}」完成"
                                    f"（{done_count(ms)}/{len(ms)}）。{tail}"))
        told = f"{label(p)} 里程碑{hit.position}「{hit.title}」已完成（{me}）。{tail}"
    else:
        await projects.add_progress(ctx.session, p, now=ctx.now, author=ctx.userid, text=note)
        replies.append(Text(content=f"已记录{label(p)}的进展。完成里程碑时请发“帮扶{p.number}号 里程碑N 完成”。"))
        told = f"{label(p)}有新进展（{me}）：{note}"
    for u in projects.team_of(p):
        if u != ctx.userid:
            replies.append(Text(to=u, content=told))
    return replies


async def _feedback(ctx: Context, p: Project, note: str) -> Replies:
    await projects.add_feedback(ctx.session, p, now=ctx.now, author=ctx.userid, text=note)
    lead = await msg.name(ctx, p.lead)
    replies: list[Reply] = [Text(content=f"谢谢您的意见，已记入{label(p)}并转告负责人{lead}。")]
    if p.lead != ctx.userid:
        replies.append(Text(to=p.lead, content=f"【帮扶意见】{label(p)}，{await msg.name(ctx, ctx.userid)}：{note}"))
    return replies
