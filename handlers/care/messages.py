"""What 精密关注 says: the Chinese texts, and the lines that describe an entry, a tip and a visit."""

from __future__ import annotations

from datetime import date

from bot.format import fmt_day, month_day
from storage.care import CareCategory, CareEntry, VisitReason, VisitTask
from storage.people.models import Person

# --- who may see what --------------------------------------------------------------


def confidential(secretary: bool) -> str:
    """The note under anything that shows a ledger entry, for the person reading it."""
    if secretary:
        return "此信息仅支部书记和负责党员可见，请注意保密。"
    return "此信息仅你和支部书记可见，请注意保密。"


LEDGER_DENIED = "重点关注台账仅限党员同志查看。你登记过的事会有联系党员跟进，有需要随时告诉我。"
COVERAGE_DENIED = "/覆盖 仅限支部书记使用。党员同志可发 /我的 查看自己的责任区。"
MINE_DENIED = "/我的 是党员同志的责任区视图。查看你反映的事，请发 /我的事项。"
RESOLVE_DENIED = "只有负责的党员或支部书记可以结案。"
RESOLVE_USAGE = "用法：/结案 姓名或账号"
LEDGER_EMPTY = "台账中暂无在册的重点关注对象。"
LEDGER_EMPTY_MINE = "你负责的重点关注对象目前没有。"

NOT_IN_ROSTER = "名册里没有找到“{word}”。"

NOTHING_TO_RESOLVE = "{name} 目前没有由你负责的在册重点关注。"


def resolved(name: str, entries: list[CareEntry]) -> str:
    kinds = "、".join(CareCategory.label_of(e.category) for e in entries)
    return f"已结案：{name}（{kinds}）。"


# --- one's own need: consent ---------------------------------------------------------------

NO_ONE_RESPONSIBLE = "收到。名册中还没有你的联系党员或支部书记，请直接联系支部，我们会尽快关心。"
CANNOT_REGISTER = "名册中还没有你的联系党员或支部书记，暂时无法登记，请直接联系支部。"


def consent_prompt(category: str, who: str) -> str:
    return f"是否登记到重点关注台账（类别：{CareCategory.label_of(category)}），由 {who}跟进？回复 是/否"

NOT_REGISTERED = "好的，不登记。有需要随时找我或 {who}。"

REGISTERED = "已登记，{who} 会尽快和你联系。有需要随时找我。"


def registered_notice(person: str, team: str, entry: CareEntry, when: date | None, secretary: bool) -> str:
    """For the responsible member: someone in their care registered a need."""
    team_part = f"（{team}）" if team else ""
    return (f"【重点关注】{person}{team_part}登记了重点关注，类别：{CareCategory.label_of(entry.category)}。\n"
            f"情况：“{entry.summary}”\n"
            f"请在 {fmt_day(when) if when else '近期'} 前联系或走访；走访后发“看望了{person}，……”即可记录，"
            f"下次回访日期会自动排好。\n{confidential(secretary)}")


# --- a colleague's tip -------------------------------------------------------------------

TIP_THANKS = "谢谢你告诉我们，已转给相关党员同志，会妥善关心。"

TIP_TITLE = "重点关注线索 T{tip}"


def tip_desc(tipster: str, entry: CareEntry, who: str, in_zone: bool) -> str:
    zone = "，你的责任区" if in_zone else ""
    return (f"{tipster}反映：“{entry.summary}”\n涉及：{who}{zone}\n类别：{CareCategory.label_of(entry.category)}\n"
            "是否登记到台账并安排走访？")


def tip_fallback(tip: int, desc: str, only: bool, secretary: bool) -> str:
    how = f"回复“登记 T{tip}”登记并安排走访，回复“不登记 T{tip}”不登记"
    if only:
        how += "（也可直接回复 是/否）"
    return f"【{TIP_TITLE.format(tip=tip)}】\n{desc}\n{how}。{confidential(secretary)}"


# The open question the tip card stands for (re-asked after an interrupt).
TIP_PROMPT = "线索 T{tip}（{who}）是否登记到台账并安排走访？回复 是/否"

TIP_NOT_FOUND = "没有找到线索 T{tip}。"

TIP_NOT_YOURS = "线索 T{tip} 不是交给你的。"

TIP_DECLINED = "好的，线索 T{tip} 不登记。"


def tips_pending(tips: list[CareEntry]) -> str:
    """是/否 with several open tips: which one?"""
    numbers = "、".join(f"T{t.id}" for t in tips)
    return (f"你有 {len(tips)} 条待处理的重点关注线索（{numbers}），请回复“登记 T{tips[0].id}”或"
            f"“不登记 T{tips[0].id}”这样的编号。")


