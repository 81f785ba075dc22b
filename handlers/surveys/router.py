"""征求意见: the secretary builds and publishes questionnaires; people answer one question at a time.

Precedence inside this router: open questions (``surveys.build`` while the secretary adds
questions, ``surveys.answer`` while someone answers), card clicks (``surveys:start:N``), then
the commands (``/问卷 ...``, ``继续问卷``, ``开始 [N]``).

While a ``surveys.*`` question is open, every message goes to the survey, except slash
commands other than ``/问卷``, which are left to their routers (the question stays open).
Replies never echo what someone answered, so the outbox holds no answers either.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot import filters
from bot.cards import button_card
from bot.dispatcher import NOT_HANDLED, Context, Replies, Router
from bot.events import AppEvent
from bot.replies import TEXT_LIMIT, Reply, Text, clip_bytes
from storage import audit, conversations, people, surveys
from storage.surveys.models import Survey, SurveyQuestion

router = Router("surveys")

STATE_BUILD = "surveys.build"
STATE_ANSWER = "surveys.answer"

SECRETARY_ONLY = "“/问卷 {sub}”只有支部书记可以使用。发“继续问卷”可以填写发给您的问卷。"
USAGE = (
    "问卷命令：\n/问卷 — 问卷列表、回收率\n/问卷 新建 标题 [匿名] — 新建问卷，然后逐条发题目\n"
    "/问卷 编辑 N — 继续给草稿添加题目\n/问卷 发布 N 全体|班组=运行一班|角色=党员 — 发出问卷\n"
    "/问卷 结果 N — 查看结果\n/问卷 关闭 N — 结束征求\n/问卷 继续 — 接着填写发给我的问卷"
)
BUILD_HELP = (
    "请逐条发送题目，一条消息一道题：\n"
    "· 单选 食堂满意度如何？ 满意/一般/不满意\n"
    "· 多选 希望增加哪些活动？ 读书会/球赛/参观\n"
    "· 问答 还有什么建议？\n"
    "发“撤销”删除上一题，发“完成”结束编辑。"
)
PAUSE_HINT = "（回复“暂停”可以稍后再答）"

COMMAND_RE = re.compile(r"^/问卷(?=$|\s)(.*)$", re.S)
RESUME_RE = re.compile(r"^(?:继续问卷|继续答题|继续作答|开始作答|开始答题|开始|填写问卷)\s*(?:[#＃]?\s*(\d{1,6}))?\s*[。.!！]?$")
PAUSE_RE = re.compile(r"^(暂停|稍后|稍后再答|稍后再说|等会|等会儿|等一下|先不答了|以后再答|退出)\s*[。.!！]?$")
DONE_RE = re.compile(r"^(完成|完成了|结束|好了|就这些)\s*[。.!！]?$")
UNDO_RE = re.compile(r"^(撤销|删除上一题|删掉上一题)\s*[。.!！]?$")
CANCEL_RE = re.compile(r"^(取消|不编了|退出)\s*[。.!！]?$")
QUESTION_RE = re.compile(r"^(单选|多选|问答)题?[\s:：]*(.*)$", re.S)
OPTION_SEP = re.compile(r"[/／|｜]")
CHOICE_SEP = re.compile(r"[\s、,，;；/／+＋]+")
TRAILING = "。.!！ "
FULLWIDTH = str.maketrans("０１２３４５６７８９", "0123456789")
CN_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}


class AnswerError(ValueError):
    """The answer cannot be understood; the message says how to answer."""


# --- parsing -------------------------------------------------------------------------


@dataclass(frozen=True)
class QuestionSpec:
    kind: str
    text: str
    options: tuple[str, ...] = ()


def parse_question(line: str) -> QuestionSpec:
    """``单选 食堂满意度如何？ 满意/一般/不满意`` -> a question.

    Raises:
        ValueError: with a Chinese explanation of what is wrong.
    """
    m = QUESTION_RE.match(line.strip())
    if not m:
        raise ValueError("没看懂这道题。" + BUILD_HELP)
    kind, rest = surveys.KIND_BY_CN[m.group(1)], m.group(2).strip()
    if kind == "text":
        if not rest:
            raise ValueError("问答题需要写上题目，例如“问答 还有什么建议？”")
        if len(rest) > surveys.QUESTION_LIMIT:
            raise ValueError(f"题目太长了，请控制在{surveys.QUESTION_LIMIT}字以内。")
        return QuestionSpec(kind, rest)
    parts = rest.split()
    if len(parts) >= 2 and OPTION_SEP.search(parts[-1]):
        text, raw = " ".join(parts[:-1]), parts[-1]
    else:
        cut = max(rest.rfind(c) for c in "？?：:")
        text, raw = (rest[:cut + 1], rest[cut + 1:]) if cut >= 0 else (rest, "")
    text = text.strip()
    options = [o.strip() for o in OPTION_SEP.split(raw) if o.strip()]
    cn = surveys.KIND_CN[kind]
    if not text:
        raise ValueError(f"{cn}题需要写上题目，例如“{cn} 食堂满意度如何？ 满意/一般/不满意”。")
    if len(options) < 2:
        raise ValueError(f"{cn}题至少需要两个选项，选项之间用“/”隔开，题目和选项之间空一格，"
                         f"例如“{cn} 食堂满意度如何？ 满意/一般/不满意”。这道题没有保存。")
    if len(set(options)) != len(options):
        raise ValueError("选项有重复，请检查后重新发送这道题。")
    if len(options) > surveys.MAX_OPTIONS:
        raise ValueError(f"选项最多{surveys.MAX_OPTIONS}个。")
    if len(text) > surveys.QUESTION_LIMIT or any(len(o) > surveys.OPTION_LIMIT for o in options):
        raise ValueError(f"题目或选项太长了（题目{surveys.QUESTION_LIMIT}字、每个选项{surveys.OPTION_LIMIT}字以内）。")
    return QuestionSpec(kind, text, tuple(options))


def _clean(text: str) -> str:
    return text.strip().translate(FULLWIDTH).strip(TRAILING)


def _option_index(token: str, options: list[str]) -> int | None:
    """A 0-based option index from "2", "第2个", "二" or the option's text."""
    t = token.strip()
    folded = [o.casefold() for o in options]
    if t.casefold() in folded:
        return folded.index(t.casefold())
    t = re.sub(r"^(选|第)", "", t)
    t = re.sub(r"(个|项|号)$", "", t)
    if t.isdigit() and len(t) <= 3:
        i = int(t)
        return i - 1 if 1 <= i <= len(options) else None
    if t in CN_DIGITS and CN_DIGITS[t] <= len(options):
        return CN_DIGITS[t] - 1
    return None


