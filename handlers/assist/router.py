"""精准帮扶: assistance projects for a team, a person or an item.

Precedence inside this router: the guided creation (``assist.new`` state), the ``/帮扶``
commands, then texts naming a project (帮扶1号 / 帮扶#1 / 项目1, or — for progress and
feedback intents — the key words of an active project's title).

Who may do what:
    - the secretary opens projects (``/帮扶 新建 …``); the lead defaults to the secretary;
    - the lead and the responsible members report progress and mark milestones done;
    - the affected employees (the target team's people, the target person, the target
      item's requester) give feedback; the lead is told;
    - only the lead assesses (``/帮扶 评估 N 达成|部分达成|未达成 说明``), which closes it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from bot import filters
from bot.dispatcher import NOT_HANDLED, Context, Replies, Router
from bot.nlu import Intent
from bot.nlu.dates import find_dates
from bot.replies import Reply, Text
from storage import conversations, deeds as items, people, assist as projects
from storage.assist.models import Milestone, Project, ProjectUpdate
from storage.people import RosterEntry

router = Router("assist")

STATE_NEW = "assist.new"
STEPS = ("target", "goal", "members", "deadline", "milestones", "criteria")

COMMAND_RE = re.compile(r"^/帮扶(?=$|[\s#＃\d]|新建|评估)")
REF_RE = re.compile(r"帮扶\s*(?:[#＃]\s*(\d{1,6})|第?\s*(\d{1,6})\s*号)"
                    r"|项目\s*[#＃]?\s*(\d{1,6})(?!\d)\s*号?(?![个件次人项名位天])")
PROJECT_NUMBER = re.compile(r"^\s*(?:帮扶|项目)?\s*[#＃]?\s*(\d{1,6})\s*号?\s*$")
KV_RE = re.compile(r"(对象|目标|成员|截止|里程碑|标准|负责人)\s*[=＝]")
ITEM_RE = re.compile(r"^[#＃]\s*(\d{1,7})$")
LIST_SPLIT = re.compile(r"[,，、;；/\s]+")
MILESTONE_SPLIT = re.compile(r"[;；\n]+")
CANCEL_RE = re.compile(r"^\s*(取消|算了|不建了|放弃)\s*[。.!！]?\s*$")
FINISH_RE = re.compile(r"^\s*(完成|好了|没有了|没了|结束|就这些|无)\s*[。.!！]?\s*$")
NONE_RE = re.compile(r"^\s*(无|没有|暂无|不用|跳过|-)\s*[。.!！]?\s*$")
MS_NUMBER_DONE = re.compile(r"里程碑\s*(\d{1,3})\s*(?:已经|已)?\s*(?:完成|达成|搞定|做完)")
DONE_WORD = re.compile(r"(?:已经|已)?(?:完成|搞定|做完|结束|达成)")
NOT_DONE = re.compile(r"(没|未|尚未|还没|没有)(能)?(完成|搞定|做完|结束|达成)")
FEEDBACK_RE = re.compile(r"(意见|建议|反馈|看法|评价)\s*[:：]|对\s*(?:帮扶|项目)\s*[#＃]?\s*\d+\s*号?\s*的?\s*(意见|建议|反馈|看法|评价)")
QUERY_RE = re.compile(r"怎么样|如何|到哪|什么进展|进展如何|进度如何|[吗呢][？?]?\s*$|[？?]\s*$")
ISO_DATE = re.compile(r"^\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*[日号]?\s*$")
MD_DATE = re.compile(r"^\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*[日号]?\s*$")
MS_PAIR = re.compile(r"^\s*(.+?)\s*[:：\s]\s*(.+?)\s*$")
MS_DATE_FIRST = re.compile(r"^\s*(\d{4}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}\s*[日号]?|\d{1,2}\s*月\s*\d{1,2}\s*[日号]?)"
                           r"\s*[:：]?\s*(.+?)\s*$")
WORD_NOISE = re.compile(r"[\s\W_]+", re.UNICODE)

USAGE = (
    "精准帮扶命令：\n"
    "/帮扶 — 进行中的帮扶项目\n"
    "/帮扶 N — 查看帮扶N号的全部经过\n"
    "/帮扶 新建 标题 — 书记新建项目（按提示逐项填写）\n"
    "/帮扶 新建 标题 对象=运行二班 目标=… 成员=张敏,陈俊杰 截止=2026-12-31 "
    "里程碑=12月10日:摸底;12月20日:整改 标准=… [负责人=…] — 一行新建\n"
    "/帮扶 评估 N 达成|部分达成|未达成 说明 — 负责人评估并结项\n"
    "报进展：“帮扶1号 已完成摸底……”；里程碑完成：“帮扶1号 里程碑1 完成”；"
    "提意见：“对帮扶1号的意见：……”"
)
PROMPTS = {
    "target": "第1步：帮扶对象是谁？请回复班组名称（如 运行二班）、人员姓名或账号，或事项编号（如 #3）。",
    "goal": "第2步：帮扶目标是什么？",
    "members": "第3步：责任党员是谁？可写多人，用逗号或顿号分隔（如 张敏、陈俊杰）；没有请回复“无”。",
    "deadline": "第4步：截止日期？例如 2026-12-31、12月31日、月底。",
    "milestones": "第5步：里程碑，一条一条发，例如“12月10日 摸底”；全部发完回复“完成”。",
    "criteria": "第6步（最后一步）：怎样判断帮扶成效？",
}


# --- small helpers -------------------------------------------------------------------


def _slash(text: str) -> str:
    t = text.strip()
    return "/" + t[1:] if t.startswith("／") else t


def _is_secretary(ctx: Context) -> bool:
    return ctx.sender is not None and ctx.sender.role == "secretary"


def _md(d: date | None) -> str:
    return f"{d.month}月{d.day}日" if d else "—"


def _ymd(d: date | None) -> str:
    return d.isoformat() if d else "—"


def _label(p: Project) -> str:
    return f"帮扶{p.number}号「{p.title}」"


async def _name(ctx: Context, userid: str | None) -> str:
    if not userid:
        return "—"
    p = await people.get(ctx.session, userid)
    return p.name if p else userid


async def _names(ctx: Context, userids: list[str]) -> str:
    return "、".join([await _name(ctx, u) for u in userids]) or "—"


async def _find_person(ctx: Context, account: str) -> RosterEntry | None:
    """A roster entry by userid or, failing that, by exact (unique) name."""
    p = await people.get(ctx.session, account)
    if p is not None:
        return p
    matches = [e for e in await people.all_people(ctx.session) if e.name == account]
    return matches[0] if len(matches) == 1 else None


async def _target_text(ctx: Context, p: Project) -> str:
    if p.target_type == "person":
        return await _name(ctx, p.target)
    if p.target_type == "item":
        return f"事项#{p.target}"
    return p.target


def parse_day(text: str, today: date) -> date | None:
    """A date the secretary typed: ``2026-12-31``, ``12月31日``, ``12/31``, ``月底``, ``下周五`` …

    A month and day without a year is this year's, or next year's when that day is more than
    two months gone (the parser's rule), so "11月1日" late in November stays in the past.
    """
    m = ISO_DATE.match(text)
    if m:
        try:
            return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        except ValueError:
            return None
    m = MD_DATE.match(text)
    if m:
        month, day = int(m.group(1)), int(m.group(2))
        try:
            cand = date(today.year, month, day)
        except ValueError:
            return None
        if cand < today and (today - cand).days > 62:
            try:
                cand = date(today.year + 1, month, day)
            except ValueError:
                return None
        return cand
    for _, day_ in find_dates(text.strip(), today):
        if day_ is not None:
            return day_
    return None


def _split_milestone(text: str, today: date) -> tuple[date | None, str]:
    """"12月10日:摸底" / "12月10日 摸底" / "摸底：12月10日" -> (date, title)."""
    text = text.strip()
    m = MS_DATE_FIRST.match(text)
    if m:
        day = parse_day(m.group(1), today)
        if day is not None:
            return day, m.group(2)
    m = MS_PAIR.match(text)
    if m:
        left, right = m.group(1).strip(), m.group(2).strip()
        day = parse_day(left, today)
        if day is not None:
            return day, right
        day = parse_day(right, today)
        if day is not None:
            return day, left
    return None, text


# --- validation (shared by the one-line form and the conversation) -----------------


class Invalid(Exception):
    """A user-facing reason why the input cannot be used."""


async def _resolve_target(ctx: Context, raw: str) -> tuple[str, str, str]:
    """(target_type, target, display) for a team name, a person, or ``#N``."""
    raw = raw.strip()
    if not raw:
        raise Invalid("帮扶对象不能为空：请写班组名称、人员姓名或事项编号（#N）。")
    m = ITEM_RE.match(raw)
    if m:
        n = int(m.group(1))
        item = await items.get_by_number(ctx.session, n)
        if item is None:
            raise Invalid(f"没有找到编号 #{n} 的事项，请核对编号。")
        return "item", str(n), f"事项#{n}「{item.title}」"
    teams = {e.team for e in await people.all_people(ctx.session) if e.team}
    if raw in teams:
        return "team", raw, raw
    person = await _find_person(ctx, raw)
    if person is not None:
        return "person", person.userid, person.name
    known = "、".join(sorted(teams))
    raise Invalid(f"名册里没有叫“{raw}”的班组或人员，也不是事项编号（#N）。现有班组：{known}")


async def _resolve_people(ctx: Context, raw: str) -> list[RosterEntry]:
    out: list[RosterEntry] = []
    unknown: list[str] = []
    for word in (w for w in LIST_SPLIT.split(raw.strip()) if w):
        person = await _find_person(ctx, word)
        if person is None:
            unknown.append(word)
        elif person not in out:
            out.append(person)
    if unknown:
        raise Invalid(f"名册里找不到：{'、'.join(unknown)}，请写全名或账号。")
    return out


def _deadline(raw: str, today: date) -> date:
    day = parse_day(raw, today)
    if day is None:
        raise Invalid(f"看不懂截止日期“{raw.strip()}”，请写成 2026-12-31、12月31日 或 月底。")
    if day < today:
        raise Invalid(f"截止日期 {_ymd(day)} 已经过去了，请给一个今天（{_ymd(today)}）以后的日期。")
    return day


def _milestone(raw: str, today: date, deadline: date | None) -> tuple[date, str]:
    day, title = _split_milestone(raw, today)
    if day is None:
        raise Invalid(f"看不懂里程碑“{raw.strip()}”，请写成“12月10日 摸底”（日期在前，内容在后）。")
    if not title or title == raw.strip():
        raise Invalid(f"里程碑“{raw.strip()}”缺少内容，请写成“12月10日 摸底”。")
    if day < today:
        raise Invalid(f"里程碑「{title}」的日期 {_ymd(day)} 已经过去了。")
    if deadline is not None and day > deadline:
        raise Invalid(f"里程碑「{title}」的日期 {_ymd(day)} 晚于截止日期 {_ymd(deadline)}，请调整。")
    return day, title


# --- involvement -------------------------------------------------------------------


@dataclass
class Roles:
    lead: bool
    member: bool
    affected: bool
    secretary: bool
    affected_ids: list[str] = field(default_factory=list)

    @property
    def responsible(self) -> bool:
        return self.lead or self.member

    @property
    def involved(self) -> bool:
        return self.responsible or self.affected or self.secretary


async def _roles(ctx: Context, p: Project) -> Roles:
    hit = await projects.affected(ctx.session, p)
    return Roles(lead=ctx.userid == p.lead, member=ctx.userid in projects.members_of(p),
                 affected=ctx.userid in hit, secretary=_is_secretary(ctx), affected_ids=hit)


# --- the guided conversation ---------------------------------------------------------


@router.route(filters.known, filters.text)
async def pending_question(ctx: Context) -> Replies:
    state = ctx.state
    if state is None or state.expired or not state.kind.startswith("assist."):
        return NOT_HANDLED
    text = ctx.text.strip()
    if _slash(text).startswith("/"):
        await conversations.clear(ctx.session, ctx.userid)
        ctx.state = None
        return NOT_HANDLED
    if CANCEL_RE.match(text):
        await conversations.clear(ctx.session, ctx.userid)
        return Text(content="好的，已取消新建帮扶项目，什么也没有保存。")
    data: dict[str, Any] = dict(state.data)
    step = data.get("step", "target")
    try:
        reply = await _answer(ctx, data, step, text)
    except Invalid as exc:
        await conversations.put(ctx.session, ctx.userid, STATE_NEW, data, ctx.now)
        return Text(content=f"{exc}\n{PROMPTS[step]}（回复“取消”可放弃）")
    return reply


async def _answer(ctx: Context, data: dict[str, Any], step: str, text: str) -> Replies:
    today = ctx.today
    if step == "target":
        ttype, target, shown = await _resolve_target(ctx, text)
        data.update(target_type=ttype, target=target, target_shown=shown)
        ack = f"帮扶对象：{shown}。"
    elif step == "goal":
        if len(text) < 2:
            raise Invalid("请把帮扶目标写清楚一些。")
        data["goal"] = text
        ack = "目标已记下。"
    elif step == "members":
        members = [] if NONE_RE.match(text) else await _resolve_people(ctx, text)
        data["members"] = [m.userid for m in members]
        ack = f"责任党员：{'、'.join(m.name for m in members) or '无'}。"
    elif step == "deadline":
        day = _deadline(text, today)
        data["deadline"] = day.isoformat()
        ack = f"截止日期：{_ymd(day)}。"
    elif step == "milestones":
        if not FINISH_RE.match(text):
            deadline = date.fromisoformat(data["deadline"])
            day, title = _milestone(text, today, deadline)
            data.setdefault("milestones", []).append([day.isoformat(), title])
            await conversations.put(ctx.session, ctx.userid, STATE_NEW, data, ctx.now)
            n = len(data["milestones"])
            return Text(content=f"已记下里程碑{n}：{_md(day)} {title}。继续发下一个，或回复“完成”。")
        ack = f"里程碑共 {len(data.get('milestones', []))} 个。"
    else:  # criteria: the last step
        if len(text) < 2:
            raise Invalid("请写明怎样判断帮扶成效。")
        data["criteria"] = text
        await conversations.clear(ctx.session, ctx.userid)
        return await _create(ctx, data)
    following = STEPS[STEPS.index(step) + 1]
    data["step"] = following
    await conversations.put(ctx.session, ctx.userid, STATE_NEW, data, ctx.now)
    return Text(content=f"{ack}\n{PROMPTS[following]}")


async def _create(ctx: Context, data: dict[str, Any]) -> Replies:
    assert ctx.sender is not None
    lead = data.get("lead") or ctx.userid
    members = [m for m in data.get("members", []) if m != lead]
    deadline = date.fromisoformat(data["deadline"]) if data.get("deadline") else None
    ms = [(date.fromisoformat(d), t) for d, t in data.get("milestones", [])]
    p = await projects.create(ctx.session, now=ctx.now, actor=ctx.userid, title=data["title"],
                              target_type=data["target_type"], target=data["target"], goal=data.get("goal", ""),
                              criteria=data.get("criteria", ""), lead=lead, members=members, deadline=deadline,
                              milestone_list=ms)
    lines = [
        f"已新建帮扶{p.number}号「{p.title}」。",
        f"对象：{data.get('target_shown') or await _target_text(ctx, p)}；负责人：{await _name(ctx, lead)}；"
        f"责任党员：{await _names(ctx, members)}",
        f"目标：{p.goal or '—'}",
        f"截止：{_ymd(deadline)}；成效标准：{p.criteria or '—'}",
    ]
    if ms:
        lines.append("里程碑：" + "；".join(f"{i}. {_md(d)} {t}" for i, (d, t) in enumerate(sorted(ms), start=1)))
    lines.append(f"进展请发“帮扶{p.number}号 ……”，完成里程碑发“帮扶{p.number}号 里程碑1 完成”。")
    replies: list[Reply] = [Text(content="\n".join(lines))]
    note = (f"您被列为{_label(p)}的{{role}}（对象：{await _target_text(ctx, p)}，截止 {_ymd(deadline)}）。\n"
            f"目标：{p.goal or '—'}\n有进展请发“帮扶{p.number}号 进展情况”，查看详情发“/帮扶 {p.number}”。")
    if lead != ctx.userid:
        replies.append(Text(to=lead, content=note.format(role="负责人")))
    for m in members:
        if m != ctx.userid:
            replies.append(Text(to=m, content=note.format(role="责任党员")))
    return replies


# --- slash commands ------------------------------------------------------------------


@router.route(filters.known, filters.text)
async def command(ctx: Context) -> Replies:
    text = _slash(ctx.text)
    if not COMMAND_RE.match(text):
        return NOT_HANDLED
    rest = text[len("/帮扶"):].strip()
    if not rest:
        return await _board(ctx)
    head, _, tail = rest.partition(" ")
    if head == "新建" or rest.startswith("新建"):
        return await _new(ctx, rest[len("新建"):].strip())
    if head == "评估" or rest.startswith("评估"):
        return await _assess(ctx, rest[len("评估"):].strip())
    m = PROJECT_NUMBER.match(rest)
    if m:
        return await _show(ctx, int(m.group(1)))
    if head in ("帮助", "help", "?", "？"):
        return Text(content=USAGE)
    return Text(content=f"没看懂“/帮扶 {rest}”。\n{USAGE}")


async def _new(ctx: Context, rest: str) -> Replies:
    if not _is_secretary(ctx):
        return Text(content="新建帮扶项目只有支部书记可以操作。如有需要帮扶的情况，请直接告诉我或联系支部书记。")
    first_key = KV_RE.search(rest)
    title = (rest[: first_key.start()] if first_key else rest).strip()
    if not title:
        return Text(content="请写上项目标题，例如“/帮扶 新建 运行二班技能提升”，然后按提示逐项填写。")
    if first_key is None:
        data = {"title": title[: projects.TITLE_LIMIT], "step": "target"}
        await conversations.put(ctx.session, ctx.userid, STATE_NEW, data, ctx.now)
        return Text(content=f"新建帮扶项目「{title}」，共6步，随时回复“取消”可放弃。\n{PROMPTS['target']}")
    values: dict[str, str] = {}
    keys_ = list(KV_RE.finditer(rest))
    for i, m in enumerate(keys_):
        end = keys_[i + 1].start() if i + 1 < len(keys_) else len(rest)
        values[m.group(1)] = rest[m.end(): end].strip()
    try:
        data = await _one_line(ctx, title, values)
    except Invalid as exc:
        return Text(content=f"{exc}\n没有新建项目，请修改后重发。")
    return await _create(ctx, data)


async def _one_line(ctx: Context, title: str, values: dict[str, str]) -> dict[str, Any]:
    missing = [k for k in ("对象", "截止") if not values.get(k)]
    if missing:
        raise Invalid(f"一行新建至少要写 {'、'.join(k + '=' for k in missing)}（或只写标题，按提示逐项填写）。")
    ttype, target, shown = await _resolve_target(ctx, values["对象"])
    deadline = _deadline(values["截止"], ctx.today)
    members = await _resolve_people(ctx, values["成员"]) if values.get("成员") else []
    lead = ctx.userid
    if values.get("负责人"):
        found = await _find_person(ctx, values["负责人"])
        if found is None:
            raise Invalid(f"名册里找不到负责人“{values['负责人']}”，请写全名或账号。")
        lead = found.userid
    ms = [_milestone(part, ctx.today, deadline) for part in MILESTONE_SPLIT.split(values.get("里程碑", ""))
          if part.strip()]
    return {"title": title[: projects.TITLE_LIMIT], "target_type": ttype, "target": target, "target_shown": shown,
            "goal": values.get("目标", ""), "criteria": values.get("标准", ""), "lead": lead,
            "members": [m.userid for m in members], "deadline": deadline.isoformat(),
            "milestones": [[d.isoformat(), t] for d, t in ms]}


async def _board(ctx: Context) -> Replies:
    rows = await projects.active(ctx.session)
    if not _is_secretary(ctx):
        rows = [p for p in rows if (await _roles(ctx, p)).involved]
    if not rows:
        return Text(content="目前没有进行中的帮扶项目。" + ("发“/帮扶 新建 标题”可以新建。" if _is_secretary(ctx) else ""))
    by_project = await projects.milestones_for(ctx.session, [p.id for p in rows])
    lines = [f"进行中的帮扶项目 {len(rows)} 项："]
    for p in rows:
        ms = by_project.get(p.id, [])
        done = sum(1 for m in ms if m.status == "done")
        late = projects.overdue_milestones_of(ms, ctx.today)
        flag = "【逾期】" if late or (p.deadline and p.deadline < ctx.today) else ""
        nxt = projects.next_open(ms)
        upcoming = f"下一个：{_md(nxt.due)} {nxt.title}" if nxt else "里程碑已全部完成"
        lines.append(f"{flag}帮扶{p.number}号 {p.title}（{await _target_text(ctx, p)}）— 负责人 {await _name(ctx, p.lead)}，"
                     f"里程碑 {done}/{len(ms)}，{upcoming}，截止 {_md(p.deadline)}")
        if late:
            lines.append("  逾期：" + "；".join(f"{_md(m.due)} {m.title}" for m in late))
    lines.append("发“/帮扶 编号”查看详情。")
    return Text(content="\n".join(lines))


async def _show(ctx: Context, n: int) -> Replies:
    p = await projects.get_by_number(ctx.session, n)
    if p is None:
        return Text(content=f"没有找到帮扶{n}号项目。发“/帮扶”查看进行中的项目。")
    roles = await _roles(ctx, p)
    if not roles.involved:
        await projects.record_view(ctx.session, p, now=ctx.now, actor=ctx.userid, allowed=False)
        return Text(content=f"帮扶{n}号只有项目成员、帮扶对象和支部书记可以查看。")
    await projects.record_view(ctx.session, p, now=ctx.now, actor=ctx.userid)
    full = roles.responsible or roles.secretary
    ms = await projects.milestones(ctx.session, p.id)
    done = sum(1 for m in ms if m.status == "done")
    status = projects.STATUS_CN.get(p.status, p.status)
    if p.status == "closed" and p.assessment:
        status += f"（评估：{projects.ASSESSMENT_CN.get(p.assessment, p.assessment)}）"
    lines = [
        f"帮扶{p.number}号「{p.title}」— {status}",
        f"对象：{await _target_text(ctx, p)}；负责人：{await _name(ctx, p.lead)}；"
        f"责任党员：{await _names(ctx, projects.members_of(p))}",
        f"目标：{p.goal or '—'}",
        f"截止：{_ymd(p.deadline)}；成效标准：{p.criteria or '—'}",
    ]
    if p.assessment_note:
        lines.append(f"评估说明：{p.assessment_note}")
    if ms:
        lines.append(f"里程碑（{done}/{len(ms)}）：")
        for m in ms:
            mark = "✔" if m.status == "done" else ("逾期" if m.due < ctx.today else "○")
            lines.append(f"  {m.position}. {_md(m.due)} {m.title} {mark}")
    history = await projects.updates(ctx.session, p.id)
    if not full:  # affected employees: progress for everyone involved, feedback only their own
        history = [u for u in history if u.kind != "feedback" or u.author == ctx.userid]
    lines.append("经过：")
    for u in history:
        lines.append(await _update_line(ctx, u, ms))
    return Text(content="\n".join(lines))


async def _update_line(ctx: Context, u: ProjectUpdate, ms: list[Milestone]) -> str:
    when = u.at.astimezone(ctx.settings.tz).strftime("%m-%d %H:%M")
    what = projects.UPDATE_CN.get(u.kind, u.kind)
    line = f"{when} {await _name(ctx, u.author)} {what}"
    if u.kind == "milestone":
        m = next((m for m in ms if m.id == u.milestone_id), None)
        return line + (f"：{m.position}. {m.title}" if m else "")
    if u.kind != "created" and u.text:
        line += f"：{u.text[:80]}"
    return line


ASSESS_RE = re.compile(r"^[#＃]?\s*(\d{1,6})\s*号?\s*(部分达成|未达成|达成)\s*[:：，,]?\s*(.*)$", re.S)


async def _assess(ctx: Context, rest: str) -> Replies:
    m = ASSESS_RE.match(rest)
    if not m:
        return Text(content="用法：/帮扶 评估 N 达成|部分达成|未达成 说明，例如“/帮扶 评估 1 达成 技能考核全员通过”。")
    n, result_cn, note = int(m.group(1)), m.group(2), m.group(3).strip()
    p = await projects.get_by_number(ctx.session, n)
    if p is None:
        return Text(content=f"没有找到帮扶{n}号项目。")
    if p.lead != ctx.userid:
        return Text(content=f"帮扶{n}号的成效评估只能由负责人{await _name(ctx, p.lead)}进行，这次没有改变项目状态。")
    if p.status != "active":
        return Text(content=f"帮扶{n}号已经结项（评估：{projects.ASSESSMENT_CN.get(p.assessment or '', '—')}）。")
    if len(note) < 2:
        return Text(content=f"评估请写明说明，例如“/帮扶 评估 {n} {result_cn} 技能考核全员通过”。没有结项。")
    result = projects.ASSESSMENT_BY_CN[result_cn]
    await projects.assess(ctx.session, p, now=ctx.now, actor=ctx.userid, result=result, note=note)
    ms = await projects.milestones(ctx.session, p.id)
    done = sum(1 for x in ms if x.status == "done")
    replies: list[Reply] = [Text(content=f"已评估并结项：{_label(p)} — {result_cn}。说明：{note}\n"
                                         f"里程碑完成 {done}/{len(ms)}，全部经过已存档，已通知相关人员。")]
    secretaries = [s.userid for s in await people.by_role(ctx.session, "secretary")]
    msg = f"{_label(p)}已结项，负责人{await _name(ctx, p.lead)}的评估：{result_cn}。说明：{note}"
    for u in dict.fromkeys([*projects.members_of(p), *secretaries, p.created_by,
                            *await projects.affected(ctx.session, p)]):
        if u and u != ctx.userid:
            replies.append(Text(to=u, content=msg))
    return replies


# --- texts naming a project ------------------------------------------------------------


def _title_words(p: Project, avoid: set[str]) -> set[str]:
    """Four-character windows of the title (or the whole short title), minus target names."""
    t = WORD_NOISE.sub("", p.title)
    if len(t) <= 4:
        return {t} if len(t) >= 2 and t not in avoid else set()
    return {t[i:i + 4] for i in range(len(t) - 3)} - avoid


async def _by_keywords(ctx: Context) -> Project | None:
    text = WORD_NOISE.sub("", ctx.text)
    found: list[Project] = []
    for p in await projects.active(ctx.session):
        avoid = {p.target, await _target_text(ctx, p)}
        if any(w in text for w in _title_words(p, avoid)) and (await _roles(ctx, p)).involved:
            found.append(p)
    return found[0] if len(found) == 1 else None


@router.route(filters.known, filters.text)
async def about_project(ctx: Context) -> Replies:
    text = ctx.text.strip()
    if not text or _slash(text).startswith("/"):
        return NOT_HANDLED
    m = REF_RE.search(text)
    if m:
        n = int(m.group(1) or m.group(2) or m.group(3))
        p = await projects.get_by_number(ctx.session, n)
        if p is None:
            if m.group(3) is not None:  # "项目3" may belong to another domain
                return NOT_HANDLED
            return Text(content=f"没有找到帮扶{n}号项目。发“/帮扶”查看进行中的项目。")
        return await _about(ctx, p, text)
    parse = ctx.parse
    if parse is None or parse.intent not in (Intent.PROGRESS_REPORT, Intent.FEEDBACK) or parse.ref is not None:
        return NOT_HANDLED  # "#N …" names a deed: not ours
    p = await _by_keywords(ctx)
    if p is None:
        return NOT_HANDLED
    return await _about(ctx, p, text)


def _body(text: str) -> str:
    """The message without the project reference and leading punctuation."""
    stripped = REF_RE.sub("", text, count=1)
    stripped = re.sub(r"^\s*(?:对|关于)?\s*(?:的)?\s*(?:意见|建议|反馈|看法|评价|进展|进度)?\s*[:：，,。\s]*", "", stripped)
    return stripped.strip() or text.strip()


async def _about(ctx: Context, p: Project, text: str) -> Replies:
    roles = await _roles(ctx, p)
    parse = ctx.parse
    intent = parse.intent if parse is not None else None
    note = _body(text)
    if intent == Intent.STATUS_QUERY and QUERY_RE.search(text) and len(note) <= 12:
        return await _show(ctx, p.number)
    feedbackish = bool(FEEDBACK_RE.search(text)) or intent == Intent.FEEDBACK
    if roles.responsible and not (feedbackish and roles.affected and not roles.lead and FEEDBACK_RE.search(text)):
        return await _progress(ctx, p, text, note)
    if roles.affected:
        return await _feedback(ctx, p, note)
    if feedbackish:
        return Text(content=(f"谢谢！不过{_label(p)}的意见由帮扶对象本人提出，"
                             f"您的这条意见没有记入项目。有其他问题可以直接告诉我。"))
    who = "" if roles.secretary else "您不在这个项目中，"
    return Text(content=(f"{_label(p)}的进展由负责人{await _name(ctx, p.lead)}和责任党员反馈，"
                         f"{who}这条消息没有记入项目。发“/帮扶 {p.number}”可查看经过。"))


def _milestone_in(text: str, ms: list[Milestone]) -> Milestone | None:
    if NOT_DONE.search(text):
        return None
    m = MS_NUMBER_DONE.search(text)
    if m:
        pos = int(m.group(1))
        return next((x for x in ms if x.position == pos), None)
    for x in sorted(ms, key=lambda x: -len(x.title)):
        at = text.find(x.title)
        if at >= 0 and DONE_WORD.search(text, at + len(x.title)):
            return x
    return None


async def _progress(ctx: Context, p: Project, text: str, note: str) -> Replies:
    if p.status != "active":
        return Text(content=f"{_label(p)}已经结项，不再记录进展。发“/帮扶 {p.number}”可查看全部经过。")
    ms = await projects.milestones(ctx.session, p.id)
    hit = _milestone_in(text, ms)
    replies: list[Reply] = []
    me = await _name(ctx, ctx.userid)
    if hit is None and MS_NUMBER_DONE.search(text):
        return Text(content=f"{_label(p)}没有这个里程碑，共 {len(ms)} 个。发“/帮扶 {p.number}”查看。")
    if hit is not None:
        if not await projects.complete_milestone(ctx.session, p, hit, now=ctx.now, actor=ctx.userid, note=note):
            return Text(content=f"{_label(p)}的里程碑{hit.position}「{hit.title}」已经完成过了。")
        done = sum(1 for x in ms if x.status == "done")
        nxt = projects.next_open(ms)
        tail = f"下一个：{_md(nxt.due)} {nxt.title}。" if nxt else "里程碑已全部完成，负责人可用“/帮扶 评估 …”评估结项。"
        replies.append(Text(content=f"已记录{_label(p)} 里程碑{hit.position}「{hit.title}」完成（{done}/{len(ms)}）。{tail}"))
        msg = f"{_label(p)} 里程碑{hit.position}「{hit.title}」已完成（{me}）。{tail}"
    else:
        await projects.add_progress(ctx.session, p, now=ctx.now, author=ctx.userid, text=note)
        replies.append(Text(content=f"已记录{_label(p)}的进展。完成里程碑时请发“帮扶{p.number}号 里程碑N 完成”。"))
        msg = f"{_label(p)}有新进展（{me}）：{note}"
    for u in projects.team_of(p):
        if u != ctx.userid:
            replies.append(Text(to=u, content=msg))
    return replies


async def _feedback(ctx: Context, p: Project, note: str) -> Replies:
    await projects.add_feedback(ctx.session, p, now=ctx.now, author=ctx.userid, text=note)
    lead = await _name(ctx, p.lead)
    replies: list[Reply] = [Text(content=f"谢谢您的意见，已记入{_label(p)}并转告负责人{lead}。")]
    if p.lead != ctx.userid:
        replies.append(Text(to=p.lead, content=f"【帮扶意见】{_label(p)}，{await _name(ctx, ctx.userid)}：{note}"))
    return replies
