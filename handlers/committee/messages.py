"""What the committee view says (Chinese): the branch list, one branch, 支部争先; pages within 2048 bytes."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime, tzinfo

from bot.format import local
from bot.replies import TEXT_LIMIT, clip_bytes
from storage.committee import (
    COMPONENTS,
    COVERAGE_DAYS,
    BranchComponent,
    BranchDetail,
    BranchFigures,
    Order,
    Overview,
    Part,
)

C = BranchComponent
DENIED = ("“{cmd}”只有党委工作人员可以使用：它显示全部支部的情况。支部书记请用本支部的命令"
          "（如 /待办、/覆盖、/排名）查看本支部。")
LIST_USAGE = "用法：/支部（各支部情况）、/支部 2（第2页）、/支部 覆盖（按覆盖率排序）、/支部 代号或名称（一个支部）"
RANK_USAGE = "看不懂季度。用法：/争先（本季度至今）、/争先 上季度、/争先 2026Q3、/争先 2026年第3季度 2（第2页）"
BAD_WEIGHTS = "支部争先权重设置有误，请联系管理员修改配置：{exc}"
NO_BRANCH = "没有“{word}”这个支部。发“/支部”看支部列表。"
NO_PAGE = "只有 {pages} 页。"
NOT_YET = "{label}还没到，没有排名。"
ORDER_WORDS = {"覆盖": Order.COVERAGE, "覆盖率": Order.COVERAGE, "逾期": Order.OVERDUE}
LINE_LIMIT = 240  # bytes: no one line can crowd a page
TITLE_SHOWN = 20  # characters of a deed's title


def pct(ratio: float | None) -> str:
    return "—" if ratio is None else f"{ratio:.0%}"


def part(p: Part) -> str:
    """``80%（8/10）``, or ``—`` without data."""
    return f"{pct(p.ratio)}（{p.num}/{p.den}）" if p.den else "—"


def score(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}分"


def as_of(today: date) -> str:
    return f"截至{today.month}月{today.day}日"


# --- pages ------------------------------------------------------------------------------------------


def paginate(lines: Sequence[str], room: int) -> list[list[str]]:
    """Lines in pages of at most ``room`` bytes (each line with its newline), in order; at least one page."""
    pages: list[list[str]] = [[]]
    used = 0
    for line in lines:
        size = len(line.encode("utf-8")) + 1
        if pages[-1] and used + size > room:
            pages.append([])
            used = 0
        pages[-1].append(line)
        used += size
    return pages


def paged(head: Callable[[int, int], str], lines: Sequence[str], foot: Callable[[int, int], str],
          page: int) -> tuple[str | None, int]:
    """Page ``page`` (from 1) of ``lines`` between its header and footer, within WeCom's 2048 bytes, and how
    many pages there are; None for a page that does not exist."""
    lines = [clip_bytes(line, LINE_LIMIT) for line in lines]
    widest = ((1, 999), (999, 999))  # the longest numbers, on a page with a next page and on the last
    room = TEXT_LIMIT - max(len(head(k, n).encode("utf-8")) + len(foot(k, n).encode("utf-8")) for k, n in widest) - 2
    pages = paginate(lines, room)
    if not 1 <= page <= len(pages):
        return None, len(pages)
    n = len(pages)
    text = "\n".join([head(page, n), *pages[page - 1], foot(page, n)]).rstrip("\n")
    return text, n


# --- /支部 --------------------------------------------------------------------------------------------


def branch_line(place: int, b: BranchFigures) -> str:
    return (f"{place}. {b.code} {b.people}人 覆盖{pct(b.part(C.COVERAGE).ratio)} 未办结{b.open_deeds} "
            f"逾期{b.overdue} 满意{pct(b.part(C.SATISFACTION).ratio)} 回访{pct(b.part(C.VISITS).ratio)}")


def branch_list(board: Overview, order: Order, page: int, today: date) -> tuple[str | None, int]:
    rows = board.by_need(order)
    total = board.totals()

    def head(k: int, n: int) -> str:
        return (f"各支部情况（{as_of(today)}，共 {len(rows)} 个支部 {total.people} 人，第 {k}/{n} 页）\n"
                f"排序：{order.label}\n"
                f"覆盖=责任区近{COVERAGE_DAYS}天走访覆盖；满意、回访为{board.label}至今的满意办结、按时回访")

    def foot(k: int, n: int) -> str:
        more = f"下一页：/支部 {k + 1}；" if k < n else ""
        other = "/支部 逾期" if order == Order.COVERAGE else "/支部 覆盖"
        return f"{more}换个排序：{other}；一个支部：/支部 代号"

    return paged(head, [branch_line(i, b) for i, b in enumerate(rows, start=1)], foot, page)


def branch_detail(b: BranchFigures, d: BranchDetail, board: Overview, now: datetime, tz: tzinfo) -> str:
    lines = [f"【{d.branch.name}】代号 {d.branch.code}（{as_of(now.date())}）",
             f"书记：{'、'.join(d.secretaries) or '（未设）'}"
             + (f"；党委工作人员：{'、'.join(d.officers)}" if d.officers else ""),
             f"人数 {b.people}，党员 {d.member_count}" + (f"：{'、'.join(d.members)}" if d.members else "")
             + (f" 等{d.member_count}人" if d.member_count > len(d.members) else ""),
             f"责任区近{COVERAGE_DAYS}天覆盖 {part(b.part(C.COVERAGE))}",
             f"办实事未办结 {b.open_deeds} 件，逾期 {b.overdue} 件" + ("：" if d.overdue else "")]
    for o in d.overdue:
        due = f"，应于 {local(o.due_at, tz, '%m-%d')} 办结" if o.due_at and o.due_at < now else "，超过一天未接单"
        lines.append(f"· {o.label} {o.title[:TITLE_SHOWN]}（负责人 {o.owner}{due}）")
    if b.overdue > len(d.overdue):
        lines.append(f"· …… 共 {b.overdue} 件")
    lines.append(f"重点关注 {b.attention} 人（只显示人数）")
    lines.append(f"{board.label}至今：" + "，".join(f"{k.label} {part(b.part(k))}" for k in COMPONENTS
                                                 if k != C.COVERAGE))
    lines.append(standing(b, len(board.ranked)))
    return "\n".join(lines)


def standing(b: BranchFigures, ranked: int) -> str:
    if b.ranked:
        return f"支部争先 {score(b.score)}，第 {b.rank}/{ranked} 名"
    return f"支部争先 {score(b.score)}，未参与排名（当季活动量 {b.activity} 项，不足 {b.min_activity} 项）"


# --- /争先 --------------------------------------------------------------------------------------------


SHORT = {C.COVERAGE: "覆盖", C.VISITS: "回访", C.SATISFACTION: "满意", C.RESPONSE: "响应", C.INCIDENTS: "事件",
         C.PARTICIPATION: "参与"}


def short(b: BranchFigures) -> str:
    return " ".join(f"{SHORT[k]}{pct(b.part(k).ratio)}" for k in COMPONENTS)


def ranking(board: Overview, page: int, today: date, *, current: bool) -> tuple[str | None, int]:
    w = board.weights

    def head(k: int, n: int) -> str:
        when = f"（{as_of(today)}）" if current else ""
        return (f"{board.label}支部争先{when}，第 {k}/{n} 页：\n"
                "权重：" + "，".join(f"{c.label}{w[c]:g}" for c in COMPONENTS)
                + "。没有数据的项不计入，其余权重按比例折算；"
                f"当季活动量不足 {board.branches[0].min_activity if board.branches else 0} 项的支部不参与排名。")

    def foot(k: int, n: int) -> str:
        return f"下一页：/争先 {board.label} {k + 1}" if k < n else ""

    lines = [f"{b.rank}. {b.code} {score(b.score)}｜{short(b)}" if b.ranked else
             f"-. {b.code} {score(b.score)}（活动量 {b.activity} 项，未参与排名）" for b in board.branches]
    return paged(head, lines, foot, page)