def parse_choice(text: str, options: list[str], *, multi: bool) -> list[int]:
    """0-based option indexes, sorted.

    Raises:
        AnswerError: with what to send instead (never repeating what was sent).
    """
    n = len(options)
    t = _clean(text)
    if not t:
        raise AnswerError("请回复选项的序号。")
    whole = None if multi and t.isdigit() and len(t) > 1 else _option_index(t, options)
    if whole is not None:
        return [whole]
    if not multi:
        raise AnswerError(f"这是单选题，请回复 1 到 {n} 之间的一个序号，或者选项原文。")
    picked: list[int] = []
    for token in CHOICE_SEP.split(t):
        if not token:
            continue
        if token.isdigit() and len(token) > 1:
            as_whole = 1 <= int(token) <= n
            digits = [int(c) for c in token]
            as_digits = all(1 <= d <= n for d in digits) and len(set(digits)) == len(digits)
            if as_whole and as_digits:
                raise AnswerError(f"“{token}”可能是第{int(token)}项，也可能是几项连写，请用空格或顿号把序号隔开，例如“1 3”。")
            if as_digits:
                picked += [d - 1 for d in digits]
                continue
            if as_whole:
                picked.append(int(token) - 1)
                continue
            raise AnswerError(f"序号要在 1 到 {n} 之间，请用空格或顿号隔开，例如“1 3”。")
        i = _option_index(token, options)
        if i is None:
            raise AnswerError(f"有的内容不是选项。这是多选题，请回复 1 到 {n} 之间的序号，用空格或顿号隔开，例如“1 3”。")
        picked.append(i)
    if not picked:
        raise AnswerError("请回复选项的序号。")
    return sorted(set(picked))


