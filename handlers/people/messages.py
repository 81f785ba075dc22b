"""What someone not in the roster is told."""

from __future__ import annotations

from storage.people import Role, RosterEntry
from storage.people.handover import Handover


def not_in_roster(secretaries: list[RosterEntry]) -> str:
    if secretaries:
        who = "、".join(f"{s.name}（{Role.SECRETARY.label}）" for s in secretaries)
        ask = f"请联系{who}，把您的企业微信账号加入名册"
    else:
        ask = "请联系本支部书记或系统管理员，把您的企业微信账号加入名册"
    return ("您好！四精助手目前只为本支部名册中的同事服务，暂时还没有找到您的信息。\n"
            f"{ask}（需提供账号、姓名、班组）。加入后就可以直接在这里反映问题、查询进度了。")


ZONE_NAMES = 30  # names listed in a notice; the rest are counted


def handed_over(name: str, handover: Handover, *, moved_to: str | None = None) -> str:
    """The secretary's notice: someone left the directory (or moved branch) and what is now theirs."""
    head = f"通讯录同步：{name} 已调到“{moved_to}”。" if moved_to else f"通讯录同步：{name} 已不在企业微信通讯录中，名册中已停用。"
    lines = [head]
    work = []
    if handover.items:
        work.append("事项 " + "、".join(f"#{n}" for n in handover.items) + "（请接单或用 /指派 改派）")
    if handover.care:
        work.append(f"精密关注 {handover.care} 条")
    if handover.tasks:
        work.append(f"走访任务 {handover.tasks} 项")
    if handover.projects:
        work.append("帮扶项目 " + "、".join(handover.projects))
    if handover.routes:
        work.append(f"分类派单 {handover.routes} 条（可用 /路由 调整）")
    if work:
        lines.append("其未办完的工作已转给您：" + "；".join(work) + "。")
    if handover.zone:
        names = "、".join(handover.zone[:ZONE_NAMES])
        more = f"等 {len(handover.zone)} 人" if len(handover.zone) > ZONE_NAMES else ""
        lines.append(f"以下同志原由其联系，现在没有联系党员，请重新安排：{names}{more}。")
    return "\n".join(lines)


# -- the workbench from the chat (/后台, /导出) ---------------------------------

LINK_TITLE = "四精助手工作台登录"
_SEES = {
    Role.EMPLOYEE: "你反映的和负责的事项、值班表、培训和活动",
    Role.MEMBER: "你的责任区：区内同事的事项、你负责的关注和走访、覆盖情况",
    Role.SECRETARY: "本支部全部台账、图表、审计日志和迎检台账下载",
}


def link_description(role: str) -> str:
    """The login card's text (≤ 512 bytes): what the link is, how long it lasts, what they will see."""
    sees = _SEES.get(role, _SEES[Role.EMPLOYEE])  # type: ignore[call-overload]  # a stored role string
    return (f"点击登录工作台（适合电脑浏览器打开）。链接 10 分钟内有效，只能使用一次，请勿转发。\n"
            f"可以看到：{sees}。\n在手机上也可以从企业微信“工作台”直接打开四精助手。")


NO_PUBLIC_URL = "工作台的访问地址还没有配置（SIJING_PUBLIC_URL），暂时无法生成登录链接。请联系系统管理员。"
PUBLIC, INTERNAL = "公开台账", "内部台账"
EXPORT_DENIED = "“/导出”只有支部书记可以使用。你可以发“/后台”在工作台里查看自己能看的台账。"
EXPORT_USAGE = "用法：/导出（公开台账，可交给检查组）或 /导出 内部（内部台账，含敏感信息）。"
EXPORT_FAILED = "迎检{which}没有生成成功，请稍后再发一次“/导出”；也可以在工作台“迎检台账”页面下载。"


def export_started(which: str, internal: bool) -> str:
    note = ("内部台账含健康、家庭等敏感信息，仅供支部书记本人使用，请勿转发；本次导出已记入审计日志。" if internal
            else "公开台账不含健康、家庭等敏感信息，可交给检查组。")
    return f"正在生成迎检{which}，稍后以文件发给你。\n{note}"
