"""精益班组: team ranking (/排名), a team's record (/班组), activities (/活动, 报名, /签到).

Only exact command shapes are taken here; anything else is NOT_HANDLED, so this router can sit
anywhere in the precedence. The score's formula lives in ``storage/teams.py``.
"""

from __future__ import annotations

import logging
import re
from datetime import date, datetime
from typing import Any

from bot import filters
from bot.cards import button_card
from bot.dispatcher import NOT_HANDLED, Context, Replies, Router
from bot.events import AppEvent
from bot.logsafe import pseudo
from bot.replies import Reply, Text
from storage import audit, people
from storage import teams as store
from storage.gatherings.models import Gathering
from storage.people import RosterEntry

router = Router("teams")
log = logging.getLogger(__name__)

WEEKDAYS = "一二三四五六日"
RANK_CMD = re.compile(r"^\s*[/／]排名(?:\s+(?P<arg>\S+))?\s*$")
TEAM_CMD = re.compile(r"^\s*[/／]班组(?:\s+(?P<arg>\S+))?\s*$")
ACT_CMD = re.compile(r"^\s*[/／]活动(?:\s+(?P<rest>.*))?\s*$", re.S)
ATTEND_CMD = re.compile(r"^\s*[/／]签到(?:\s+(?P<rest>.*))?\s*$", re.S)
SIGNUP_TEXT = re.compile(r"^\s*(?:我要|我想)?(?P<cancel>取消)?报名\s*(?:参加)?\s*活动\s*[#＃]?\s*(?P<n>\d{1,6})\s*[。.!！]?\s*$")
SIGNUP_KEY = re.compile(r"^teams:signup:(\d{1,6})$")
FIELD = re.compile(r"(时间|地点|名额|类型|班组)\s*[=＝:：]")
MONTH_ISO = re.compile(r"^(\d{4})[-/.年](\d{1,2})月?$")
MONTH_CN = re.compile(r"^(\d{1,2})月$")
WHEN = re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?\s*(\d{1,2})[:：点](\d{2})?分?$")
NAME_SPLIT = re.compile(r"[,，、;；\s]+")

CREATE_USAGE = ("格式：/活动 新建 标题 时间=2026-12-05 09:00 地点=市展览馆 名额=30 类型=参观学习 [班组=运行一班]\n"
                "类型：参观学习、竞赛、运动会、其他；名额不写为不限；不写班组为全支部活动。")


# --- helpers -----------------------------------------------------------------------


def _is_secretary(ctx: Context) -> bool:
    return ctx.sender is not None and ctx.sender.role == "secretary"


def _when(ctx: Context, dt: datetime) -> str:
    local = dt.astimezone(ctx.settings.tz)
    return f"{local.month}月{local.day}日（周{WEEKDAYS[local.weekday()]}）{local:%H:%M}"


def _pct(ratio: float | None) -> str:
    return "—" if ratio is None else f"{ratio:.0%}"


def _score(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}分"


async def _name(ctx: Context, userid: str) -> str:
    p = await people.get(ctx.session, userid)
    return p.name if p else userid


def _weights(ctx: Context) -> dict[str, float]:
    return store.weights(ctx.settings.team_weights)


def _month_arg(arg: str | None, today: date) -> date | None:
    """None arg / 本月 -> this month; 上月; 2026-10 / 2026年10月; 10月 (this year, or last year if later)."""
    this = store.month_start(today)
    if arg is None or arg in ("本月", "这个月", "当月"):
        return this
    if arg in ("上月", "上个月"):
        return store.previous_month(this)
    m = MONTH_ISO.match(arg)
    if m and 1 <= int(m[2]) <= 12:
        return date(int(m[1]), int(m[2]), 1)
    m = MONTH_CN.match(arg)
    if m and 1 <= int(m[1]) <= 12:
        first = date(today.year, int(m[1]), 1)
        return first if first <= this else first.replace(year=today.year - 1)
    return None


def _components_line(ts: store.TeamScore) -> str:
    parts = []
    for key in store.COMPONENTS:
        c = ts.components[key]
        parts.append(f"{c.cn}{_pct(c.ratio)}" + (f"({c.num}/{c.den})" if c.den else ""))
    return "，".join(parts)