def parse_answer(q: SurveyQuestion, text: str) -> list[int] | str:
    if q.kind == "text":
        t = text.strip()
        if not t:
            raise AnswerError("请直接回复您的意见。")
        return t[:surveys.TEXT_ANSWER_LIMIT]
    return parse_choice(text, surveys.options_of(q), multi=q.kind == "multi")


# --- helpers -------------------------------------------------------------------------


def _slash(text: str) -> str:
    t = text.strip()
    return "/" + t[1:] if t.startswith("／") else t


def _is_secretary(ctx: Context) -> bool:
    return ctx.sender is not None and ctx.sender.role == "secretary"


def _pct(x: float | None) -> str:
    return "—" if x is None else f"{x:.0%}"


def _label(s: Survey) -> str:
    return f"#{s.number}《{s.title}》"


def prompt(q: SurveyQuestion, total: int) -> str:
    """The question as sent to someone answering."""
    lines = [f"第{q.position}/{total}题（{surveys.KIND_CN[q.kind]}）：{q.text}"]
    options = surveys.options_of(q)
    lines += [f"{i + 1}. {o}" for i, o in enumerate(options)]
    if q.kind == "single":
        lines.append(f"请回复序号或选项，例如“1”。{PAUSE_HINT}")
    elif q.kind == "multi":
        lines.append(f"可以多选，请回复序号，用空格或顿号隔开，例如“1 3”。{PAUSE_HINT}")
    else:
        lines.append(f"请直接回复您的意见。{PAUSE_HINT}")
    return "\n".join(lines)


def chunks(lines: list[str], limit: int = TEXT_LIMIT) -> list[str]:
    """Pack lines into messages of at most ``limit`` UTF-8 bytes (an over-long line is clipped)."""
    out: list[str] = []
    current = ""
    for line in lines:
        line = clip_bytes(line, limit)
        candidate = f"{current}\n{line}" if current else line
        if len(candidate.encode("utf-8")) <= limit:
            current = candidate
            continue
        out.append(current)
        current = line
    if current:
        out.append(current)
    return out


def _number(rest: str) -> int | None:
    m = re.match(r"^[#＃]?\s*(\d{1,6})\b", rest.strip())
    return int(m.group(1)) if m else None


# --- open questions ------------------------------------------------------------------


@router.route(filters.known, filters.text)
async def pending_question(ctx: Context) -> Replies:
    state = ctx.state
    if state is None or state.expired or not state.kind.startswith("surveys."):
        return NOT_HANDLED
    if _slash(ctx.text).startswith("/"):
        return NOT_HANDLED  # "/问卷 ..." is taken by ``command`` below; other commands by their routers
    if state.kind == STATE_BUILD:
        return await _build_step(ctx, int(state.data["survey"]))
    if state.kind == STATE_ANSWER:
        return await _answer_step(ctx, int(state.data["survey"]))
    await conversations.clear(ctx.session, ctx.userid)
    ctx.state = None
    return NOT_HANDLED


async def _build_step(ctx: Context, n: int) -> Replies:
    survey = await surveys.get(ctx.session, n)
    if survey is None or survey.status != "draft" or not _is_secretary(ctx):
        await conversations.clear(ctx.session, ctx.userid)
        ctx.state = None
        return NOT_HANDLED
    text = ctx.text.strip()
    if DONE_RE.match(text) or CANCEL_RE.match(text):
        await conversations.clear(ctx.session, ctx.userid)
        count = len(await surveys.questions(ctx.session, survey.id))
        if count == 0:
            return Text(content=(f"问卷 {_label(survey)} 还没有题目，已保存为草稿。"
                                 f"要添加题目请发“/问卷 编辑 {n}”。"))
        return Text(content=(f"问卷 {_label(survey)} 已保存，共 {count} 题（草稿，尚未发出）。\n"
                             f"发布：/问卷 发布 {n} 全体（或 班组=运行一班、角色=党员）"))
    if UNDO_RE.match(text):
        removed = await surveys.remove_last_question(ctx.session, survey, now=ctx.now, actor=ctx.userid)
        await conversations.put(ctx.session, ctx.userid, STATE_BUILD, {"survey": n}, ctx.now)
        if removed is None:
            return Text(content="还没有题目可以撤销。请继续发题目，或发“完成”结束。")
        return Text(content=f"已删除第{removed.position}题：{removed.text}\n请继续发题目，或发“完成”结束。")
    await conversations.put(ctx.session, ctx.userid, STATE_BUILD, {"survey": n}, ctx.now)
    try:
        spec = parse_question(text)
    except ValueError as exc:
        return Text(content=str(exc))
    if len(await surveys.questions(ctx.session, survey.id)) >= surveys.MAX_QUESTIONS:
        return Text(content=f"一份问卷最多 {surveys.MAX_QUESTIONS} 题，请发“完成”结束编辑。")
    q = await surveys.add_question(ctx.session, survey, now=ctx.now, actor=ctx.userid, kind=spec.kind,
                                   text=spec.text, options=spec.options)
    options = f"（选项：{' / '.join(spec.options)}）" if spec.options else ""
    return Text(content=(f"已添加第{q.position}题【{surveys.KIND_CN[q.kind]}】{q.text}{options}\n"
                         f"继续发下一题，发“撤销”删除这一题，发“完成”结束。"))


