"""精英培养: talent profiles, trainings, reserve talent (后备人才) and internal lecturers.

Precedence inside this router: card clicks (``talent:*``), slash commands owned here
(/我的档案 /档案 /培训 /签到 培训N /推荐 /考察 /认定 /后备 /讲师), "报名 培训N" texts, then
free statements (talent intent, or other/smalltalk that read like a profile statement).

Reserve talent is confidential: only party members and the secretary see candidacies, and a
candidate never sees their own candidacy or its review notes, whatever their role.
"""

from __future__ import annotations

import logging
import re
from datetime import datetime, timedelta
from bot import filters
from bot.cards import button_card
from bot.dispatcher import NOT_HANDLED, Context, Replies, Router
from bot.events import AppEvent
from bot.logsafe import pseudo
from bot.nlu import Intent
from bot.replies import Reply, Text
from storage import audit, gatherings, people
from storage import talent as store
from storage.gatherings.models import Gathering
from storage.talent.models import ReserveCandidate
from storage.people import RosterEntry

router = Router("talent")
log = logging.getLogger(__name__)

KIND = "training"
WEEKDAY_CN = "一二三四五六日"

TRAIN_CMD = re.compile(r"^\s*[/／]培训(?:\s+(?P<rest>.*?))?\s*$", re.S)
ATTEND_CMD = re.compile(r"^\s*[/／]签到\s*培训\s*[#＃]?\s*(?P<n>\d{1,6})\s*(?P<rest>.*?)\s*$", re.S)
PROFILE_MINE = re.compile(r"^\s*[/／]我的档案\s*$")
PROFILE_OF = re.compile(r"^\s*[/／]档案(?:\s+(?P<who>\S+))?\s*$")
RECOMMEND_CMD = re.compile(r"^\s*[/／]推荐(?:\s+(?P<who>\S+))?(?:\s+(?P<reason>.*?))?\s*$", re.S)
REVIEW_CMD = re.compile(r"^\s*[/／]考察(?:\s+(?P<rest>.*?))?\s*$", re.S)
DECIDE_CMD = re.compile(r"^\s*[/／]认定(?:\s+(?P<rest>.*?))?\s*$", re.S)
RESERVE_CMD = re.compile(r"^\s*[/／]后备(?:\s+(?P<who>\S+))?\s*$")
LECTURER_CMD = re.compile(r"^\s*[/／]讲师(?:\s+(?P<rest>.*?))?\s*$", re.S)
SIGNUP_TEXT = re.compile(r"^\s*(?:我要|我想|我)?(?P<cancel>取消)?报名\s*(?:参加)?\s*培训\s*[#＃]?\s*(?P<n>\d{1,6})"
                         r"\s*[。.!！]?\s*$")
SIGNUP_KEY = re.compile(r"^talent:signup:(\d{1,6})$")
SIGNUP_BY_TITLE = re.compile(r"^\s*我(?:要)?报名(?:参加)?\s*(?P<what>.{1,30}?)\s*[。.!！]?\s*$")
FIELD = re.compile(r"(时间|地点|名额|讲师|班组)\s*[=＝:：]")
WHEN = re.compile(r"^(?:(\d{4})[-/.年])?(\d{1,2})[-/.月](\d{1,2})[日号]?\s*(\d{1,2})[:：点](\d{2})?分?$")
NAME_SPLIT = re.compile(r"[,，、;；\s]+")

CERT_RE = re.compile(r"(?:考了|考取了?|考下了?|考出了?|考过了|拿到了?|取得了?|获得了?)(?P<what>[^，,。.！!；;]{1,30}?(?:证书|证|资格))")
SKILL_RE = re.compile(r"^\s*我(?:会|擅长|熟悉|掌握了?|精通|懂)(?P<what>[^，,。.！!；;？?]{1,30})")
WISH_RE = re.compile(r"^\s*我(?:想|希望|打算|计划|准备)(?P<what>[^。.！!？?]{2,60})")
RECOMMEND_RE = re.compile(r"推荐")
RESERVE_WORD = re.compile(r"后备")
RECOMMEND_TARGET = re.compile(r"后备|人才|苗子|骨干|培养对象")
REASON_RE = re.compile(r"理由\s*(?:是|为)?\s*[:：，,]?\s*(?P<r>.+)$", re.S)
WISH_HINT = re.compile(r"发展|培训|学|考|岗|技能|技术|证|深造|提升|转正|晋升|讲师|师傅")
NOT_SKILL = re.compile(r"^(?:尽快|马上|立刻|去|来|把|在|跟|和|再|准时|按时|及时|注意|处理|联系|通知|转告|参加|到|帮)")
NOT_WISH = re.compile(r"^(?:问|请问|了解|咨询|知道|请假|反映|说|看看|查)")
WISH_TRIM = re.compile(r"^(?:以后|将来|今后|未来)")
KEYWORD_NOISE = re.compile(r"我|想|要|报名|参加|一下|的|培训班?|课程?|学习|[。.!！，,]")

DECISIONS = {"通过": True, "同意": True, "认定": True, "不通过": False, "不同意": False, "未通过": False}

