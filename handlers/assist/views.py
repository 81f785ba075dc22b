"""What 精准帮扶 shows: the board of projects in progress and one project's whole history."""

from __future__ import annotations

from bot.dispatcher import Context, Replies
from bot.format import local
from bot.replies import Text
from handlers.assist import messages as msg
from storage import assist as projects
from storage.assist import Assessment, Involvement, Milestone, MilestoneStatus, Project, ProjectStatus, ProjectUpdate
from storage.assist import UpdateKind, done_count, label


async def involvement(ctx: Context, p: Project) -> Involvement:
    secretary = ctx.sender is not None and ctx.sender.is_secretary
    return await projects.involvement(ctx.session, p, ctx.userid, secretary=secretary)


async def board(ctx: Context) -> Replies:
    """Projects in progress the sender is involved in (all of them for the secretary)."""
    secretary = ctx.sender is not None and ctx.sender.is_secretary
    rows = await projects.active(ctx.session)
    if not secretary:
        rows = [p for p in rows if (await involvement(ctx, p)).involved]
    if not rows:
        return Text(content="目前没有进行中的帮扶项目。" + ("发“/帮扶 新建 标题”可以新建。" if secretary else ""))
    by_project = await projects.milestones_for(ctx.session, [p.id for p in rows])
    lines = [f"进行中的帮扶项目 {len(rows)} 项："]
    for p in rows:
        ms = by_project.get(p.id, [])
        late = projects.overdue_milestones_of(ms, ctx.today)
        flag = "【逾期】" if late or (p.deadline and p.deadline < ctx.today) else ""
        nxt = projects.next_open(ms)
        upcoming = f"下一个：{msg.md(nxt.due)} {nxt.title}" if nxt else "里程碑已全部完成"
        lines.append(f"{flag}帮扶{p.number}号 {p.title}（{await msg.target_text(ctx, p)}）— "
                     f"负责人 {await msg.name(ctx, p.lead)}，里程碑 {done_count(ms)}/{len(ms)}，{upcoming}，"
                     f"截止 {msg.md(p.deadline)}")
        if late:
            lines.append("  逾期：" + "；".join(f"{msg.md(m.due)} {m.title}" for m in late))
    lines.append("发“/帮扶 编号”查看详情。")
    return Text(content="\n".join(lines))


async def show(ctx: Context, n: int) -> Replies:
    """Project ``n`` and its history, for those involved (affected people see only their own feedback)."""
    p = await projects.get_by_number(ctx.session, n)
    if p is None:
        return Text(content=msg.not_found(n))
    roles = await involvement(ctx, p)
    if not roles.involved:
        await projects.record_view(ctx.session, p, now=ctx.now, actor=ctx.userid, allowed=False)
        return Text(content=f"帮扶{n}号只有项目成员、帮扶对象和支部书记可以查看。")
    await projects.record_view(ctx.session, p, now=ctx.now, actor=ctx.userid)
    ms = await projects.milestones(ctx.session, p.id)
    status = ProjectStatus.label_of(p.status)
    if p.status == ProjectStatus.CLOSED and p.assessment:
        status += f"（评估：{Assessment.label_of(p.assessment)}）"
    lines = [
        f"{label(p)}— {status}",
        f"对象：{await msg.target_text(ctx, p)}；负责人：{await msg.name(ctx, p.lead)}；"
        f"责任党员：{await msg.names(ctx, projects.members_of(p))}",
        f"目标：{p.goal or '—'}",
        f"截止：{msg.ymd(p.deadline)}；成效标准：{p.criteria or '—'}",
    ]
    if p.assessment_note:
        lines.append(f"评估说明：{p.assessment_note}")
    if ms:
        lines.append(f"里程碑（{done_count(ms)}/{len(ms)}）：")
        for m in ms:
            mark = "✔" if m.status == MilestoneStatus.DONE else ("逾期" if m.due < ctx.today else "○")
            lines.append(f"  {m.position}. {msg.md(m.due)} {m.title} {mark}")
    history = await projects.updates(ctx.session, p.id)
    if not (roles.responsible or roles.secretary):  # affected employees: progress, and only their own feedback
        history = [u for u in history if u.kind != UpdateKind.FEEDBACK or u.author == ctx.userid]
    lines.append("经过：")
    for u in history:
        lines.append(await _update_line(ctx, u, ms))
    return Text(content="\n".join(lines))


async def _update_line(ctx: Context, u: ProjectUpdate, ms: list[Milestone]) -> str:
    line = f"{local(u.at, ctx.settings.tz)} {await msg.name(ctx, u.author)} {UpdateKind.label_of(u.kind)}"
    if u.kind == UpdateKind.MILESTONE:
        m = next((m for m in ms if m.id == u.milestone_id), None)
        return line + (f"：{m.position}. {m.title}" if m else "")
    if u.kind != UpdateKind.CREATED and u.text:
        line += f"：{u.text[:80]}"
    return line