async def _answer_step(ctx: Context, n: int) -> Replies:
    text = ctx.text.strip()
    survey = await surveys.get(ctx.session, n)
    rec = await surveys.recipient(ctx.session, survey.id, ctx.userid) if survey is not None else None
    if survey is None or rec is None:
        await conversations.clear(ctx.session, ctx.userid)
        ctx.state = None
        return NOT_HANDLED
    if survey.status != "open":
        await conversations.clear(ctx.session, ctx.userid)
        return Text(content=f"问卷{_label(survey)}已经结束，不再接收答案。您的这条回复没有记录，谢谢关注！")
    if rec.status == "done":
        await conversations.clear(ctx.session, ctx.userid)
        return Text(content=f"您已经答完问卷{_label(survey)}了，答案已提交，不能修改。谢谢！")
    qs = await surveys.questions(ctx.session, survey.id)
    if PAUSE_RE.match(text):
        await conversations.clear(ctx.session, ctx.userid)
        return Text(content=(f"好的，已保存进度（已答 {rec.position}/{len(qs)} 题）。"
                             f"想继续时回复“继续问卷”，会从第{rec.position + 1}题接着答。"))
    q = qs[rec.position]
    resume = RESUME_RE.match(text)
    if resume and resume.group(1) and int(resume.group(1)) != n:
        return await _resume(ctx, int(resume.group(1)), explicit=True)  # switch to another survey
    if resume:
        await conversations.put(ctx.session, ctx.userid, STATE_ANSWER, {"survey": n, "position": rec.position},
                                ctx.now)
        return Text(content=prompt(q, len(qs)))
    try:
        value = parse_answer(q, text)
    except AnswerError as exc:
        await conversations.put(ctx.session, ctx.userid, STATE_ANSWER, {"survey": n, "position": rec.position},
                                ctx.now)
        return Text(content=f"{exc}\n\n{prompt(q, len(qs))}")
    finished = await surveys.answer(ctx.session, survey, q, rec, value, now=ctx.now, inbox_id=ctx.inbox_id)
    if finished:
        await conversations.clear(ctx.session, ctx.userid)
        return Text(content=f"问卷{_label(survey)}已全部答完，谢谢您的意见！答案已提交，不能修改。")
    await conversations.put(ctx.session, ctx.userid, STATE_ANSWER, {"survey": n, "position": rec.position}, ctx.now)
    return Text(content=f"已记录。\n\n{prompt(qs[rec.position], len(qs))}")


# --- card clicks ---------------------------------------------------------------------

CARD_KEY = re.compile(r"^surveys:start:(\d{1,6})$")


@router.route(filters.known, filters.card("surveys:"))
async def card_click(ctx: Context) -> Replies:
    assert isinstance(ctx.event, AppEvent)
    key = ctx.event.event_key
    m = CARD_KEY.match(key)
    if not m:
        return Text(content="这个按钮已失效，请回复“继续问卷”。")
    return await _resume(ctx, int(m.group(1)), explicit=True)


# --- commands ------------------------------------------------------------------------