CREATE_USAGE = ("格式：/培训 新建 标题 时间=2026-12-03 14:00 地点=三楼会议室 名额=20 讲师=张敏"
                "（名额、讲师、班组=可不写；讲师须是内训师）")
HELP = ("/培训 — 近期培训和剩余名额\n/培训 N 名单 — 报名名单\n" + CREATE_USAGE + "\n"
        "/签到 培训N 张三,李四 — 登记到场\n报名：回复“报名 培训N”")
NO_RESERVE = "后备人才工作由支部统一组织，相关情况只在党员和支部书记范围内掌握。有问题可以当面找支部书记。"
MEMBERS_ONLY = "“{cmd}”只有党员和支部书记可以使用。"
SECRETARY_ONLY = "“{cmd}”只有支部书记可以使用。"


# --- helpers -----------------------------------------------------------------------


def _is_secretary(ctx: Context) -> bool:
    return ctx.sender is not None and ctx.sender.role == "secretary"


def _is_member(ctx: Context) -> bool:
    return ctx.sender is not None and ctx.sender.role in ("member", "secretary")


def _when(ctx: Context, dt: datetime) -> str:
    local = dt.astimezone(ctx.settings.tz)
    return f"{local.month}月{local.day}日（周{WEEKDAY_CN[local.weekday()]}）{local:%H:%M}"


async def _name(ctx: Context, userid: str | None) -> str:
    if not userid:
        return "—"
    p = await people.get(ctx.session, userid)
    return p.name if p else userid


async def _resolve(ctx: Context, token: str) -> tuple[RosterEntry | None, str]:
    """A roster entry by userid or exact name; else (None, a Chinese reason)."""
    token = token.strip()
    p = await people.get(ctx.session, token)
    if p is not None:
        return p, ""
    matches = [e for e in await people.all_people(ctx.session) if e.name == token]
    if len(matches) == 1:
        return matches[0], ""
    if matches:
        return None, f"名册里有 {len(matches)} 位“{token}”，请改用账号。"
    return None, f"名册里没有“{token}”，请核对姓名。"


def _fields(body: str) -> tuple[str, dict[str, str]] | None:
    hits = list(FIELD.finditer(body))
    title = body[: hits[0].start()].strip() if hits else body.strip()
    values: dict[str, str] = {}
    for i, h in enumerate(hits):
        end = hits[i + 1].start() if i + 1 < len(hits) else len(body)
        if h[1] in values:
            return None
        values[h[1]] = body[h.end():end].strip()
    return title, values


def _parse_when(raw: str, ctx: Context) -> datetime | None:
    m = WHEN.match(raw.strip())
    if not m:
        return None
    year = int(m[1]) if m[1] else ctx.today.year
    try:
        dt = datetime(year, int(m[2]), int(m[3]), int(m[4]), int(m[5] or 0), tzinfo=ctx.settings.tz)
    except ValueError:
        return None
    if not m[1] and dt < ctx.now - timedelta(days=1):
        dt = dt.replace(year=year + 1)
    return dt


async def _training(ctx: Context, n: int) -> Gathering | None:
    return await gatherings.get(ctx.session, KIND, n)


def _not_found(n: int) -> Text:
    return Text(content=f"没有找到培训{n}，请核对编号。发“/培训”可以查看近期培训。")


def _quota(g: Gathering, signed: int) -> str:
    left = gatherings.places_left(g, signed)
    return f"已报名 {signed}/{g.capacity}，剩余 {left} 个名额" if left is not None else f"已报名 {signed} 人（名额不限）"


def _may_manage(ctx: Context, g: Gathering) -> bool:
    return _is_secretary(ctx) or ctx.userid in (g.lecturer, g.created_by)


# --- card clicks ---------------------------------------------------------------------


@router.route(filters.known, filters.card("talent:"))
async def card_click(ctx: Context) -> Replies:
    assert isinstance(ctx.event, AppEvent)
    m = SIGNUP_KEY.match(ctx.event.event_key)
    if not m:
        return Text(content="这个按钮已失效，请回复“报名 培训编号”报名。")
    return await _sign_up(ctx, int(m[1]))


# --- slash commands ------------------------------------------------------------------


@router.route(filters.known, filters.text)
async def command(ctx: Context) -> Replies:
    text = ctx.text
    if not text.strip().startswith(("/", "／")):
        return NOT_HANDLED
    if PROFILE_MINE.match(text):
        return await _show_profile(ctx, ctx.sender)  # type: ignore[arg-type]
    if m := PROFILE_OF.match(text):
        return await _profile_of(ctx, m["who"])
    if m := TRAIN_CMD.match(text):
        return await _training_command(ctx, (m["rest"] or "").strip())
    if m := ATTEND_CMD.match(text):
        return await _attendance(ctx, int(m["n"]), m["rest"])
    if m := RECOMMEND_CMD.match(text):
        return await _recommend_command(ctx, m["who"], m["reason"] or "")
    if m := REVIEW_CMD.match(text):
        return await _review(ctx, (m["rest"] or "").strip())
    if m := DECIDE_CMD.match(text):
        return await _decide(ctx, (m["rest"] or "").strip())
    if m := RESERVE_CMD.match(text):
        return await _reserve_board(ctx, m["who"])
    if m := LECTURER_CMD.match(text):
        return await _lecturer_command(ctx, (m["rest"] or "").strip())
    return NOT_HANDLED