def _leaders(ts: store.TeamScore) -> str:
    return "、".join(p.name for p in ts.leaders) or "（未设网格长）"


# --- /排名 --------------------------------------------------------------------------


@router.route(filters.known, filters.text)
async def rank_command(ctx: Context) -> Replies:
    m = RANK_CMD.match(ctx.text)
    if not m:
        return NOT_HANDLED
    month = _month_arg(m["arg"], ctx.today)
    if month is None:
        return Text(content="看不懂月份。用法：/排名（本月至今）、/排名 上月、/排名 2026-10")
    if month > store.month_start(ctx.today):
        return Text(content=f"{store.month_label(month)}还没到，没有评分。")
    try:
        w = _weights(ctx)
    except store.TeamWeightsError as exc:
        log.error("team_weights setting invalid: %s", exc)
        return Text(content=f"班组评分权重设置有误，请联系管理员修改配置：{exc}")
    ranking = await store.ranking(ctx.session, month, ctx.settings.tz, now=ctx.now, weights_=w)
    if not ranking.teams:
        return Text(content="名册里还没有班组。")
    current = month == store.month_start(ctx.today)
    head = f"{store.month_label(month)}班组评分" + (f"（截至{ctx.today.month}月{ctx.today.day}日）" if current else "")
    lines = [head + "："]
    for ts in ranking.teams:
        rank = f"{ts.rank}." if ts.rank else "-."
        lines.append(f"{rank} {ts.team} {_score(ts.score)}（网格长 {_leaders(ts)}）\n   {_components_line(ts)}")
    lines.append("权重：" + "，".join(f"{store.COMPONENT_CN[k]}{w[k]:g}" for k in store.COMPONENTS)
                 + "。没有数据的项不计入，其余权重按比例折算。")
    return Text(content="\n".join(lines))


# --- /班组 --------------------------------------------------------------------------


@router.route(filters.known, filters.text)
async def team_command(ctx: Context) -> Replies:
    m = TEAM_CMD.match(ctx.text)
    if not m:
        return NOT_HANDLED
    assert ctx.sender is not None
    names = await store.team_names(ctx.session)
    arg = m["arg"]
    if _is_secretary(ctx):
        if arg is None:
            return Text(content="请写明班组，例如“/班组 运行一班”。班组：" + "、".join(names))
        team = arg
    elif ctx.sender.grid_leader:
        team = arg or ctx.sender.team
        if team != ctx.sender.team:
            return Text(content=f"网格长只能查看本班组（{ctx.sender.team}）的情况。")
    else:
        return Text(content="班组情况只有支部书记和网格长可以查看。想看班组排名请发“/排名”。")
    if team not in names:
        return Text(content=f"没有“{team}”这个班组。班组：" + "、".join(names))
    try:
        w = _weights(ctx)
    except store.TeamWeightsError as exc:
        return Text(content=f"班组评分权重设置有误，请联系管理员修改配置：{exc}")
    month = store.month_start(ctx.today)
    rec = await store.record(ctx.session, team, month, ctx.settings.tz)
    ranking = await store.ranking(ctx.session, month, ctx.settings.tz, now=ctx.now, weights_=w)
    ts = ranking.of(team)
    await audit.record(ctx.session, ctx.now, ctx.userid, "team_view", "team", team, "")
    leaders = [p for p in rec.people if p.grid_leader] or (ts.leaders if ts else [])
    lines = [f"【{team}】网格长：{'、'.join(p.name for p in leaders) or '（未设）'}；共 {len(rec.people)} 人",
             "成员：" + "、".join(p.name for p in rec.people)]
    deeds = [i for i in rec.open_items if i.kind == "deed"]
    lines.append(f"未办结事项 {len(deeds)} 件" + ("：" if deeds else ""))
    for i in deeds[:10]:
        lines.append(f"· #{i.number} {i.title}（{store_status(i.status)}）")
    lines.append(f"本月事件 {len(rec.incidents)} 件" + ("：" if rec.incidents else ""))
    for i in rec.incidents[:10]:
        lines.append(f"· #{i.number} {i.created_at.astimezone(ctx.settings.tz):%m-%d %H:%M} {i.title}"
                     f"（{store_status(i.status)}）")
    lines.append(f"本月走访 {rec.visits} 次，覆盖 {rec.visited_people} 人")
    if ts is not None:
        lines.append(f"本月评分 {_score(ts.score)}" + (f"，第 {ts.rank}/{len(ranking.teams)} 名" if ts.rank else ""))
        lines.append(_components_line(ts))
    return Text(content="\n".join(lines))