@router.route(filters.known, filters.text)
async def command(ctx: Context) -> Replies:
    text = _slash(ctx.text)
    m = RESUME_RE.match(text)
    if m:
        n = int(m.group(1)) if m.group(1) else None
        return await _resume(ctx, n, explicit=text.strip(TRAILING) != "开始" or n is not None)
    m = COMMAND_RE.match(text)
    if m is None:
        return NOT_HANDLED
    rest = m.group(1).strip()
    sub, _, arg = rest.partition(" ")
    sub, arg = sub.strip(), arg.strip()
    if sub in ("继续", "开始", "作答"):
        return await _resume(ctx, _number(arg), explicit=True)
    if sub in ("", "列表") and not _is_secretary(ctx):
        return await _mine(ctx)
    if sub in ("帮助", "help"):
        return Text(content=USAGE)
    if not _is_secretary(ctx):
        return Text(content=SECRETARY_ONLY.format(sub=sub))
    if sub in ("", "列表"):
        return await _list(ctx)
    if sub == "新建":
        return await _new(ctx, arg)
    if sub in ("编辑", "添加"):
        return await _edit(ctx, arg)
    if sub == "发布":
        return await _publish(ctx, arg)
    if sub == "结果":
        return await _results(ctx, arg)
    if sub in ("关闭", "结束"):
        return await _close(ctx, arg)
    return Text(content=f"没有“{sub}”这个问卷命令。\n{USAGE}")


async def _new(ctx: Context, arg: str) -> Replies:
    words = arg.split()
    anonymous = bool(words) and words[-1] in ("匿名", "[匿名]")
    if anonymous:
        words = words[:-1]
    title = " ".join(words).strip()
    if not title:
        return Text(content="问卷标题不能为空。用法：/问卷 新建 标题 [匿名]，例如“/问卷 新建 食堂意见征求 匿名”。")
    if len(title) > surveys.TITLE_LIMIT:
        return Text(content=f"标题太长了，请控制在{surveys.TITLE_LIMIT}字以内。")
    survey = await surveys.create(ctx.session, now=ctx.now, actor=ctx.userid, title=title, anonymous=anonymous)
    await conversations.put(ctx.session, ctx.userid, STATE_BUILD, {"survey": survey.number}, ctx.now)
    kind = "匿名问卷（答案不记录答卷人）" if anonymous else "实名问卷"
    return Text(content=f"已新建问卷 {_label(survey)}，{kind}。\n{BUILD_HELP}")


async def _draft(ctx: Context, arg: str, usage: str) -> Survey | Text:
    n = _number(arg)
    if n is None:
        return Text(content=usage)
    survey = await surveys.get(ctx.session, n)
    if survey is None:
        return Text(content=f"没有编号 #{n} 的问卷。发“/问卷”可以查看全部问卷。")
    return survey


async def _edit(ctx: Context, arg: str) -> Replies:
    found = await _draft(ctx, arg, "用法：/问卷 编辑 N")
    if isinstance(found, Text):
        return found
    if found.status != "draft":
        return Text(content=f"问卷 {_label(found)} 已经发布，不能再改题目。")
    await conversations.put(ctx.session, ctx.userid, STATE_BUILD, {"survey": found.number}, ctx.now)
    count = len(await surveys.questions(ctx.session, found.id))
    return Text(content=f"继续编辑问卷 {_label(found)}（已有 {count} 题）。\n{BUILD_HELP}")


async def _audience(ctx: Context, raw: str) -> tuple[str, list[str]] | str:
    """``全体`` / ``班组=X`` / ``角色=党员`` -> (audience, userids), or an error message."""
    everyone = await people.all_people(ctx.session)
    raw = raw.strip()
    if raw in ("全体", "全部", "所有人"):
        return "all", [p.userid for p in everyone]
    m = re.match(r"^(班组|角色)\s*[=＝:：]?\s*(\S+)$", raw)
    if not m:
        return "请写明发给谁：全体、班组=班组名 或 角色=党员/书记/员工，例如“/问卷 发布 1 班组=运行一班”。"
    what, value = m.group(1), m.group(2)
    if what == "班组":
        teams = sorted({p.team for p in everyone if p.team})
        if value not in teams:
            return f"没有班组“{value}”。现有班组：{'、'.join(teams)}。问卷没有发布。"
        return f"team:{value}", [p.userid for p in everyone if p.team == value]
    roles = {cn: r for r, cn in surveys.ROLE_CN.items()}
    if value not in roles:
        return f"没有角色“{value}”，可选：党员、书记、员工。问卷没有发布。"
    wanted = surveys.ROLE_AUDIENCE[roles[value]]
    return f"role:{roles[value]}", [p.userid for p in everyone if p.role in wanted]