# --- profiles ------------------------------------------------------------------------


async def _profile_lines(ctx: Context, who: RosterEntry) -> list[str]:
    p = await store.profile(ctx.session, who.userid)
    attended = await gatherings.attended_by(ctx.session, who.userid, KIND)
    signed = [g for g in await gatherings.signed_up_for(ctx.session, who.userid, KIND)
              if g.status == "open" and g.starts_at > ctx.now]
    lec = await store.lecturer(ctx.session, who.userid)
    lines = [f"{who.name}（{who.team or '—'}）的人才档案："]
    lines.append("技能：" + ("、".join(store.skills(p)) or "暂无"))
    lines.append("证书：" + ("、".join(store.certificates(p)) or "暂无"))
    lines.append("参加培训：" + ("、".join(f"培训{g.number}「{g.title}」" for g in attended) or "暂无"))
    if signed:
        lines.append("已报名：" + "、".join(f"培训{g.number}「{g.title}」{_when(ctx, g.starts_at)}" for g in signed))
    wishes = store.wishes(p)
    lines.append("发展意愿：" + ("；".join(w["text"] for w in wishes) or "暂无"))
    if lec is not None:
        lines.append(f"内训师，专长：{lec.specialty}")
    return lines


async def _show_profile(ctx: Context, who: RosterEntry) -> Replies:
    lines = await _profile_lines(ctx, who)
    lines.append("补充档案直接说，例如“我会PLC编程”“我考取了高压电工证”“我想往技术岗发展”。")
    return Text(content="\n".join(lines))


async def _profile_of(ctx: Context, who: str | None) -> Replies:
    if not who:
        return await _show_profile(ctx, ctx.sender)  # type: ignore[arg-type]
    if not _is_member(ctx):
        return Text(content=MEMBERS_ONLY.format(cmd="/档案 姓名") + "查看自己的档案请发“/我的档案”。")
    target, why = await _resolve(ctx, who)
    if target is None:
        return Text(content=why)
    if target.userid == ctx.userid:
        return await _show_profile(ctx, target)
    await audit.record(ctx.session, ctx.now, ctx.userid, "talent_profile_viewed", "talent_profile", target.userid)
    return Text(content="\n".join(await _profile_lines(ctx, target)))


# --- /培训 ---------------------------------------------------------------------------


async def _training_command(ctx: Context, rest: str) -> Replies:
    if not rest:
        return await _upcoming(ctx)
    if rest.startswith("新建"):
        return await _create(ctx, rest[2:].strip())
    if m := re.match(r"^取消\s*(?:培训)?\s*[#＃]?\s*(\d{1,6})\s*$", rest):
        return await _cancel_training(ctx, int(m[1]))
    if m := re.match(r"^(?:培训)?\s*[#＃]?\s*(\d{1,6})\s*(名单)?\s*$", rest):
        return await _roll(ctx, int(m[1]))
    if rest in ("帮助", "用法"):
        return Text(content=HELP)
    return Text(content="没看懂。用法：\n" + HELP)


async def _upcoming(ctx: Context) -> Replies:
    assert ctx.sender is not None
    team = None if _is_secretary(ctx) else ctx.sender.team
    rows = await gatherings.upcoming(ctx.session, KIND, ctx.now, team=team)
    if not rows:
        return Text(content="近期没有培训。")
    cnt = await gatherings.counts(ctx.session, [g.id for g in rows])
    lines = ["近期培训："]
    for g in rows:
        lec = f"，讲师{await _name(ctx, g.lecturer)}" if g.lecturer else ""
        scope = f"，{g.team}" if g.team else ""
        lines.append(f"培训{g.number}「{g.title}」{_when(ctx, g.starts_at)}，{g.place or '地点另行通知'}{lec}{scope}；"
                     f"{_quota(g, cnt[g.id][0])}")
    lines.append(f"报名请回复“报名 培训{rows[0].number}”（换成要报的编号）。")
    return Text(content="\n".join(lines))