def store_status(status: str) -> str:
    from storage.deeds import DeedStatus

    return DeedStatus.label_of(status)


# --- /活动 ---------------------------------------------------------------------------


@router.route(filters.known, filters.text)
async def activity_command(ctx: Context) -> Replies:
    m = ACT_CMD.match(ctx.text)
    if not m:
        return NOT_HANDLED
    rest = (m["rest"] or "").strip()
    if not rest:
        return await _upcoming(ctx)
    if rest.startswith("新建"):
        return await _create(ctx, rest[2:].strip())
    return Text(content="用法：/活动（查看近期活动）；" + CREATE_USAGE)


async def _upcoming(ctx: Context) -> Replies:
    rows = await store.upcoming_activities(ctx.session, ctx.now)
    assert ctx.sender is not None
    if not rows:
        return Text(content="近期没有活动。")
    cnt = await store.counts(ctx.session, [g.id for g in rows])
    lines = ["近期活动："]
    for g in rows:
        signed, _ = cnt[g.id]
        quota = f"{signed}/{g.capacity}" if g.capacity else f"{signed}人（不限）"
        scope = g.team or "全支部"
        lines.append(f"活动{g.number} {g.title}（{store.CATEGORY_CN.get(g.category, '其他')}，{scope}）"
                     f" {_when(ctx, g.starts_at)} {g.place}，已报名 {quota}")
    lines.append("报名请回复“报名 活动编号”，例如“报名 活动" + str(rows[0].number) + "”。")
    return Text(content="\n".join(lines))


def _fields(body: str) -> tuple[str, dict[str, str]] | None:
    hits = list(FIELD.finditer(body))
    title = body[: hits[0].start()].strip() if hits else body.strip()
    values: dict[str, str] = {}
    for i, h in enumerate(hits):
        end = hits[i + 1].start() if i + 1 < len(hits) else len(body)
        key = h[1]
        if key in values:
            return None
        values[key] = body[h.end():end].strip()
    return title, values


def _parse_when(raw: str, tz: Any) -> datetime | None:
    m = WHEN.match(raw.strip())
    if not m:
        return None
    try:
        return datetime(int(m[1]), int(m[2]), int(m[3]), int(m[4]), int(m[5] or 0), tzinfo=tz)
    except ValueError:
        return None


