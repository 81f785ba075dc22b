"""The vocabulary and lifecycle of an incident (突发事件), in one place::

    open -> acknowledged -> closed
      |                      ^
      +----------------------+

Each status has one Chinese label, read by chat, digest, API and Excel alike. ``TRANSITIONS`` says
which status may follow which; ``check`` is the only place a change is allowed or refused
(``storage.duty.incidents`` calls it under a row lock). Incidents are items (``kind='incident'``)
sharing the history table with deeds: their events are ``storage.deeds.EventKind`` members.
"""

from __future__ import annotations

from storage.errors import Refused
from storage.vocab import Labeled


class IncidentStatus(Labeled):
    OPEN = "open", "待确认"
    ACKNOWLEDGED = "acknowledged", "已确认"
    CLOSED = "closed", "已处置"


I = IncidentStatus

TRANSITIONS: dict[IncidentStatus, frozenset[IncidentStatus]] = {
    I.OPEN: frozenset({I.ACKNOWLEDGED, I.CLOSED}),
    I.ACKNOWLEDGED: frozenset({I.CLOSED}),
    I.CLOSED: frozenset(),
}

# Why a change is refused, by (target, current status); "{n}" is the number, "{by}" who acknowledged it.
_REFUSALS: dict[tuple[IncidentStatus, IncidentStatus], str] = {
    (I.ACKNOWLEDGED, I.ACKNOWLEDGED): "事件 #{n} 已由{by}确认过了，无需重复确认。",
    (I.ACKNOWLEDGED, I.CLOSED): "事件 #{n} 已经处置完毕。",
    (I.CLOSED, I.CLOSED): "事件 #{n} 已经处置完毕。",
}
_DEFAULT = "事件 #{n} 当前状态是“{status}”，不能改为“{target}”。"
SOMEONE = "他人"


def can(current: str, target: IncidentStatus) -> bool:
    return target in TRANSITIONS.get(IncidentStatus(current), frozenset())


def check(number: int, current: str, target: IncidentStatus, *, by: str | None = None) -> IncidentStatus:
    """``target``, or :class:`Refused` with the Chinese reason (``by``: who acknowledged it, if known)."""
    if can(current, target):
        return target
    now = IncidentStatus(current)
    text = _REFUSALS.get((target, now), _DEFAULT)
    raise Refused(text.format(n=number, by=by or SOMEONE, status=now.label, target=target.label))