async def _create(ctx: Context, body: str) -> Replies:
    assert ctx.sender is not None
    own = await store.lecturer(ctx.session, ctx.userid)
    if not _is_secretary(ctx) and own is None:
        return Text(content="培训只能由支部书记或内训师发布。")
    parsed = _fields(body)
    if parsed is None:
        return Text(content="每一项只能写一次，培训没有发布。\n" + CREATE_USAGE)
    title, values = parsed
    if not title:
        return Text(content="请写培训标题，培训没有发布。\n" + CREATE_USAGE)
    if len(title) > 60:
        return Text(content="培训标题太长了，请控制在 60 字以内，培训没有发布。")
    if not values.get("时间"):
        return Text(content="请写培训时间，例如“时间=2026-12-03 14:00”，培训没有发布。\n" + CREATE_USAGE)
    starts = _parse_when(values["时间"], ctx)
    if starts is None:
        return Text(content=f"看不懂时间“{values['时间']}”，请写成“时间=2026-12-03 14:00”，培训没有发布。")
    if starts <= ctx.now:
        return Text(content=f"培训时间 {_when(ctx, starts)} 已经过去了，请核对后重发，培训没有发布。")
    capacity = 0
    if "名额" in values:
        raw = values["名额"].strip().rstrip("人名个位")
        if not raw.isdigit() or not 0 < int(raw) <= 10000:
            return Text(content=f"名额“{values['名额']}”不对，请写正整数，例如“名额=20”；不限名额就不写。培训没有发布。")
        capacity = int(raw)
    lecturer: str | None = ctx.userid if (own is not None and not _is_secretary(ctx)) else None
    if values.get("讲师"):
        who, why = await _resolve(ctx, values["讲师"])
        if who is None:
            return Text(content=why + "培训没有发布。")
        if await store.lecturer(ctx.session, who.userid) is None:
            return Text(content=f"{who.name}不在内训师名单里，培训没有发布。发“/讲师”查看名单；"
                                f"书记可用“/讲师 添加 姓名 专长”登记。")
        lecturer = who.userid
    elif "讲师" in values:
        return Text(content="讲师没写姓名，培训没有发布。")
    team = values.get("班组", "")
    if team:
        members = await people.team_members(ctx.session, team)
        if not members:
            teams = sorted({p.team for p in await people.all_people(ctx.session) if p.team})
            return Text(content=f"没有“{team}”这个班组，培训没有发布。班组：" + "、".join(teams))
    place = values.get("地点", "")[:120]
    g = await gatherings.create(ctx.session, kind=KIND, title=title, starts_at=starts, place=place,
                                capacity=capacity, created_by=ctx.userid, now=ctx.now, lecturer=lecturer, team=team)
    log.info("training %s created by %s", g.number, pseudo(ctx.userid))
    audience = await people.team_members(ctx.session, team) if team else await people.all_people(ctx.session)
    lec_name = await _name(ctx, lecturer) if lecturer else "待定"
    quota = f"名额 {capacity} 人" if capacity else "名额不限"
    desc = (f"时间：{_when(ctx, starts)}\n地点：{place or '另行通知'}\n讲师：{lec_name}\n{quota}"
            + (f"\n范围：{team}" if team else ""))
    notified = 0
    replies: list[Reply] = []
    for p in audience:
        if p.userid == ctx.userid:
            continue
        notified += 1
        replies.append(button_card(
            p.userid, title=f"培训{g.number}：{title}", desc=desc, buttons=[("报名", f"talent:signup:{g.number}")],
            task_prefix=f"training{g.number}",
            fallback=f"【培训报名】培训{g.number}「{title}」\n{desc}\n要参加请回复“报名 培训{g.number}”。"))
    if lecturer and lecturer != ctx.userid and all(p.userid != lecturer for p in audience):
        replies.append(Text(to=lecturer, content=f"您将担任培训{g.number}「{title}」的讲师，{_when(ctx, starts)}，"
                                                 f"{place or '地点另行通知'}。"))
    head = Text(content=f"已发布培训{g.number}「{title}」（{_when(ctx, starts)}，{place or '地点另行通知'}，"
                        f"讲师{lec_name}，{quota}），已通知 {notified} 人。\n"
                        f"培训结束后发“/签到 培训{g.number} 姓名,姓名”登记到场人员。")
    return [head, *replies]


async def _cancel_training(ctx: Context, n: int) -> Replies:
    g = await _training(ctx, n)
    if g is None:
        return _not_found(n)
    if not _may_manage(ctx, g):
        return Text(content=f"培训{n}只能由发布人、讲师或支部书记取消。")
    signed = await gatherings.signups(ctx.session, g)
    if not await gatherings.cancel(ctx.session, g, actor=ctx.userid, now=ctx.now):
        return Text(content=f"培训{n}已{gatherings.STATUS_CN.get(g.status, g.status)}，不能取消。")
    replies: list[Reply] = [Text(content=f"已取消培训{n}「{g.title}」，已通知 {len(signed)} 位报名的同志。")]
    for s in signed:
        if s.userid != ctx.userid:
            replies.append(Text(to=s.userid, content=f"您报名的培训{n}「{g.title}」（{_when(ctx, g.starts_at)}）已取消。"))
    return replies


async def _roll(ctx: Context, n: int) -> Replies:
    g = await _training(ctx, n)
    if g is None:
        return _not_found(n)
    if not (_is_member(ctx) or _may_manage(ctx, g)):
        return Text(content=f"培训{n}的名单只有讲师、党员和支部书记可以查看。")
    rows = await gatherings.signups(ctx.session, g)
    names = {p.userid: p.name for p in await people.all_people(ctx.session)}
    lines = [f"培训{n}「{g.title}」{_when(ctx, g.starts_at)}，{gatherings.STATUS_CN.get(g.status, g.status)}，"
             f"{_quota(g, len(rows))}"]
    if not rows:
        lines.append("还没有人报名。")
    for i, s in enumerate(rows, 1):
        mark = "（已到场）" if s.attended else ""
        lines.append(f"{i}. {names.get(s.userid, s.userid)}{mark}")
    return Text(content="\n".join(lines))


