"""The vocabulary and lifecycle of an incident (突发事件), in one place::

    open --acknowledge--> acknowledged --close--> closed
      |                        |  ^
      |                        +--+ progress (a note: what is being done)
      +--------------close---------------------------^      (a false alarm, handled at once)

Each status and action has one Chinese label, read by chat, digest, API and Excel alike.
``LIFECYCLE`` says which action may start from which status and where it leads; ``check_action``
is the only place an action is allowed or refused (``storage.duty.incidents`` calls it under a row
lock); ``check`` / ``can`` say the same by the status a change leads to. Incidents are items
(``kind='incident'``) sharing the history table with deeds: their events are
``storage.deeds.EventKind`` members.
"""

from __future__ import annotations

from datetime import timedelta

from storage.errors import Refused
from storage.vocab import Labeled, Transitions


class IncidentStatus(Labeled):
    OPEN = "open", "待确认"
    ACKNOWLEDGED = "acknowledged", "已确认，处置中"
    CLOSED = "closed", "已处置"


class IncidentAction(Labeled):
    """What can be done to an incident; each has the statuses it starts from (``LIFECYCLE``)."""

    ACKNOWLEDGE = "acknowledge", "确认收到"
    PROGRESS = "progress", "报告进展"
    CLOSE = "close", "处置完毕"


I, A = IncidentStatus, IncidentAction

# Not closed yet: someone still has to act (acknowledge it, or finish and close it).
UNCLOSED: tuple[IncidentStatus, ...] = (I.OPEN, I.ACKNOWLEDGED)

# action -> (statuses it may start from, the status it leads to; None: it stays), and why not
# ("{n}" the number, "{by}" who acknowledged it, "{status}" the current status, "{target}" where it would lead,
# "{closed}" how a closed one was closed: by whom, with what outcome, when known).
LIFECYCLE: Transitions[IncidentStatus] = Transitions(IncidentStatus, {
    A.ACKNOWLEDGE: ((I.OPEN,), I.ACKNOWLEDGED),
    A.PROGRESS: (UNCLOSED, None),
    A.CLOSE: (UNCLOSED, I.CLOSED),
}, refusals={
    (A.ACKNOWLEDGE, I.ACKNOWLEDGED): "事件 #{n} 已由{by}确认过了，无需重复确认。",
    (A.ACKNOWLEDGE, I.CLOSED): "事件 #{n} {closed}。",
    (A.PROGRESS, I.CLOSED): "事件 #{n} {closed}，不能再记录进展。如有新情况，请直接把情况发给我，会作为新事件报告。",
    (A.CLOSE, I.CLOSED): "事件 #{n} {closed}。",
    None: "事件 #{n} 当前状态是“{status}”，不能改为“{target}”。",
})
# The status each change leads to, and the action that makes it.
_BY_TARGET: dict[IncidentStatus, IncidentAction] = {I.ACKNOWLEDGED: A.ACKNOWLEDGE, I.CLOSED: A.CLOSE}
# current status -> the statuses it may move to (the table, read the other way round)
TRANSITIONS: dict[IncidentStatus, frozenset[IncidentStatus]] = {
    now: frozenset(t for t, a in _BY_TARGET.items() if now in LIFECYCLE.table[a][0]) for now in IncidentStatus}
SOMEONE = "他人"

# Follow-through (the sweeps): nobody acknowledged it (the secretary is told), or acknowledged but not
# closed (the one who acknowledged it is reminded, then the secretary).
UNACKNOWLEDGED_AFTER = timedelta(minutes=15)
UNCLOSED_REMIND_AFTER = timedelta(hours=4)
UNCLOSED_ESCALATE_AFTER = timedelta(hours=12)


def can(current: str, target: IncidentStatus) -> bool:
    action = _BY_TARGET.get(IncidentStatus(target))
    return action is not None and LIFECYCLE.can(action, current)


def can_do(action: IncidentAction, current: str) -> bool:
    return LIFECYCLE.can(action, current)


def check_action(action: IncidentAction, number: int, current: str, *, by: str | None = None,
                 closer: str | None = None, outcome: str | None = None) -> IncidentStatus:
    """The status ``action`` leads to, or :class:`Refused` with the Chinese reason (``by``: who acknowledged
    it; ``closer``, ``outcome``: who closed it and what was done, for a closed one)."""
    target = LIFECYCLE.table[action][1] or IncidentStatus(current)
    closed = "已经处置完毕"
    if closer:
        closed = f"已由{closer}处置完毕" + (f"（{outcome}）" if outcome else "")
    return LIFECYCLE.check(action, current, n=number, by=by or SOMEONE, target=target.label, closed=closed)


def check(number: int, current: str, target: IncidentStatus, *, by: str | None = None) -> IncidentStatus:
    """``target``, or :class:`Refused` with the Chinese reason (``by``: who acknowledged it, if known)."""
    action = _BY_TARGET.get(IncidentStatus(target))
    if action is None:  # nothing leads back to "open"
        raise Refused(LIFECYCLE.refusals[None].format(n=number, status=IncidentStatus(current).label,
                                                      target=IncidentStatus(target).label))
    return check_action(action, number, current, by=by)
