"""The vocabulary and lifecycle of a practical-deed item (办实事), in one place.

::

    submitted -> accepted -> in_progress -> resolved -> closed
         |           |            |            |          |
         +-----------+------------+--> closed  +-> reopened (the requester is not satisfied)
                                                          |
                               reopened -> accepted / in_progress / resolved / closed

Every status, category, event and satisfaction has one Chinese label, here, read by chat, digest,
API and Excel alike. ``LIFECYCLE`` says which action may start from which status; ``check`` is
the only place an action is allowed or refused (``storage.deeds.actions`` calls it under a row lock).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from storage.errors import Refused
from storage.vocab import Labeled, Transitions

if TYPE_CHECKING:
    from storage.deeds.models import Item


class DeedStatus(Labeled):
    SUBMITTED = "submitted", "已受理待接单"
    ACCEPTED = "accepted", "已接单"
    IN_PROGRESS = "in_progress", "办理中"
    RESOLVED = "resolved", "已办好待确认"
    CLOSED = "closed", "已办结"
    REOPENED = "reopened", "重新办理"


class DeedCategory(Labeled):
    CANTEEN = "canteen", "食堂"
    FACILITIES = "facilities", "设施"
    COMMUTE = "commute", "通勤"
    PAY_WELFARE = "pay_welfare", "薪酬福利"
    SAFETY = "safety", "安全"
    HOUSING = "housing", "住宿"
    WORKLOAD = "workload", "工作量"
    OTHER = "other", "其他"


class ItemKind(Labeled):
    DEED = "deed", "办实事"
    INCIDENT = "incident", "突发事件"


class Satisfaction(Labeled):
    SATISFIED = "satisfied", "满意"
    UNSATISFIED = "unsatisfied", "不满意"


class EventKind(Labeled):
    """What an ``ItemEvent`` records (deeds and incidents share the history table)."""

    CREATED = "created", "提交"
    REPORTED = "reported", "报告"
    ACCEPTED = "accepted", "接单"
    PROGRESS = "progress", "进展"
    RESOLVED = "resolved", "办好"
    CONFIRMED = "confirmed", "确认满意，办结"
    REOPENED = "reopened", "不满意，重新办理"
    CLOSED_BY_HAND = "closed_by_hand", "书记销号"
    ASSIGNED = "assigned", "改派"
    NOTE = "note", "补充"
    MERGED = "merged", "补充情况"
    URGED = "urged", "催办"
    ACKNOWLEDGED = "acknowledged", "确认收到"
    CLOSED = "closed", "处置完毕"


S = DeedStatus

# The owner still has work to do.
WORKING: tuple[DeedStatus, ...] = (S.SUBMITTED, S.ACCEPTED, S.IN_PROGRESS, S.REOPENED)
# Not closed yet (includes items waiting for the requester's confirmation).
ACTIVE: tuple[DeedStatus, ...] = (*WORKING, S.RESOLVED)
# Waiting for the owner to take it on.
UNACCEPTED: tuple[DeedStatus, ...] = (S.SUBMITTED, S.REOPENED)


class Action(Labeled):
    """What can be done to a deed; each has the statuses it starts from (``TRANSITIONS``)."""

    ACCEPT = "accept", "接单"
    PROGRESS = "progress", "报告进展"
    RESOLVE = "resolve", "报告办好"
    CONFIRM = "confirm", "确认满意"
    REOPEN = "reopen", "重新办理"
    CLOSE = "close", "销号"
    REASSIGN = "reassign", "改派"


A = Action

# action -> (statuses it may start from, the status it leads to; None: see ``target``), and why not.
LIFECYCLE: Transitions[DeedStatus] = Transitions(DeedStatus, {
    A.ACCEPT: (UNACCEPTED, S.ACCEPTED),
    A.PROGRESS: (WORKING, S.IN_PROGRESS),
    A.RESOLVE: (WORKING, S.RESOLVED),
    A.CONFIRM: ((S.RESOLVED,), S.CLOSED),
    A.REOPEN: ((S.RESOLVED, S.CLOSED), S.REOPENED),
    A.CLOSE: (ACTIVE, S.CLOSED),
    A.REASSIGN: (ACTIVE, None),  # acceptance is reset: the new owner accepts again
}, refusals={
    (A.ACCEPT, S.CLOSED): "#{n} 已经办结了，不用再接单。",
    (A.ACCEPT, S.RESOLVED): "#{n} 已报办好，正在等反映人确认，不用再接单。",
    (A.PROGRESS, S.RESOLVED): "#{n} 已报办好，正在等反映人确认。",
    (A.RESOLVE, S.RESOLVED): "#{n} 已报办好，正在等反映人确认。",
    (A.CONFIRM, S.CLOSED): "#{n} 已经办结了，谢谢您的认可！",
    (A.CLOSE, S.CLOSED): "#{n} 已经办结了。",
    (A.REASSIGN, S.CLOSED): "#{n} 已办结，不能再改派。",
    A.ACCEPT: "#{n} 您已经接过了，当前状态：{status}。",
    A.CONFIRM: "#{n} 还在办理中（{status}），办好后会请您确认。",
    A.REOPEN: "#{n} 还在办理中（{status}），不用重新打开。",
    None: "#{n} 已经办结了。",
})


def can(action: Action, current: str) -> bool:
    return LIFECYCLE.can(action, current)


def target(action: Action, current: str) -> DeedStatus:
    """The status ``action`` leads to from ``current`` (after :func:`check`)."""
    now = DeedStatus(current)
    if action == A.REASSIGN and now in (S.ACCEPTED, S.IN_PROGRESS):
        return S.SUBMITTED
    return LIFECYCLE.target(action, current)


def check(action: Action, number: int, current: str) -> DeedStatus:
    """The status ``action`` leads to, or :class:`Refused` with the Chinese reason."""
    LIFECYCLE.check(action, current, n=number)
    return target(action, current)


# After "who closed it" (the loser of a race is told who was first), what the refused action means now.
_AFTER_CLOSE: dict[Action, str] = {
    A.ACCEPT: "，不用再接单。", A.PROGRESS: "，不用再报告进展。", A.RESOLVE: "，不用再报告办好。",
    A.CLOSE: "，不用再销号。", A.REASSIGN: "，不能再改派。",
}


def closed_how(number: int, satisfaction: str | None, close_reason: str | None) -> str:
    """"#N 已由反映人确认满意办结" / "#N 已由支部书记销号（原因：…）": how a closed deed was closed."""
    if close_reason:
        return f"#{number} 已由支部书记销号（原因：{close_reason}）"
    if satisfaction == Satisfaction.SATISFIED:
        return f"#{number} 已由反映人确认满意办结"
    return f"#{number} 已经办结了"


def check_item(action: Action, item: Item, actor: str | None = None) -> DeedStatus:
    """:func:`check` for ``item`` as it is: a closed item's refusal says who closed it and how (unless
    ``actor`` closed it: they know)."""
    if DeedStatus(item.status) == S.CLOSED and action in _AFTER_CLOSE and item.closed_by != actor:
        raise Refused(closed_how(item.number, item.satisfaction, item.close_reason) + _AFTER_CLOSE[action])
    return check(action, item.number, item.status)


def status_label(kind: str, status: str) -> str:
    """The label of an item's status, deed or incident (incidents' vocabulary is duty's)."""
    if kind == ItemKind.INCIDENT:
        from storage.duty.lifecycle import IncidentStatus

        return IncidentStatus.label_of(status)
    return DeedStatus.label_of(status)
