"""What 精英培养 says (Chinese), and the small lookups its replies need."""

from __future__ import annotations

from bot.cards import button_card
from bot.dispatcher import Context
from bot.format import moment
from bot.replies import TemplateCard
from storage import gatherings, people
from storage.gatherings import Gathering
from storage.people import RosterEntry

CREATE_USAGE = ("格式：/培训 新建 标题 时间=2026-12-03 14:00 地点=三楼会议室 名额=20 讲师=张敏"
                "（名额、讲师、班组=可不写；讲师须是内训师）")
HELP = ("/培训 — 近期培训和剩余名额\n/培训 N 名单 — 报名名单\n" + CREATE_USAGE + "\n"
        "/签到 培训N 张三,李四 — 登记到场\n报名：回复“报名 培训N”")
NO_RESERVE = "后备人才工作由支部统一组织，相关情况只在党员和支部书记范围内掌握。有问题可以当面找支部书记。"
MEMBERS_ONLY = "“{cmd}”只有党员和支部书记可以使用。"
SECRETARY_ONLY = "“{cmd}”只有支部书记可以使用。"
RECOMMEND_DENIED = "后备人才由党员或支部书记推荐。如果您觉得身边有合适的同志，可以告诉所在班组的党员。"
RECOMMEND_USAGE = "格式：/推荐 姓名 理由，例如“/推荐 孙鹏 技术过硬，肯吃苦”。"
REVIEW_USAGE = "格式：/考察 姓名 工作|品行|群众评价 内容，例如“/考察 孙鹏 工作 连续三年班组技术骨干”。"
DECIDE_USAGE = "格式：/认定 姓名 通过|不通过 说明，例如“/认定 孙鹏 通过 考察意见一致，列入后备人才库”。"
LECTURER_USAGE = "用法：/讲师（查看名单）；/讲师 添加 姓名 专长；/讲师 移除 姓名"
PROFILE_HINT = "补充档案直接说，例如“我会PLC编程”“我考取了高压电工证”“我想往技术岗发展”。"
TALENT_HINT = ("想补充人才档案可以直接说，例如“我会PLC编程”“我考取了高压电工证”“我想往技术岗发展”"
               "“我想报名电工培训”。发“/我的档案”查看档案，发“/培训”查看近期培训。")

# /认定 words: approved or not
DECISIONS = {"通过": True, "同意": True, "认定": True, "不通过": False, "不同意": False, "未通过": False}


def when(ctx: Context, g: Gathering) -> str:
    return moment(g.starts_at, ctx.settings.tz)


async def name(ctx: Context, userid: str | None) -> str:
    return await people.name_of(ctx.session, userid, default="—")


async def resolve(ctx: Context, token: str) -> tuple[RosterEntry | None, str]:
    """A roster entry by userid or exact name; else (None, a Chinese reason)."""
    token = token.strip()
    found = await people.get(ctx.session, token)
    if found is not None:
        return found, ""
    matches = await people.named(ctx.session, token)
    if len(matches) == 1:
        return matches[0], ""
    if matches:
        return None, f"名册里有 {len(matches)} 位“{token}”，请改用账号。"
    return None, f"名册里没有“{token}”，请核对姓名。"


def training_card(to: str, g: Gathering, desc: str, fallback: str) -> TemplateCard:
    """A training's card with its 报名 button (the gatherings domain answers the press)."""
    return button_card(to, title=f"{gatherings.label_of(g)}：{g.title}", desc=desc,
                       buttons=[("报名", gatherings.signup_key(g))], task_prefix=f"training{g.number}",
                       fallback=fallback)