async def _publish(ctx: Context, arg: str) -> Replies:
    usage = "用法：/问卷 发布 N 全体|班组=运行一班|角色=党员"
    found = await _draft(ctx, arg, usage)
    if isinstance(found, Text):
        return found
    survey = found
    if survey.status == "open":
        return Text(content=f"问卷 {_label(survey)} 已经发布了，正在征求意见，不能重复发布。")
    if survey.status == "closed":
        return Text(content=f"问卷 {_label(survey)} 已经结束，不能再发布。")
    qs = await surveys.questions(ctx.session, survey.id)
    if not qs:
        return Text(content=f"问卷 {_label(survey)} 还没有题目，不能发布。请先发“/问卷 编辑 {survey.number}”添加题目。")
    target = re.sub(r"^[#＃]?\s*\d{1,6}", "", arg.strip(), count=1).strip()
    if not target:
        return Text(content=usage)
    picked = await _audience(ctx, target)
    if isinstance(picked, str):
        return Text(content=picked)
    audience, userids = picked
    if not userids:
        return Text(content=f"{surveys.audience_cn(audience)}没有人，问卷没有发布。")
    count = await surveys.publish(ctx.session, survey, userids, audience, now=ctx.now, actor=ctx.userid)
    if ctx.state is not None and ctx.state.kind == STATE_BUILD and ctx.state.data.get("survey") == survey.number:
        await conversations.clear(ctx.session, ctx.userid)
    anon = "，匿名填写，不记录答卷人" if survey.anonymous else ""
    line = f"支部征求意见：《{survey.title}》共 {len(qs)} 题{anon}，回复“开始”作答"
    replies: list[Reply] = [Text(content=(f"已发布问卷 {_label(survey)}（{len(qs)} 题），"
                                          f"发给{surveys.audience_cn(audience)}共 {count} 人。"
                                          f"发“/问卷 结果 {survey.number}”查看回收情况。"))]
    for u in userids:
        replies.append(button_card(u, title=f"支部征求意见：《{survey.title}》",
                                   desc=f"共 {len(qs)} 题{anon}。点“开始作答”或回复“开始”。",
                                   buttons=[("开始作答", f"surveys:start:{survey.number}")], fallback=line,
                                   task_prefix=f"survey{survey.number}"))
    return replies


async def _close(ctx: Context, arg: str) -> Replies:
    found = await _draft(ctx, arg, "用法：/问卷 关闭 N")
    if isinstance(found, Text):
        return found
    if found.status == "draft":
        return Text(content=f"问卷 {_label(found)} 还没有发布，不用关闭。")
    if found.status == "closed":
        return Text(content=f"问卷 {_label(found)} 已经关闭了。")
    await surveys.close(ctx.session, found, now=ctx.now, actor=ctx.userid)
    prog = (await surveys.progress(ctx.session, [found.id])).get(found.id, surveys.Progress())
    return Text(content=(f"已关闭问卷 {_label(found)}，不再接收答案。回收 {prog.done}/{prog.recipients}"
                         f"（{_pct(prog.rate)}）。发“/问卷 结果 {found.number}”查看结果。"))


async def _list(ctx: Context) -> Replies:
    rows, total = await surveys.list_surveys(ctx.session, limit=20)
    if not rows:
        return Text(content="还没有问卷。新建：/问卷 新建 标题 [匿名]")
    ids = [s.id for s in rows]
    counts = await surveys.question_counts(ctx.session, ids)
    prog = await surveys.progress(ctx.session, ids)
    lines = [f"问卷共 {total} 份（最新在前）："]
    for s in rows:
        line = f"#{s.number}《{s.title}》{surveys.STATUS_CN.get(s.status, s.status)}"
        line += "·匿名" if s.anonymous else ""
        line += f"，{counts.get(s.id, 0)} 题"
        if s.status != "draft":
            p = prog.get(s.id, surveys.Progress())
            line += f"，{surveys.audience_cn(s.audience)}，回收 {p.done}/{p.recipients}（{_pct(p.rate)}）"
        lines.append(line)
    lines.append("查看结果：/问卷 结果 N；更多命令：/问卷 帮助")
    return [Text(content=c) for c in chunks(lines)]


