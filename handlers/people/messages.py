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
