"""What 精准帮扶 says: the Chinese texts, and how dates, people and targets are written."""

from __future__ import annotations

from datetime import date

from bot.dispatcher import Context
from handlers.assist.states import AssistStates as S
from storage import people
from storage.assist import Project, TargetType

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
    S.target: "第1步：帮扶对象是谁？请回复班组名称（如 运行二班）、人员姓名或账号，或事项编号（如 #3）。",
    S.goal: "第2步：帮扶目标是什么？",
    S.members: "第3步：责任党员是谁？可写多人，用逗号或顿号分隔（如 张敏、陈俊杰）；没有请回复“无”。",
    S.deadline: "第4步：截止日期？例如 2026-12-31、12月31日、月底。",
    S.milestones: "第5步：里程碑，一条一条发，例如“12月10日 摸底”；全部发完回复“完成”。",
    S.criteria: "第6步（最后一步）：怎样判断帮扶成效？",
}
CANCELLED = "好的，已取消新建帮扶项目，什么也没有保存。"
RETRY = "（回复“取消”可放弃）"
SECRETARY_CREATES = "新建帮扶项目只有支部书记可以操作。如有需要帮扶的情况，请直接告诉我或联系支部书记。"
TITLE_FIRST = "请写上项目标题，例如“/帮扶 新建 运行二班技能提升”，然后按提示逐项填写。"
NOT_CREATED = "没有新建项目，请修改后重发。"
ASSESS_USAGE = "用法：/帮扶 评估 N 达成|部分达成|未达成 说明，例如“/帮扶 评估 1 达成 技能考核全员通过”。"


def started(title: str) -> str:
    return f"新建帮扶项目「{title}」，共6步，随时回复“取消”可放弃。\n{PROMPTS[S.target]}"


def not_found(n: int, *, hint: bool = True) -> str:
    return f"没有找到帮扶{n}号项目。" + ("发“/帮扶”查看进行中的项目。" if hint else "")


def md(d: date | None) -> str:
    """``12月31日``; "—" for none."""
    return f"{d.month}月{d.day}日" if d else "—"


def ymd(d: date | None) -> str:
    return d.isoformat() if d else "—"


async def name(ctx: Context, userid: str | None) -> str:
    return await people.name_of(ctx.session, userid, "—")


async def names(ctx: Context, userids: list[str]) -> str:
    return "、".join([await name(ctx, u) for u in userids]) or "—"


async def target_text(ctx: Context, p: Project) -> str:
    if p.target_type == TargetType.PERSON:
        return await name(ctx, p.target)
    if p.target_type == TargetType.ITEM:
        return f"事项#{p.target}"
    return p.target