def tip_accepted(name: str, category: str, when: date) -> str:
    return (f"已登记到重点关注台账（{name}，类别：{CareCategory.label_of(category)}）。请在 {fmt_day(when)} 前走访 {name}；"
            f"走访后发“看望了{name}，……”即可记录。")

TIP_ACCEPTED_BY_SECRETARY = "支部书记已将线索 T{tip} 登记到台账。{text}"


# --- visits ----------------------------------------------------------------------------

VISITS_ARE_FOR_STAFF = "谢谢！走访记录由党员同志填写。如果你或同事需要关心帮助，直接把情况告诉我就好。"
VISIT_WHO = "请问你走访的是哪位同事？请回复姓名。"
VISIT_NOBODY = "没有在名册中找到这位同事。请把走访情况连同姓名重新发一遍，例如“今天看望了孙鹏，……”。"


def visit_recorded(name: str, when: date, zone_note: str = "", asked: date | None = None) -> str:
    """``asked``: the day the member named, when it was a day off (the follow-up is on the next working day)."""
    moved = ""
    if asked is not None and asked != when:
        moved = f"{month_day(asked)}是休息日，已{'提前到前一个' if when < asked else '顺延到下一个'}工作日。"
    return f"已记录对 {name} 的走访，下次回访：{fmt_day(when)}{zone_note}。{moved}到时我会提醒你。"


def not_your_zone(name: str) -> str:
    return (f"{name} 不在你的责任区，这次走访没有记下。走访自己责任区以外的同事，"
            "请先告诉支部书记，由书记记录或把这位同事安排给你。")


# --- which one? ------------------------------------------------------------------------------


def which_prompt(people: list[Person]) -> str:
    options = " ".join(f"{i}. {p.name}（{p.team or '未分班组'}）" for i, p in enumerate(people, 1))
    return f"你说的是哪一位？{options}\n回复序号即可。"

WHICH_RANGE = "请回复 1 到 {n} 之间的序号。"


# --- the ledger, /我的, /覆盖 ------------------------------------------------------------------

OVERDUE = " 【逾期】"


def who(person: Person | None, userid: str) -> str:
    return person.name if person is not None else userid


def late(due: date, today: date) -> str:
    return OVERDUE if due < today else ""


def task_line(task: VisitTask, person: Person | None, category: str | None, today: date) -> str:
    """A visit task in /我的: a promised next visit reads like a follow-up, anything else as a visit due."""
    who_ = who(person, task.person)
    if task.reason == VisitReason.FOLLOW_UP:
        what = CareCategory.label_of(category) if category else VisitReason.FOLLOW_UP.label
        return f"· 回访 {who_}（{what}），{fmt_day(task.due_date)}{late(task.due_date, today)}"
    return f"· 走访 {who_}，截止 {fmt_day(task.due_date)}{late(task.due_date, today)}"


def entry_line(entry: CareEntry, person: Person | None, responsible: Person | None, today: date,
               *, summary: bool) -> str:
    due = entry.next_follow_up
    line = (f"· {who(person, entry.person)}｜{CareCategory.label_of(entry.category)}｜"
            f"负责：{who(responsible, entry.responsible)}"
            f"｜下次回访：{fmt_day(due) if due else '未定'}{late(due, today) if due else ''}")
    if summary and entry.summary:
        line += f"\n  情况：{entry.summary}"
    return line


def ledger_title(secretary: bool, count: int) -> str:
    return f"{'重点关注人群台账' if secretary else '我负责的重点关注对象'}（{count} 人次）"


# --- a question about a colleague ---------------------------------------------------------


def colleague_question(name: str, contact: str | None, *, secretary: bool) -> str:
    """Where to ask about a colleague, without saying anything about them (``contact``: their 联系党员)."""
    who = (f"支部书记{contact}" if secretary else f"{name}的联系党员{contact}") if contact else "支部书记"
    return (f"同事的个人和家庭情况，我不能在这里透露。想关心{name}，可以直接问{who}，或者当面问候{name}本人。\n"
            f"如果您知道{name}遇到了困难，请把具体情况告诉我（例如“{name}的父亲住院了”），我会转给联系党员跟进。")


def colleague_question_staff(name: str) -> str:
    """The same question from the one responsible for them (or the secretary): where they can read it."""
    return f"{name}的在册情况请发“/台账”查看；最新情况建议直接联系{name}本人。聊天里不转述同事的个人情况。"


def unknown_person(nickname: str) -> str:
    """A tip about someone named by a nickname nobody on the roster has."""
    return (f"没能确定“{nickname}”是哪位同事（花名册里没有对得上的人）。"
            f"请发一次他的全名和情况，例如“张伟的父亲住院了”，我会转给他的联系党员跟进。")