async def _attendance(ctx: Context, n: int, rest: str) -> Replies:
    g = await _training(ctx, n)
    if g is None:
        return _not_found(n)
    if not _may_manage(ctx, g):
        return Text(content=f"培训{n}的到场情况只能由讲师或支部书记登记。")
    if g.status == "cancelled":
        return Text(content=f"培训{n}已取消，不能登记到场。")
    if ctx.today < g.starts_at.astimezone(ctx.settings.tz).date():
        return Text(content=f"培训{n}在 {_when(ctx, g.starts_at)} 举行，还没到，不能登记到场。")
    tokens = [t for t in NAME_SPLIT.split(rest.strip()) if t]
    if not tokens:
        return Text(content=f"格式：/签到 培训{n} 张三,李四")
    found: list[RosterEntry] = []
    problems: list[str] = []
    for t in tokens:
        who, why = await _resolve(ctx, t)
        if who is None:
            problems.append(why)
        else:
            found.append(who)
    if problems:
        return Text(content="".join(problems) + "这次没有登记任何人，请核对后重发。")
    new = await gatherings.record_attendance(ctx.session, g, [p.userid for p in found], ctx.now, actor=ctx.userid)
    names = {p.userid: p.name for p in found}
    total = len(await gatherings.attendees(ctx.session, g))
    line = f"培训{n}「{g.title}」到场登记：新登记 {len(new)} 人"
    if new:
        line += "（" + "、".join(names[u] for u in new) + "）"
    again = [names[u] for u in names if u not in new]
    if again:
        line += f"；{'、'.join(again)}之前已登记"
    return Text(content=f"{line}。目前到场共 {total} 人，已记入各人的人才档案。")


# --- 报名 ----------------------------------------------------------------------------


@router.route(filters.known, filters.text)
async def signup_text(ctx: Context) -> Replies:
    m = SIGNUP_TEXT.match(ctx.text)
    if not m:
        return NOT_HANDLED
    n = int(m["n"])
    if m["cancel"]:
        return await _cancel_signup(ctx, n)
    return await _sign_up(ctx, n)


async def _sign_up(ctx: Context, n: int) -> Replies:
    g = await _training(ctx, n)
    if g is None:
        return _not_found(n)
    result = await gatherings.sign_up(ctx.session, g, ctx.userid, ctx.now)
    if not result.ok:
        return Text(content=result.message)
    log.info("training %s signup by %s", n, pseudo(ctx.userid))
    signed = await gatherings.signed_count(ctx.session, g)
    return Text(content=f"报名成功：培训{n}「{g.title}」，{_when(ctx, g.starts_at)}，{g.place or '地点另行通知'}"
                        f"（{_quota(g, signed)}）。前一天我会提醒您。不能参加请回复“取消报名 培训{n}”。")


async def _cancel_signup(ctx: Context, n: int) -> Replies:
    g = await _training(ctx, n)
    if g is None:
        return _not_found(n)
    if not await gatherings.cancel_signup(ctx.session, g, ctx.userid, ctx.now):
        if g.starts_at <= ctx.now:
            return Text(content=f"培训{n}已经开始或结束了，不能取消报名。")
        return Text(content=f"您没有报名培训{n}。")
    return Text(content=f"已取消您对培训{n}「{g.title}」的报名。")


def _keyword(text: str) -> str:
    return KEYWORD_NOISE.sub("", text).strip()


async def _matching(ctx: Context, what: str) -> list[Gathering]:
    assert ctx.sender is not None
    word = _keyword(what)
    if len(word) < 2:
        return []
    rows = await gatherings.upcoming(ctx.session, KIND, ctx.now, team=ctx.sender.team)
    return [g for g in rows if word in g.title or _keyword(g.title) in word]


@router.route(filters.known, filters.text)
async def signup_by_title(ctx: Context) -> Replies:
    """"我报名电工培训": signs up when exactly one upcoming training matches."""
    m = SIGNUP_BY_TITLE.match(ctx.text)
    if not m or "培训" not in ctx.text and "课" not in ctx.text:
        return NOT_HANDLED
    hits = await _matching(ctx, m["what"])
    if len(hits) == 1:
        return await _sign_up(ctx, hits[0].number)
    if not hits:
        return Text(content="近期没有找到对应的培训。发“/培训”查看近期培训，再回复“报名 培训编号”。")
    return Text(content="有几期培训都对得上，请回复编号报名：\n"
                + "\n".join(f"报名 培训{g.number}（{g.title}，{_when(ctx, g.starts_at)}）" for g in hits))


# --- free statements -----------------------------------------------------------------


STATEMENT_INTENTS = (Intent.TALENT, Intent.OTHER, Intent.SMALLTALK)