async def _create(ctx: Context, body: str) -> Replies:
    assert ctx.sender is not None
    if not (_is_secretary(ctx) or ctx.sender.grid_leader):
        return Text(content="活动只能由支部书记或网格长发布。")
    parsed = _fields(body)
    if parsed is None:
        return Text(content="每一项只能写一次。\n" + CREATE_USAGE)
    title, values = parsed
    if not title:
        return Text(content="请写活动标题。\n" + CREATE_USAGE)
    if len(title) > 60:
        return Text(content="活动标题太长了，请控制在 60 字以内。")
    if "时间" not in values:
        return Text(content="请写活动时间，例如“时间=2026-12-05 09:00”。\n" + CREATE_USAGE)
    starts = _parse_when(values["时间"], ctx.settings.tz)
    if starts is None:
        return Text(content=f"看不懂时间“{values['时间']}”，请写成“时间=2026-12-05 09:00”。")
    if starts <= ctx.now:
        return Text(content=f"活动时间 {_when(ctx, starts)} 已经过去了，请核对后重发。活动没有发布。")
    capacity = 0
    if values.get("名额"):
        raw = values["名额"].rstrip("人名个")
        if not raw.isdigit() or int(raw) <= 0 or int(raw) > 10000:
            return Text(content=f"名额“{values['名额']}”不对，请写正整数，例如“名额=30”；不限名额就不写。")
        capacity = int(raw)
    kind = values.get("类型", "其他") or "其他"
    category = store.CATEGORY_BY_CN.get(kind)
    if category is None:
        return Text(content=f"没有“{kind}”这个活动类型。类型：{'、'.join(store.CATEGORY_CN.values())}")
    names = await store.team_names(ctx.session)
    team = values.get("班组", "")
    if team and team not in names:
        return Text(content=f"没有“{team}”这个班组，活动没有发布。班组：" + "、".join(names))
    if not _is_secretary(ctx):
        team = team or ctx.sender.team
        if team != ctx.sender.team:
            return Text(content=f"网格长只能为本班组（{ctx.sender.team}）发布活动，活动没有发布。")
    place = values.get("地点", "")[:120]
    g = await store.create_activity(ctx.session, now=ctx.now, actor=ctx.userid, title=title, starts_at=starts,
                                    place=place, capacity=capacity, category=category, team=team)
    audience = (await store.teams(ctx.session)).get(team, []) if team else await people.all_people(ctx.session)
    scope = team or "全支部"
    quota = f"名额 {capacity} 人" if capacity else "名额不限"
    desc = (f"{store.CATEGORY_CN[category]}｜{scope}\n时间：{_when(ctx, starts)}\n"
            f"地点：{place or '另行通知'}\n{quota}")
    replies: list[Reply] = [Text(content=f"已发布活动{g.number}「{title}」（{scope}，{_when(ctx, starts)}，{quota}），"
                                         f"已通知 {sum(p.userid != ctx.userid for p in audience)} 人。\n"
                                         f"活动结束后发“/签到 活动{g.number} 姓名,姓名”登记到场人员。")]
    for p in audience:
        if p.userid == ctx.userid:
            continue
        replies.append(button_card(
            p.userid, title=f"活动{g.number}：{title}", desc=desc,
            buttons=[("报名", f"teams:signup:{g.number}")], task_prefix=f"activity{g.number}",
            fallback=f"【活动报名】活动{g.number}「{title}」\n{desc}\n要参加请回复“报名 活动{g.number}”。"))
    return replies


# --- 报名 ------------------------------------------------------------------------------


@router.route(filters.known, filters.card("teams:"))
async def signup_click(ctx: Context) -> Replies:
    assert isinstance(ctx.event, AppEvent)
    m = SIGNUP_KEY.match(ctx.event.event_key)
    if not m:
        return Text(content="这个按钮已失效，请回复“报名 活动编号”报名。")
    return await _sign_up(ctx, int(m[1]))


@router.route(filters.known, filters.text)
async def signup_text(ctx: Context) -> Replies:
    m = SIGNUP_TEXT.match(ctx.text)
    if not m:
        return NOT_HANDLED
    n = int(m["n"])
    if m["cancel"]:
        return await _cancel(ctx, n)
    return await _sign_up(ctx, n)


def _may_join(ctx: Context, g: Gathering) -> bool:
    assert ctx.sender is not None
    return not g.team or ctx.sender.team == g.team


async def _sign_up(ctx: Context, n: int) -> Replies:
    g = await store.get_activity(ctx.session, n)
    if g is None:
        return Text(content=f"没有找到活动{n}，请核对编号。发“/活动”可以查看近期活动。")
    if not _may_join(ctx, g):
        return Text(content=f"活动{n}「{g.title}」是{g.team}的班组活动，您不在该班组，不能报名。")
    result = await store.sign_up(ctx.session, g, ctx.userid, now=ctx.now)
    if result == "closed":
        return Text(content=f"活动{n}「{g.title}」已{store.STATUS_CN.get(g.status, '结束')}，不能报名。")
    if result == "past":
        return Text(content=f"活动{n}「{g.title}」已经开始或结束了，不能再报名。")
    if result == "dup":
        return Text(content=f"您已经报名了活动{n}「{g.title}」，不用重复报名。")
    if result == "full":
        return Text(content=f"抱歉，活动{n}「{g.title}」名额（{g.capacity}人）已满，没能报名。")
    if result == "team":
        return Text(content=f"活动{n}「{g.title}」是{g.team}的班组活动，您不在该班组，不能报名。")
    log.info("activity %s signup by %s", n, pseudo(ctx.userid))
    signed = len(await store.signups(ctx.session, g.id))
    quota = f"（已报名 {signed}/{g.capacity}）" if g.capacity else f"（已报名 {signed} 人）"
    return Text(content=f"报名成功：活动{n}「{g.title}」，{_when(ctx, g.starts_at)}，{g.place or '地点另行通知'}"
                        f"{quota}。前一天我会提醒您。不能参加请回复“取消报名 活动{n}”。")