async def _mine(ctx: Context) -> Replies:
    pending = await surveys.unfinished_for(ctx.session, ctx.userid)
    if not pending:
        return Text(content="目前没有需要您填写的问卷。")
    lines = ["待您填写的问卷："]
    for s, r in pending:
        total = len(await surveys.questions(ctx.session, s.id))
        lines.append(f"#{s.number}《{s.title}》已答 {r.position}/{total} 题")
    lines.append("回复“继续问卷”接着作答（或“开始 N”填写指定的一份）。")
    return Text(content="\n".join(lines))


async def _results(ctx: Context, arg: str) -> Replies:
    found = await _draft(ctx, arg, "用法：/问卷 结果 N")
    if isinstance(found, Text):
        return found
    survey = found
    res = await surveys.results(ctx.session, survey)
    await audit.record(ctx.session, ctx.now, ctx.userid, "survey_results_view", "survey", survey.id,
                       f"#{survey.number}")
    p = res.progress
    kind = "匿名" if survey.anonymous else "实名"
    lines = [f"问卷 {_label(survey)} 结果（{kind}，{surveys.STATUS_CN.get(survey.status, survey.status)}）"]
    if survey.status == "draft":
        lines.append(f"尚未发布，共 {len(res.questions)} 题。")
    else:
        lines.append(f"回收率：{p.done}/{p.recipients}（{_pct(p.rate)}），作答中 {p.answering} 人")
    names: dict[str, str] = {}
    if not survey.anonymous:
        names = {e.userid: e.name for e in await people.all_people(ctx.session)}
    for q in res.questions:
        if q.kind == "text":
            lines.append(f"{q.position}. {q.text}（问答，{q.answered} 条）")
            for who, text in q.texts:
                prefix = f"{names.get(who, who)}：" if who else ""
                lines.append(f"　· {prefix}{text}")
            continue
        lines.append(f"{q.position}. {q.text}（{surveys.KIND_CN[q.kind]}，{q.answered} 人作答）")
        for i, option in enumerate(q.options):
            lines.append(f"　{option}：{q.counts[i]} 人（{_pct(q.share(i))}）")
    return [Text(content=c) for c in chunks(lines)]


async def _resume(ctx: Context, n: int | None, *, explicit: bool) -> Replies:
    """Start or continue answering survey ``n`` (or the person's first unfinished one)."""
    if n is None:
        pending = await surveys.unfinished_for(ctx.session, ctx.userid)
        if not pending:
            if not explicit:
                return NOT_HANDLED  # a bare "开始" that is not about a survey
            return Text(content="目前没有需要您填写的问卷。")
        survey, rec = pending[0]
    else:
        found = await surveys.get(ctx.session, n)
        if found is None or found.status == "draft":
            return Text(content=f"没有编号 #{n} 的问卷。")
        survey = found
        got = await surveys.recipient(ctx.session, survey.id, ctx.userid)
        if got is None:
            return Text(content=f"问卷{_label(survey)}不是发给您的，谢谢关注。")
        rec = got
        if survey.status == "closed":
            return Text(content=f"问卷{_label(survey)}已经结束，不再接收答案。谢谢关注！")
        if rec.status == "done":
            return Text(content=f"您已经答完问卷{_label(survey)}了，答案已提交，不能重复作答。谢谢！")
    qs = await surveys.questions(ctx.session, survey.id)
    await surveys.start(ctx.session, survey, rec, now=ctx.now)
    await conversations.put(ctx.session, ctx.userid, STATE_ANSWER,
                            {"survey": survey.number, "position": rec.position}, ctx.now)
    if rec.position == 0:
        anon = "本问卷匿名，不记录您是谁。" if survey.anonymous else ""
        head = f"支部征求意见《{survey.title}》共 {len(qs)} 题，一题一题回答即可。{anon}"
    else:
        head = f"接着填写《{survey.title}》：已答 {rec.position}/{len(qs)} 题。"
    return Text(content=f"{head}\n\n{prompt(qs[rec.position], len(qs))}")
