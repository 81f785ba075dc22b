"""The vocabulary and lifecycle of an incident (突发事件), in one place::

    open -> acknowledged -> closed
      |                      ^
      +----------------------+

Each status has one Chinese label, read by chat, digest, API and Excel alike. ``LIFECYCLE`` says
which status may follow which; ``check`` is the only place a change is allowed or refused
(``storage.duty.incidents`` calls it under a row lock). Incidents are items (``kind='incident'``)
sharing the history table with deeds: their events are ``storage.deeds.EventKind`` members.
"""

from __future__ import annotations

from storage.vocab import Labeled, Transitions


class IncidentStatus(Labeled):
    OPEN = "open", "待确认"
    ACKNOWLEDGED = "acknowledged", "已确认"
    CLOSED = "closed", "已处置"


I = IncidentStatus

# Changes are named by the status they lead to: (statuses it may start from, that status), and why not
# ("{n}" the number, "{by}" who acknowledged it, "{status}" the current status).
LIFECYCLE: Transitions[IncidentStatus] = Transitions(IncidentStatus, {
    I.ACKNOWLEDGED: ((I.OPEN,), I.ACKNOWLEDGED),
    I.CLOSED: ((I.OPEN, I.ACKNOWLEDGED), I.CLOSED),
    I.OPEN: ((), I.OPEN),
}, refusals={
    (I.ACKNOWLEDGED, I.ACKNOWLEDGED): "事件 #{n} 已由{by}确认过了，无需重复确认。",
    (I.ACKNOWLEDGED, I.CLOSED): "事件 #{n} 已经处置完毕。",
    (I.CLOSED, I.CLOSED): "事件 #{n} 已经处置完毕。",
    None: "事件 #{n} 当前状态是“{status}”，不能改为“{target}”。",
})
# current status -> the statuses it may move to (the table, read the other way round)
TRANSITIONS: dict[IncidentStatus, frozenset[IncidentStatus]] = {
    now: frozenset(t for t, (starts, _) in LIFECYCLE.table.items() if now in starts) for now in IncidentStatus}
SOMEONE = "他人"


def can(current: str, target: IncidentStatus) -> bool:
    return LIFECYCLE.can(target, current)


def check(number: int, current: str, target: IncidentStatus, *, by: str | None = None) -> IncidentStatus:
    """``target``, or :class:`Refused` with the Chinese reason (``by``: who acknowledged it, if known)."""
    return LIFECYCLE.check(target, current, n=number, by=by or SOMEONE, target=target.label)