async def _cancel(ctx: Context, n: int) -> Replies:
    g = await store.get_activity(ctx.session, n)
    if g is None:
        return Text(content=f"没有找到活动{n}，请核对编号。")
    if g.starts_at <= ctx.now:
        return Text(content=f"活动{n}已经开始或结束了，不能取消报名。")
    if not await store.cancel_signup(ctx.session, g, ctx.userid, now=ctx.now):
        return Text(content=f"您没有报名活动{n}。")
    return Text(content=f"已取消您对活动{n}「{g.title}」的报名。")


# --- /签到 -------------------------------------------------------------------------------


@router.route(filters.known, filters.text)
async def attend_command(ctx: Context) -> Replies:
    m = ATTEND_CMD.match(ctx.text)
    if not m:
        return NOT_HANDLED
    usage = "格式：/签到 活动2 张三,李四（活动发布人或支部书记在活动当天或之后登记到场人员）"
    rest = (m["rest"] or "").strip()
    head = re.match(r"^活动\s*[#＃]?\s*(\d{1,6})\s*(.*)$", rest, re.S)
    if not head or not head[2].strip():
        return Text(content=usage)
    n = int(head[1])
    g = await store.get_activity(ctx.session, n)
    if g is None:
        return Text(content=f"没有找到活动{n}，请核对编号。")
    if ctx.userid != g.created_by and not _is_secretary(ctx):
        return Text(content=f"活动{n}的到场情况只能由发布人或支部书记登记。")
    if g.status == "cancelled":
        return Text(content=f"活动{n}已取消，不能登记到场。")
    if ctx.today < g.starts_at.astimezone(ctx.settings.tz).date():
        return Text(content=f"活动{n}在 {_when(ctx, g.starts_at)} 举行，还没到，不能登记到场。")
    roster = await people.all_people(ctx.session)
    found: list[RosterEntry] = []
    missing: list[str] = []
    ambiguous: list[str] = []
    for token in [t for t in NAME_SPLIT.split(head[2].strip()) if t]:
        by_id = [p for p in roster if p.userid == token]
        by_name = [p for p in roster if p.name == token]
        hits = by_id or by_name
        if not hits:
            missing.append(token)
        elif len(hits) > 1:
            ambiguous.append(token)
        else:
            found.append(hits[0])
    if missing or ambiguous:
        msg = []
        if missing:
            msg.append(f"名册里没有：{'、'.join(missing)}")
        if ambiguous:
            msg.append(f"重名，请改用账号：{'、'.join(ambiguous)}")
        return Text(content="；".join(msg) + "。这次没有登记任何人，请核对后重发。")
    outsiders = [p.name for p in found if g.team and p.team != g.team]
    if outsiders:
        return Text(content=f"活动{n}是{g.team}的班组活动，{'、'.join(outsiders)}不在该班组。这次没有登记任何人。")
    new, already = await store.record_attendance(ctx.session, g, [p.userid for p in found], actor=ctx.userid,
                                                 now=ctx.now)
    names = {p.userid: p.name for p in found}
    lines = [f"活动{n}「{g.title}」到场登记：新登记 {len(new)} 人" + (f"（{'、'.join(names[u] for u in new)}）" if new else "")]
    if already:
        lines.append(f"已登记过：{'、'.join(names[u] for u in already)}")
    came = sum(1 for s in await store.signups(ctx.session, g.id) if s.attended)
    lines.append(f"累计到场 {came} 人，计入所在班组本月活动参与率。")
    return Text(content="\n".join(lines))
