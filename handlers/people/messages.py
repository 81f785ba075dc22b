"""What someone not in the roster is told."""

from __future__ import annotations

from storage.people import Role, RosterEntry


def not_in_roster(secretaries: list[RosterEntry]) -> str:
    if secretaries:
        who = "、".join(f"{s.name}（{Role.SECRETARY.label}）" for s in secretaries)
        ask = f"请联系{who}，把您的企业微信账号加入名册"
    else:
        ask = "请联系本支部书记或系统管理员，把您的企业微信账号加入名册"
    return ("您好！四精助手目前只为本支部名册中的同事服务，暂时还没有找到您的信息。\n"
            f"{ask}（需提供账号、姓名、班组）。加入后就可以直接在这里反映问题、查询进度了。")
