"""A new project's draft: checking each field (shared by the one-line form and the six steps) and
creating the project from the finished draft.

A draft is a plain dict (it travels in the conversation's data): ``title``, ``target_type``, ``target``,
``target_shown``, ``goal``, ``members`` (userids), ``lead``, ``deadline`` (ISO day), ``milestones``
(``[[ISO day, title], …]``), ``criteria``.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from bot.dispatcher import Context, Replies
from bot.replies import Reply, Text
from handlers.assist import messages as msg
from handlers.assist import parsing
from storage import assist as projects
from storage import deeds, people
from storage.assist import TargetType, label
from storage.people import RosterEntry


class Invalid(Exception):
    """A user-facing reason why the input cannot be used."""


async def resolve_target(ctx: Context, raw: str) -> tuple[str, str, str]:
    """(target_type, target, display) for a team name, a person, or ``#N``."""
    raw = raw.strip()
    if not raw:
        raise Invalid("帮扶对象不能为空：请写班组名称、人员姓名或事项编号（#N）。")
    m = parsing.ITEM.match(raw)
    if m:
        n = int(m.group(1))
        item = await deeds.get_by_number(ctx.session, n)
        if item is None:
            raise Invalid(f"没有找到编号 #{n} 的事项，请核对编号。")
        return TargetType.ITEM, str(n), f"事项#{n}「{item.title}」"
    teams = {t for t in (await people.teams(ctx.session)).values() if t}
    if raw in teams:
        return TargetType.TEAM, raw, raw
    person = await people.find(ctx.session, raw)
    if person is not None:
        return TargetType.PERSON, person.userid, person.name
    known = "、".join(sorted(teams))
    raise Invalid(f"名册里没有叫“{raw}”的班组或人员，也不是事项编号（#N）。现有班组：{known}")


async def resolve_people(ctx: Context, raw: str) -> list[RosterEntry]:
    out: list[RosterEntry] = []
    unknown: list[str] = []
    for word in parsing.names(raw):
        person = await people.find(ctx.session, word)
        if person is None:
            unknown.append(word)
        elif person not in out:
            out.append(person)
    if unknown:
        raise Invalid(f"名册里找不到：{'、'.join(unknown)}，请写全名或账号。")
    return out


def deadline(raw: str, today: date) -> date:
    day = parsing.parse_day(raw, today)
    if day is None:
        raise Invalid(f"看不懂截止日期“{raw.strip()}”，请写成 2026-12-31、12月31日 或 月底。")
    if day < today:
        raise Invalid(f"截止日期 {msg.ymd(day)} 已经过去了，请给一个今天（{msg.ymd(today)}）以后的日期。")
    return day


def milestone(raw: str, today: date, last_day: date | None) -> tuple[date, str]:
    day, title = parsing.split_milestone(raw, today)
    if day is None:
        raise Invalid(f"看不懂里程碑“{raw.strip()}”，请写成“12月10日 摸底”（日期在前，内容在后）。")
    if not title or title == raw.strip():
        raise Invalid(f"里程碑“{raw.strip()}”缺少内容，请写成“12月10日 摸底”。")
    if day < today:
        raise Invalid(f"里程碑「{title}」的日期 {msg.ymd(day)} 已经过去了。")
    if last_day is not None and day > last_day:
        raise Invalid(f"里程碑「{title}」的日期 {msg.ymd(day)} 晚于截止日期 {msg.ymd(last_day)}，请调整。")
    return day, title


async def one_line(ctx: Context, title: str, values: dict[str, str]) -> dict[str, Any]:
    """The draft of ``/帮扶 新建 标题 对象=… 截止=… …``."""
    missing = [k for k in ("对象", "截止") if not values.get(k)]
    if missing:
        raise Invalid(f"一行新建至少要写 {'、'.join(k + '=' for k in missing)}（或只写标题，按提示逐项填写）。")
    ttype, target, shown = await resolve_target(ctx, values["对象"])
    last_day = deadline(values["截止"], ctx.today)
    members = await resolve_people(ctx, values["成员"]) if values.get("成员") else []
    lead = ctx.userid
    if values.get("负责人"):
        found = await people.find(ctx.session, values["负责人"])
        if found is None:
            raise Invalid(f"名册里找不到负责人“{values['负责人']}”，请写全名或账号。")
        lead = found.userid
    ms = [milestone(part, ctx.today, last_day) for part in parsing.milestone_parts(values.get("里程碑", ""))]
    return {"title": title[: projects.TITLE_LIMIT], "target_type": ttype, "target": target, "target_shown": shown,
            "goal": values.get("目标", ""), "criteria": values.get("标准", ""), "lead": lead,
            "members": [m.userid for m in members], "deadline": last_day.isoformat(),
            "milestones": [[d.isoformat(), t] for d, t in ms]}


async def create(ctx: Context, data: dict[str, Any]) -> Replies:
    """Create the project of a finished draft; tell the lead and the members."""
    lead = data.get("lead") or ctx.userid
    members = [m for m in data.get("members", []) if m != lead]
    last_day = date.fromisoformat(data["deadline"]) if data.get("deadline") else None
    ms = [(date.fromisoformat(d), t) for d, t in data.get("milestones", [])]
    p = await projects.create(ctx.session, now=ctx.now, actor=ctx.userid, title=data["title"],
                              target_type=data["target_type"], target=data["target"], goal=data.get("goal", ""),
                              criteria=data.get("criteria", ""), lead=lead, members=members, deadline=last_day,
                              milestone_list=ms)
    lines = [
        f"已新建{label(p)}。",
        f"对象：{data.get('target_shown') or await msg.target_text(ctx, p)}；负责人：{await msg.name(ctx, lead)}；"
        f"责任党员：{await msg.names(ctx, members)}",
        f"目标：{p.goal or '—'}",
        f"截止：{msg.ymd(last_day)}；成效标准：{p.criteria or '—'}",
    ]
    if ms:
        lines.append("里程碑：" + "；".join(f"{i}. {msg.md(d)} {t}" for i, (d, t) in enumerate(sorted(ms), start=1)))
    lines.append(f"进展请发“帮扶{p.number}号 ……”，完成里程碑发“帮扶{p.number}号 里程碑1 完成”。")
    replies: list[Reply] = [Text(content="\n".join(lines))]
    target = await msg.target_text(ctx, p)

    def note(role: str) -> str:
        return (f"您被列为{label(p)}的{role}（对象：{target}，截止 {msg.ymd(last_day)}）。\n"
                f"目标：{p.goal or '—'}\n有进展请发“帮扶{p.number}号 进展情况”，查看详情发“/帮扶 {p.number}”。")

    if lead != ctx.userid:
        replies.append(Text(to=lead, content=note("负责人")))
    for m in members:
        if m != ctx.userid:
            replies.append(Text(to=m, content=note("责任党员")))
    return replies
