"""The secretary's ``/问卷`` sub-commands: 新建, 编辑, 发布, 关闭, the list with response rates, 结果."""

from __future__ import annotations

import re

from bot.cards import button_card
from bot.dispatcher import Context, Replies
from bot.replies import Reply, Text
from handlers.surveys import messages as msg
from handlers.surveys import parsing
from handlers.surveys.states import SurveyCard, SurveyStates
from storage import audit, people, surveys
from storage.surveys import AudienceRole, QuestionKind, Survey, SurveyStatus, audience_label, label

AUDIENCE = re.compile(r"^(班组|角色)\s*[=＝:：]?\s*(\S+)$")
EVERYONE = ("全体", "全部", "所有人")
ANONYMOUS = ("匿名", "[匿名]")


async def _survey(ctx: Context, arg: str, usage: str) -> Survey | Text:
    """The survey whose number ``arg`` starts with, or what to say instead."""
    n = parsing.number(arg)
    if n is None:
        return Text(content=usage)
    survey = await surveys.get(ctx.session, n)
    if survey is None:
        return Text(content=f"{msg.not_found(n)}发“/问卷”可以查看全部问卷。")
    return survey


async def _edit_draft(ctx: Context, survey: Survey, head: str) -> Replies:
    """Open the build question for ``survey``."""
    await ctx.fsm.set(SurveyStates.build, {"survey": survey.number}, prompt=msg.building(survey))
    return Text(content=f"{head}\n{msg.BUILD_HELP}")


async def new(ctx: Context, arg: str) -> Replies:
    words = arg.split()
    anonymous = bool(words) and words[-1] in ANONYMOUS
    title = " ".join(words[:-1] if anonymous else words).strip()
    if not title:
        return Text(content=msg.NEW_USAGE)
    if len(title) > surveys.TITLE_LIMIT:
        return Text(content=f"标题太长了，请控制在{surveys.TITLE_LIMIT}字以内。")
    survey = await surveys.create(ctx.session, now=ctx.now, actor=ctx.userid, title=title, anonymous=anonymous)
    kind = "匿名问卷（答案不记录答卷人）" if anonymous else "实名问卷"
    return await _edit_draft(ctx, survey, f"已新建问卷 {label(survey)}，{kind}。")


async def edit(ctx: Context, arg: str) -> Replies:
    found = await _survey(ctx, arg, "用法：/问卷 编辑 N")
    if isinstance(found, Text):
        return found
    surveys.check(surveys.Action.EDIT, found)
    count = len(await surveys.questions(ctx.session, found.id))
    return await _edit_draft(ctx, found, f"继续编辑问卷 {label(found)}（已有 {count} 题）。")


async def _audience(ctx: Context, raw: str) -> tuple[str, list[str]] | str:
    """``全体`` / ``班组=X`` / ``角色=党员`` -> (audience, userids), or why not."""
    everyone = await people.all_people(ctx.session)
    raw = raw.strip()
    if raw in EVERYONE:
        return "all", [p.userid for p in everyone]
    m = AUDIENCE.match(raw)
    if not m:
        return msg.AUDIENCE_USAGE
    what, value = m.group(1), m.group(2)
    if what == "班组":
        teams = sorted({p.team for p in everyone if p.team})
        if value not in teams:
            return f"没有班组“{value}”。现有班组：{'、'.join(teams)}。问卷没有发布。"
        return f"team:{value}", [p.userid for p in everyone if p.team == value]
    role = next((r for r in AudienceRole if r.label == value), None)
    if role is None:
        return f"没有角色“{value}”，可选：{'、'.join(r.label for r in AudienceRole)}。问卷没有发布。"
    return f"role:{role.value}", [p.userid for p in everyone if p.role in role.roster_roles]