@router.route(filters.known, filters.text)
async def statement(ctx: Context) -> Replies:
    parse = ctx.parse
    if parse is None:
        return NOT_HANDLED
    text = ctx.text.strip()
    if parse.intent is Intent.FEEDBACK and parse.ref is None and (m := CERT_RE.search(text)) and len(text) <= 30:
        return await _add(ctx, "certificates", m["what"])  # "我拿到了电工证" reads as feedback to the parser
    if parse.intent not in STATEMENT_INTENTS:
        return NOT_HANDLED
    if text.startswith(("/", "／")):
        return NOT_HANDLED
    if RECOMMEND_RE.search(text) and RECOMMEND_TARGET.search(text):
        return await _recommend_text(ctx, text, parse.persons)
    if RESERVE_WORD.search(text):
        return Text(content=NO_RESERVE) if parse.intent is Intent.TALENT else NOT_HANDLED
    talent = parse.intent is Intent.TALENT
    if (m := WISH_RE.match(text)) and not NOT_WISH.match(m["what"]) and (talent or WISH_HINT.search(m["what"])):
        return await _wish(ctx, m["what"])
    if (m := CERT_RE.search(text)) and (talent or len(text) <= 30):
        return await _add(ctx, "certificates", m["what"])
    if (m := SKILL_RE.match(text)) and not NOT_SKILL.match(m["what"]) and \
            (talent or (len(text) <= 20 and not text.endswith(("?", "？", "吗", "呢")))):
        return await _add(ctx, "skills", m["what"])
    if parse.intent is Intent.TALENT:
        return Text(content="想补充人才档案可以直接说，例如“我会PLC编程”“我考取了高压电工证”“我想往技术岗发展”"
                            "“我想报名电工培训”。发“/我的档案”查看档案，发“/培训”查看近期培训。")
    return NOT_HANDLED


async def _add(ctx: Context, field: str, what: str) -> Replies:
    what = what.strip(" ：:，,。.了")
    if len(what) < 2:
        return NOT_HANDLED
    added = await store.add_entry(ctx.session, ctx.userid, field, what, now=ctx.now)
    cn = store.FIELD_CN[field]
    if not added:
        return Text(content=f"您的档案里已经有{cn}“{what}”了。发“/我的档案”可以查看。")
    return Text(content=f"已记入您的人才档案（{cn}）：{what}。发“/我的档案”可以查看。")


async def _wish(ctx: Context, what: str) -> Replies:
    what = WISH_TRIM.sub("", what.strip(" ：:，,。.")).strip()
    if len(what) < 2:
        return NOT_HANDLED
    added = await store.add_entry(ctx.session, ctx.userid, "wishes", what, now=ctx.now)
    head = f"已记下您的意愿：{what}。" if added else f"您的这个意愿（{what}）已经记下了。"
    if "培训" not in what and "报名" not in what and "学" not in what:
        return Text(content=head + "支部会结合大家的意愿安排培训，发“/我的档案”可以查看档案。")
    if _keyword(what):
        hits = await _matching(ctx, what)
    else:  # "我想参加培训": any upcoming training
        hits = await gatherings.upcoming(ctx.session, KIND, ctx.now, team=ctx.sender.team if ctx.sender else None)
    if not hits:
        return Text(content=head + "近期还没有对应的培训，有了会通知大家。发“/培训”查看近期培训。")
    replies: list[Reply] = [Text(content=head + "近期正好有对应的培训：")]
    cnt = await gatherings.counts(ctx.session, [g.id for g in hits])
    for g in hits[:3]:
        desc = f"时间：{_when(ctx, g.starts_at)}\n地点：{g.place or '另行通知'}\n{_quota(g, cnt[g.id][0])}"
        replies.append(button_card(ctx.userid, title=f"培训{g.number}：{g.title}", desc=desc,
                                   buttons=[("报名", f"talent:signup:{g.number}")], task_prefix=f"training{g.number}",
                                   fallback=f"培训{g.number}「{g.title}」{_when(ctx, g.starts_at)}，"
                                            f"要参加请回复“报名 培训{g.number}”。"))
    return replies


# --- reserve talent ------------------------------------------------------------------


async def _recommend_text(ctx: Context, text: str, persons: tuple[str, ...]) -> Replies:
    if not _is_member(ctx):
        return Text(content="后备人才由党员或支部书记推荐。如果您觉得身边有合适的同志，可以告诉所在班组的党员。")
    others = [u for u in persons if u != ctx.userid]
    if not others:
        return Text(content="没有在名册里找到您推荐的同志，请这样发：/推荐 姓名 理由（姓名与名册一致）。")
    if len(others) != 1:
        return Text(content="请一次推荐一位同志，写清姓名和理由，例如“/推荐 孙鹏 技术过硬，肯吃苦”。")
    m = REASON_RE.search(text)
    reason = m["r"].strip(" ，,。.") if m else ""
    target = await people.get(ctx.session, others[0])
    assert target is not None
    return await _recommend(ctx, target, reason)


async def _recommend_command(ctx: Context, who: str | None, reason: str) -> Replies:
    if not _is_member(ctx):
        return Text(content="后备人才由党员或支部书记推荐。如果您觉得身边有合适的同志，可以告诉所在班组的党员。")
    if not who:
        return Text(content="格式：/推荐 姓名 理由，例如“/推荐 孙鹏 技术过硬，肯吃苦”。")
    target, why = await _resolve(ctx, who)
    if target is None:
        return Text(content=why)
    return await _recommend(ctx, target, reason.strip())


