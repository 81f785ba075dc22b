"""Slash commands nobody took: show what is available to this person."""

from __future__ import annotations

from bot import filters
from bot.dispatcher import NOT_HANDLED, Context, Replies, Router
from bot.replies import Text

router = Router("commands")

COMMON = (
    "/我的事项 — 我反映的事和进度\n/我的档案 — 我的技能、证书、培训\n/培训 — 近期培训（报名：报名 培训N）\n"
    "/活动 — 近期活动（报名：报名 活动N）\n/排名 — 班组评分排名\n/问卷 — 待填写的问卷（继续作答：继续问卷）"
)
EMPLOYEE = "可用命令：\n" + COMMON
MEMBER = (
    "可用命令：\n/我的 — 我的责任区、待走访、待办事项\n/帮扶 — 帮扶项目\n/后备 — 后备人才\n"
    "/考察 姓名 工作|品行|群众评价 内容 — 后备人才考察意见\n" + COMMON
)
SECRETARY = (
    "可用命令：\n/待办 — 未办结事项\n/逾期 — 逾期事项与逾期回访\n/指派 #N 账号 — 改派负责人\n"
    "/关闭 #N 原因 — 书记手工销号（须写明原因）\n/台账 — 重点关注人群台账\n/覆盖 — 责任区走访覆盖\n"
    "/路由 类别 账号 — 某类诉求默认交给谁\n/值班 日期 账号 [电话] — 排班\n/事件 — 未确认的事件\n/我的 — 我的责任区\n"
    "/帮扶 新建 标题 — 新建帮扶项目（/帮扶 评估 N 达成|部分达成|未达成 说明）\n"
    "/培训 新建 标题 时间=… 地点=… 名额=… 讲师=… — 发布培训\n/讲师 — 内训师\n/后备 — 后备人才（/认定 姓名 通过|不通过 说明）\n"
    "/活动 新建 标题 时间=… 地点=… 名额=… — 发布活动\n/班组 班组名 — 班组档案\n/排名 — 班组评分\n"
    "/问卷 新建 标题 [匿名] — 征求意见（/问卷 发布 N 全体|班组=…|角色=…，/问卷 结果 N）"
)


def help_for(role: str) -> str:
    return {"secretary": SECRETARY, "member": MEMBER}.get(role, EMPLOYEE)


@router.route(filters.known, filters.text)
async def unknown_command(ctx: Context) -> Replies:
    text = ctx.text.strip()
    if not text.startswith(("/", "／")):
        return NOT_HANDLED
    assert ctx.sender is not None
    return Text(content=f"没有这个命令：{text.split()[0]}\n{help_for(ctx.sender.role)}")