async def publish(ctx: Context, arg: str) -> Replies:
    found = await _survey(ctx, arg, msg.PUBLISH_USAGE)
    if isinstance(found, Text):
        return found
    survey = found
    await surveys.may_publish(ctx.session, survey)  # a draft with questions (checked again under the lock)
    target = parsing.NUMBER.sub("", arg.strip(), count=1).strip()
    if not target:
        return Text(content=msg.PUBLISH_USAGE)
    picked = await _audience(ctx, target)
    if isinstance(picked, str):
        return Text(content=picked)
    audience, userids = picked
    if not userids:
        return Text(content=f"{audience_label(audience)}没有人，问卷没有发布。")
    count = await surveys.publish(ctx.session, survey, userids, audience, now=ctx.now, actor=ctx.userid)
    if ctx.fsm.in_state(SurveyStates.build) and ctx.fsm.data.get("survey") == survey.number:
        await ctx.fsm.clear()
    total = len(await surveys.questions(ctx.session, survey.id))
    anon = "，匿名填写，不记录答卷人" if survey.anonymous else ""
    line = f"支部征求意见：《{survey.title}》共 {total} 题{anon}，回复“开始”作答"
    replies: list[Reply] = [Text(content=(f"已发布问卷 {label(survey)}（{total} 题），"
                                          f"发给{audience_label(audience)}共 {count} 人。"
                                          f"发“/问卷 结果 {survey.number}”查看回收情况。"))]
    for u in userids:
        replies.append(button_card(u, title=f"支部征求意见：《{survey.title}》",
                                   desc=f"共 {total} 题{anon}。点“开始作答”或回复“开始”。",
                                   buttons=[("开始作答", SurveyCard("start", survey.number).pack())], fallback=line,
                                   task_prefix=f"survey{survey.number}"))
    return replies


async def close(ctx: Context, arg: str) -> Replies:
    found = await _survey(ctx, arg, "用法：/问卷 关闭 N")
    if isinstance(found, Text):
        return found
    await surveys.close(ctx.session, found, now=ctx.now, actor=ctx.userid)
    prog = (await surveys.progress(ctx.session, [found.id])).get(found.id, surveys.Progress())
    return Text(content=(f"已关闭问卷 {label(found)}，不再接收答案。回收 {prog.done}/{prog.recipients}"
                         f"（{msg.pct(prog.rate)}）。发“/问卷 结果 {found.number}”查看结果。"))


async def listing(ctx: Context, arg: str = "") -> Replies:
    found = await surveys.list_surveys(ctx.session, limit=20)
    if not found.rows:
        return Text(content="还没有问卷。新建：/问卷 新建 标题 [匿名]")
    ids = [s.id for s in found.rows]
    counts = await surveys.question_counts(ctx.session, ids)
    prog = await surveys.progress(ctx.session, ids)
    lines = [f"问卷共 {found.total} 份（最新在前）："]
    for s in found.rows:
        line = f"{label(s)}{SurveyStatus.label_of(s.status)}" + ("·匿名" if s.anonymous else "")
        line += f"，{counts.get(s.id, 0)} 题"
        if s.status != SurveyStatus.DRAFT:
            p = prog.get(s.id, surveys.Progress())
            line += f"，{audience_label(s.audience)}，回收 {p.done}/{p.recipients}（{msg.pct(p.rate)}）"
        lines.append(line)
    lines.append("查看结果：/问卷 结果 N；更多命令：/问卷 帮助")
    return [Text(content=c) for c in msg.chunks(lines)]


async def results(ctx: Context, arg: str) -> Replies:
    found = await _survey(ctx, arg, "用法：/问卷 结果 N")
    if isinstance(found, Text):
        return found
    survey = found
    res = await surveys.results(ctx.session, survey)
    await audit.record(ctx.session, ctx.now, ctx.userid, "survey_results_view", "survey", survey.id,
                       f"#{survey.number}")
    p = res.progress
    kind = "匿名" if survey.anonymous else "实名"
    lines = [f"问卷 {label(survey)} 结果（{kind}，{SurveyStatus.label_of(survey.status)}）"]
    if survey.status == SurveyStatus.DRAFT:
        lines.append(f"尚未发布，共 {len(res.questions)} 题。")
    else:
        lines.append(f"回收率：{p.done}/{p.recipients}（{msg.pct(p.rate)}），作答中 {p.answering} 人")
    names = {} if survey.anonymous else await people.names(ctx.session)
    for q in res.questions:
        if q.kind == QuestionKind.TEXT:
            lines.append(f"{q.position}. {q.text}（问答，{q.answered} 条）")
            for who, text in q.texts:
                prefix = f"{names.get(who, who)}：" if who else ""
                lines.append(f"　· {prefix}{text}")
            continue
        lines.append(f"{q.position}. {q.text}（{QuestionKind.label_of(q.kind)}，{q.answered} 人作答）")
        for i, option in enumerate(q.options):
            lines.append(f"　{option}：{q.counts[i]} 人（{msg.pct(q.share(i))}）")
    return [Text(content=c) for c in msg.chunks(lines)]
