"""What the sign-up flow says (Chinese), for trainings and activities alike."""

from __future__ import annotations

from bot.dispatcher import Context
from bot.format import moment
from bot.replies import Text
from storage import gatherings
from storage.gatherings import Gathering, GatheringKind

T, A = GatheringKind.TRAINING, GatheringKind.ACTIVITY

# Who, besides the secretary, organises: records attendance and sees the roster.
ORGANISER = {T: "讲师", A: "发布人"}
# Who, besides the secretary, may cancel.
CANCELLERS = {T: "发布人、讲师", A: "发布人"}
# What attendance is for.
ATTENDANCE_COUNTS = {T: "已记入各人的人才档案", A: "计入所在班组本月活动参与率"}

ATTEND_USAGE = ("格式：/签到 培训N 张三,李四 或 /签到 活动N 张三,李四"
                "（讲师、发布人或支部书记在当天或之后登记到场人员）")
NO_MATCH = "近期没有找到对应的培训。发“/培训”查看近期培训，再回复“报名 培训编号”。"


def kind_of(word: str) -> GatheringKind:
    """``培训`` / ``活动`` -> the kind."""
    found = GatheringKind.parse(word)
    assert found is not None, word
    return found


def when(ctx: Context, g: Gathering) -> str:
    return moment(g.starts_at, ctx.settings.tz)


def place(g: Gathering) -> str:
    return g.place or "地点另行通知"


def not_found(kind: GatheringKind, n: int) -> Text:
    k = kind.label
    return Text(content=f"没有找到{k}{n}，请核对编号。发“/{k}”可以查看近期{k}。")


def stale(kind: GatheringKind) -> Text:
    return Text(content=f"这个按钮已失效，请回复“报名 {kind.label}编号”报名。")


def signed_up(ctx: Context, g: Gathering, signed: int) -> str:
    label = gatherings.label_of(g)
    return (f"报名成功：{label}「{g.title}」，{when(ctx, g)}，{place(g)}（{gatherings.quota(g, signed)}）。"
            f"前一天我会提醒您。不能参加请回复“取消报名 {label}”。")


def withdrawn(g: Gathering) -> str:
    return f"已取消您对{gatherings.label_of(g)}「{g.title}」的报名。"


def several(ctx: Context, hits: list[Gathering]) -> str:
    return ("有几期培训都对得上，请回复编号报名：\n"
            + "\n".join(f"报名 {gatherings.label_of(g)}（{g.title}，{when(ctx, g)}）" for g in hits))


def roster_denied(g: Gathering) -> str:
    return f"{gatherings.label_of(g)}的名单只有{ORGANISER[GatheringKind(g.kind)]}、党员和支部书记可以查看。"


def cancel_denied(g: Gathering) -> str:
    return f"{gatherings.label_of(g)}只能由{CANCELLERS[GatheringKind(g.kind)]}或支部书记取消。"


def attendance_denied(g: Gathering) -> str:
    return f"{gatherings.label_of(g)}的到场情况只能由{ORGANISER[GatheringKind(g.kind)]}或支部书记登记。"


def cancelled(g: Gathering, told: int) -> str:
    return f"已取消{gatherings.label_of(g)}「{g.title}」，已通知 {told} 位报名的同志。"


def cancelled_notice(ctx: Context, g: Gathering) -> str:
    return f"您报名的{gatherings.label_of(g)}「{g.title}」（{when(ctx, g)}）已取消。"


def unknown_names(missing: list[str], ambiguous: list[str]) -> str:
    parts = []
    if missing:
        parts.append(f"名册里没有：{'、'.join(missing)}")
    if ambiguous:
        parts.append(f"重名，请改用账号：{'、'.join(ambiguous)}")
    return "；".join(parts) + "。这次没有登记任何人，请核对后重发。"


def attendance(g: Gathering, names: dict[str, str], new: list[str], present: int) -> str:
    head = f"{gatherings.label_of(g)}「{g.title}」到场登记：新登记 {len(new)} 人"
    lines = [head + (f"（{'、'.join(names[u] for u in new)}）" if new else "")]
    again = [n for u, n in names.items() if u not in new]
    if again:
        lines.append(f"已登记过：{'、'.join(again)}")
    lines.append(f"累计到场 {present} 人，{ATTENDANCE_COUNTS[GatheringKind(g.kind)]}。")
    return "\n".join(lines)
