"""The vocabulary and lifecycle of 精密关注 (the key-attention ledger and its visit tasks), in one place.

A ledger entry::

    proposed --accept--> active --resolve--> resolved
        |
        +--decline--> declined

``proposed`` is a colleague's tip waiting for the responsible member's decision; only ``active``
entries are in the ledger (someone asking for themselves is asked first, so their entry starts
``active``). A visit task is ``open`` until it is ``done`` (the visit) or ``cancelled`` (the entry
was resolved).

Every category, status, source and reason has one Chinese label, here, read by chat, digest, API and
Excel alike. ``TRANSITIONS`` / ``TASK_TRANSITIONS`` say which action may start from which status;
``check`` / ``check_task`` are the only places an action is allowed or refused
(``storage.care.entries`` and ``storage.care.visits`` call them under a row lock).
"""

from __future__ import annotations

from storage.vocab import Labeled, Transitions


class CareCategory(Labeled):
    ILLNESS = "illness", "住院/疾病"
    HARDSHIP = "hardship", "生活困难"
    BEREAVEMENT = "bereavement", "家中丧事"
    CELEBRATION = "celebration", "婚育喜事"
    RETIREMENT = "retirement", "退休"
    EMOTIONAL = "emotional", "情绪/心理"
    OTHER = "other", "其他"

    @classmethod
    def of(cls, value: str | None) -> CareCategory:
        """The category of a stored or parsed value; anything unknown is ``other``."""
        try:
            return cls(value or cls.OTHER)
        except ValueError:
            return cls.OTHER


class CareStatus(Labeled):
    """Where a ledger entry stands; only ``active`` entries are in the ledger."""

    ACTIVE = "active", "关注中"
    RESOLVED = "resolved", "已解除"
    PROPOSED = "proposed", "待登记"
    DECLINED = "declined", "不登记"


class CareSource(Labeled):
    """How an entry came to be: the person asked, a colleague told us, a member or the roster added it."""

    SELF = "self", "本人反映"
    TIP = "tip", "他人反映"
    MEMBER = "member", "党员登记"
    ROSTER = "roster", "名册导入"


class TaskStatus(Labeled):
    """A visit task is open until the visit is made or the entry is resolved."""

    OPEN = "open", "待走访"
    DONE = "done", "已走访"
    CANCELLED = "cancelled", "已取消"


class VisitReason(Labeled):
    """A visit task's reason besides a category (a life event) and ``tip``: the next visit a member promised."""

    FOLLOW_UP = "followup", "约定回访"


# A visit task's reason is a category (a life event), ``tip`` (a colleague's tip), ``followup`` (the next
# visit named when a visit was recorded) or, in old rows, a Chinese word ("退休").
TIP_REASON = CareSource.TIP.value


def reason_label(reason: str | None) -> str:
    """What a visit task is for, in Chinese."""
    if reason == TIP_REASON:
        return CareSource.TIP.label
    if reason == VisitReason.FOLLOW_UP:
        return VisitReason.FOLLOW_UP.label
    return CareCategory.label_of(reason, reason or CareCategory.OTHER.label)


# --- the rules per category (configurable: change here) --------------------------------

C = CareCategory

# Follow-up interval per category, in days.
INTERVAL_DAYS: dict[CareCategory, int] = {
    C.ILLNESS: 7, C.HARDSHIP: 14, C.BEREAVEMENT: 7, C.CELEBRATION: 30, C.RETIREMENT: 30, C.EMOTIONAL: 7,
    C.OTHER: 14,
}
NO_ENTRY_INTERVAL = 30  # next visit after a visit to someone not in the ledger
NOT_VISITED_DAYS = 30  # "not visited lately" in /我的

# Life events get a visit task for the responsible member, due this many days after today.
LIFE_EVENT_DUE_DAYS: dict[CareCategory, int] = {C.ILLNESS: 1, C.BEREAVEMENT: 1, C.CELEBRATION: 3, C.RETIREMENT: 3}
# An accepted tip gets a first visit due this many days after the decision.
TIP_DUE_DAYS: dict[CareCategory, int] = {C.ILLNESS: 1, C.BEREAVEMENT: 1}
TIP_DUE_DEFAULT = 3


def interval_for(category: str | None) -> int:
    return INTERVAL_DAYS[CareCategory.of(category)]


def tip_due_days(category: str | None) -> int:
    return TIP_DUE_DAYS.get(CareCategory.of(category), TIP_DUE_DEFAULT)


def life_event_due_days(category: str | None) -> int | None:
    return LIFE_EVENT_DUE_DAYS.get(CareCategory.of(category))


# --- transitions -------------------------------------------------------------------------


class Action(Labeled):
    """What can be done to a ledger entry; each has the statuses it starts from (``TRANSITIONS``)."""

    ACCEPT = "accept", "登记"
    DECLINE = "decline", "不登记"
    RESOLVE = "resolve", "结案"


class TaskAction(Labeled):
    """What closes a visit task (``TASK_TRANSITIONS``)."""

    DONE = "done", "走访"
    CANCEL = "cancel", "取消"


S, A, T = CareStatus, Action, TaskStatus

# action -> (statuses it may start from, the status it leads to), and why not ("{n}": T{n} of a tip).
LIFECYCLE: Transitions[CareStatus] = Transitions(CareStatus, {
    A.ACCEPT: ((S.PROPOSED,), S.ACTIVE),
    A.DECLINE: ((S.PROPOSED,), S.DECLINED),
    A.RESOLVE: ((S.ACTIVE,), S.RESOLVED),
}, refusals={
    (A.RESOLVE, S.RESOLVED): "这条重点关注已经结案了。",
    (A.RESOLVE, S.PROPOSED): "线索 T{n} 还没有登记到台账，不能结案。",
    (A.RESOLVE, S.DECLINED): "线索 T{n} 没有登记到台账，不能结案。",
    None: "线索 T{n} 已经处理过了。",  # accepting or declining a tip that is no longer proposed
})
TASKS: Transitions[TaskStatus] = Transitions(TaskStatus, {
    TaskAction.DONE: ((T.OPEN,), T.DONE),
    TaskAction.CANCEL: ((T.OPEN,), T.CANCELLED),
}, refusals={None: "这项走访任务已经是“{status}”，不能再{action}。"})
TRANSITIONS, TASK_TRANSITIONS = LIFECYCLE.table, TASKS.table


def can(action: Action, current: str) -> bool:
    return LIFECYCLE.can(action, current)


def check(action: Action, number: int, current: str) -> CareStatus:
    """The status ``action`` leads to, or :class:`Refused` with the Chinese reason."""
    return LIFECYCLE.check(action, current, n=number)


def can_task(action: TaskAction, current: str) -> bool:
    return TASKS.can(action, current)


def check_task(action: TaskAction, current: str) -> TaskStatus:
    """The status a visit task moves to, or :class:`Refused` (it is done or cancelled already)."""
    return TASKS.check(action, current, action=action.label)