async def _recommend(ctx: Context, target: RosterEntry, reason: str) -> Replies:
    if target.userid == ctx.userid:
        return Text(content="不能推荐自己。")
    if len(reason) < 2:
        return Text(content=f"推荐需要写明理由，没有登记。请这样发：/推荐 {target.name} 理由")
    cand, created = await store.recommend(ctx.session, target.userid, by=ctx.userid, reason=reason, now=ctx.now)
    if not created:
        return Text(content=f"{target.name}已在后备人才考察中（{store.RESERVE_STATUS_CN[cand.status]}），"
                            f"可用“/考察 {target.name} 工作|品行|群众评价 内容”补充考察意见。")
    log.info("reserve candidate %s recommended by %s", cand.id, pseudo(ctx.userid))
    replies: list[Reply] = [Text(content=f"已登记：推荐{target.name}为后备人才（支部推荐）。"
                                         f"党员可用“/考察 {target.name} 工作|品行|群众评价 内容”补充考察意见，"
                                         f"书记用“/认定 {target.name} 通过|不通过 说明”认定。此事不会告知本人。")]
    me = await _name(ctx, ctx.userid)
    for sec in await people.by_role(ctx.session, "secretary"):
        if sec.userid not in (ctx.userid, target.userid):
            replies.append(Text(to=sec.userid, content=f"{me}推荐{target.name}为后备人才，理由：{reason}\n"
                                                       f"发“/后备 {target.name}”查看考察情况。"))
    return replies


def _aspect(word: str) -> str | None:
    return store.ASPECT_BY_CN.get(word) or (word if word in store.ASPECTS else None)


async def _candidate_for(ctx: Context, token: str) -> tuple[RosterEntry | None, ReserveCandidate | None, str]:
    """The candidate named ``token``; hides their own candidacy from the sender."""
    target, why = await _resolve(ctx, token)
    if target is None:
        return None, None, why
    if target.userid == ctx.userid:
        return target, None, NO_RESERVE
    cand = await store.latest_candidacy(ctx.session, target.userid)
    if cand is None:
        return target, None, f"{target.name}不在后备人才名单里。推荐请用“/推荐 {target.name} 理由”。"
    return target, cand, ""


async def _review(ctx: Context, rest: str) -> Replies:
    if not _is_member(ctx):
        return Text(content=MEMBERS_ONLY.format(cmd="/考察"))
    parts = rest.split(maxsplit=2)
    usage = "格式：/考察 姓名 工作|品行|群众评价 内容，例如“/考察 孙鹏 工作 连续三年班组技术骨干”。"
    if len(parts) < 3:
        return Text(content=usage)
    aspect = _aspect(parts[1])
    if aspect is None:
        return Text(content=f"考察方面“{parts[1]}”不对，请写 工作、品行 或 群众评价。\n" + usage)
    target, cand, why = await _candidate_for(ctx, parts[0])
    if cand is None or target is None:
        return Text(content=why)
    if cand.status not in store.OPEN_STATUSES:
        return Text(content=f"{target.name}的后备人才认定已完成（{store.RESERVE_STATUS_CN[cand.status]}），不能再补充考察意见。")
    await store.add_review(ctx.session, cand, reviewer=ctx.userid, aspect=aspect, note=parts[2].strip(), now=ctx.now)
    n = len(await store.reviews(ctx.session, cand.id))
    return Text(content=f"已记录对{target.name}的考察意见（{store.ASPECT_CN[aspect]}），目前共 {n} 条。"
                        f"考察意见只有党员和支部书记可见。")


async def _decide(ctx: Context, rest: str) -> Replies:
    if not _is_secretary(ctx):
        return Text(content=SECRETARY_ONLY.format(cmd="/认定"))
    parts = rest.split(maxsplit=2)
    usage = "格式：/认定 姓名 通过|不通过 说明，例如“/认定 孙鹏 通过 考察意见一致，列入后备人才库”。"
    if len(parts) < 2 or parts[1] not in DECISIONS:
        return Text(content=usage)
    note = parts[2].strip() if len(parts) > 2 else ""
    if len(note) < 2:
        return Text(content="认定需要写明说明，没有认定。\n" + usage)
    target, cand, why = await _candidate_for(ctx, parts[0])
    if cand is None or target is None:
        return Text(content=why)
    if cand.status not in store.OPEN_STATUSES:
        return Text(content=f"{target.name}已经认定过了（{store.RESERVE_STATUS_CN[cand.status]}）。")
    n = len(await store.reviews(ctx.session, cand.id))
    approved = DECISIONS[parts[1]]
    await store.decide(ctx.session, cand, by=ctx.userid, approved=approved, note=note, now=ctx.now)
    replies: list[Reply] = [Text(content=f"已认定：{target.name}{'通过，列入后备人才' if approved else '未通过'}"
                                         f"（考察意见 {n} 条）。结果不会自动告知本人。")]
    if cand.recommended_by not in (ctx.userid, target.userid):
        replies.append(Text(to=cand.recommended_by,
                            content=f"您推荐的{target.name}后备人才综合认定：{'通过' if approved else '未通过'}。"))
    return replies


