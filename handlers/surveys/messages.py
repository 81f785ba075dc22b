"""What 征求意见 says: the Chinese texts, a question as it is asked, and long lists cut into messages.

Replies never echo what someone answered, so the outbox holds no answers either.
"""

from __future__ import annotations

from bot.replies import TEXT_LIMIT, clip_bytes
from storage.surveys import QuestionKind, Survey, SurveyQuestion, label, options_of

USAGE = (
    "问卷命令：\n/问卷 — 问卷列表、回收率\n/问卷 新建 标题 [匿名] — 新建问卷，然后逐条发题目\n"
    "/问卷 编辑 N — 继续给草稿添加题目\n/问卷 发布 N 全体|班组=运行一班|角色=党员 — 发出问卷\n"
    "/问卷 结果 N — 查看结果\n/问卷 关闭 N — 结束征求\n/问卷 继续 — 接着填写发给我的问卷"
)
SECRETARY_ONLY = "“/问卷 {sub}”只有支部书记可以使用。发“继续问卷”可以填写发给您的问卷。"
PAUSE_HINT = "（回复“暂停”可以稍后再答）"
STALE_BUTTON = "这个按钮已失效，请回复“继续问卷”。"
NOTHING_TO_ANSWER = "目前没有需要您填写的问卷。"
PUBLISH_USAGE = "用法：/问卷 发布 N 全体|班组=运行一班|角色=党员"
AUDIENCE_USAGE = "请写明发给谁：全体、班组=班组名 或 角色=党员/书记/员工，例如“/问卷 发布 1 班组=运行一班”。"
NEW_USAGE = "问卷标题不能为空。用法：/问卷 新建 标题 [匿名]，例如“/问卷 新建 食堂意见征求 匿名”。"
BUILD_HELP = (
    "请逐条发送题目，一条消息一道题：\n"
    "· 单选 食堂满意度如何？ 满意/一般/不满意\n"
    "· 多选 希望增加哪些活动？ 读书会/球赛/参观\n"
    "· 问答 还有什么建议？\n"
    "发“撤销”删除上一题，发“完成”结束编辑。"
)


def building(survey: Survey) -> str:
    """The build question, as it is asked again after something else came in between."""
    return f"问卷 {label(survey)} 还在编辑：请继续发题目，发“撤销”删除上一题，发“完成”结束。"


def not_found(n: int) -> str:
    return f"没有编号 #{n} 的问卷。"


def pct(x: float | None) -> str:
    return "—" if x is None else f"{x:.0%}"


def prompt(q: SurveyQuestion, total: int) -> str:
    """The question as sent to someone answering."""
    lines = [f"第{q.position}/{total}题（{QuestionKind.label_of(q.kind)}）：{q.text}"]
    lines += [f"{i + 1}. {o}" for i, o in enumerate(options_of(q))]
    if q.kind == QuestionKind.SINGLE:
        lines.append(f"请回复序号或选项，例如“1”。{PAUSE_HINT}")
    elif q.kind == QuestionKind.MULTI:
        lines.append(f"可以多选，请回复序号，用空格或顿号隔开，例如“1 3”。{PAUSE_HINT}")
    else:
        lines.append(f"请直接回复您的意见。{PAUSE_HINT}")
    return "\n".join(lines)


def chunks(lines: list[str], limit: int = TEXT_LIMIT) -> list[str]:
    """Pack lines into messages of at most ``limit`` UTF-8 bytes (an over-long line is clipped)."""
    out: list[str] = []
    current = ""
    for line in lines:
        line = clip_bytes(line, limit)
        candidate = f"{current}\n{line}" if current else line
        if len(candidate.encode("utf-8")) <= limit:
            current = candidate
            continue
        out.append(current)
        current = line
    if current:
        out.append(current)
    return out