async def _reserve_board(ctx: Context, who: str | None) -> Replies:
    if not _is_member(ctx):
        return Text(content=MEMBERS_ONLY.format(cmd="/后备"))
    if who:
        return await _reserve_detail(ctx, who)
    rows = [c for c in await store.candidates(ctx.session) if c.userid != ctx.userid]
    if not rows:
        return Text(content="后备人才名单是空的。推荐请用“/推荐 姓名 理由”。")
    counts = await store.review_counts(ctx.session, [c.id for c in rows])
    await audit.record(ctx.session, ctx.now, ctx.userid, "reserve_list_viewed", "reserve_candidate", "*",
                       f"{len(rows)}")
    lines = ["后备人才（仅党员和支部书记可见）："]
    for c in rows:
        lines.append(f"{await _name(ctx, c.userid)}：{store.RESERVE_STATUS_CN.get(c.status, c.status)}，"
                     f"推荐人{await _name(ctx, c.recommended_by)}，{c.created_at.astimezone(ctx.settings.tz):%m-%d}推荐，"
                     f"考察意见 {counts[c.id]} 条")
    lines.append("查看考察意见：/后备 姓名")
    return Text(content="\n".join(lines))


async def _reserve_detail(ctx: Context, who: str) -> Replies:
    target, cand, why = await _candidate_for(ctx, who)
    if cand is None or target is None:
        return Text(content=why)
    await audit.record(ctx.session, ctx.now, ctx.userid, "reserve_viewed", "reserve_candidate", cand.id)
    tz = ctx.settings.tz
    lines = [f"{target.name}（{target.team or '—'}）后备人才：{store.RESERVE_STATUS_CN.get(cand.status, cand.status)}",
             f"支部推荐：{await _name(ctx, cand.recommended_by)}，{cand.created_at.astimezone(tz):%Y-%m-%d}，"
             f"理由：{cand.reason}"]
    reviews = await store.reviews(ctx.session, cand.id)
    if reviews:
        lines.append(f"骨干考察（{len(reviews)} 条）：")
        for r in reviews:
            lines.append(f"· {await _name(ctx, r.reviewer)}（{store.ASPECT_CN.get(r.aspect, r.aspect)}，"
                         f"{r.at.astimezone(tz):%m-%d}）：{r.note}")
    else:
        lines.append("骨干考察：还没有考察意见。")
    if cand.decided_at is not None:
        lines.append(f"综合认定：{store.RESERVE_STATUS_CN.get(cand.status, cand.status)}，"
                     f"{await _name(ctx, cand.decided_by)}，{cand.decided_at.astimezone(tz):%Y-%m-%d}，"
                     f"说明：{cand.decision_note or '—'}")
    return Text(content="\n".join(lines))


# --- lecturers -----------------------------------------------------------------------


async def _lecturer_command(ctx: Context, rest: str) -> Replies:
    if not rest:
        rows = await store.lecturers(ctx.session)
        if not rows:
            return Text(content="还没有登记内训师。书记可用“/讲师 添加 姓名 专长”登记（须本人同意）。")
        lines = ["内训师队伍："]
        for r in rows:
            lines.append(f"{await _name(ctx, r.userid)}：{r.specialty}")
        return Text(content="\n".join(lines))
    parts = rest.split(maxsplit=2)
    if parts[0] in ("添加", "登记", "新增"):
        if not _is_secretary(ctx):
            return Text(content=SECRETARY_ONLY.format(cmd="/讲师 添加"))
        if len(parts) < 3:
            return Text(content="格式：/讲师 添加 姓名 专长，例如“/讲师 添加 张敏 继电保护”（请先征得本人同意）。")
        who, why = await _resolve(ctx, parts[1])
        if who is None:
            return Text(content=why)
        _, created = await store.add_lecturer(ctx.session, who.userid, parts[2].strip(), now=ctx.now,
                                              actor=ctx.userid)
        verb = "登记" if created else "更新"
        replies: list[Reply] = [Text(content=f"已{verb}{who.name}为内训师，专长：{parts[2].strip()}（已记录本人同意）。")]
        if who.userid != ctx.userid:
            replies.append(Text(to=who.userid, content=f"您已登记为支部内训师，专长：{parts[2].strip()}。感谢您愿意分享经验！"
                                                       f"您可以用“/培训 新建 …”发布培训。"))
        return replies
    if parts[0] in ("移除", "删除"):
        if not _is_secretary(ctx):
            return Text(content=SECRETARY_ONLY.format(cmd="/讲师 移除"))
        if len(parts) < 2:
            return Text(content="格式：/讲师 移除 姓名")
        who, why = await _resolve(ctx, parts[1])
        if who is None:
            return Text(content=why)
        if not await store.remove_lecturer(ctx.session, who.userid, now=ctx.now, actor=ctx.userid):
            return Text(content=f"{who.name}不在内训师名单里。")
        return Text(content=f"已将{who.name}移出内训师名单。")
    return Text(content="用法：/讲师（查看名单）；/讲师 添加 姓名 专长；/讲师 移除 姓名")
