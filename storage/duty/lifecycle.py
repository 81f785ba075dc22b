"""The vocabulary and lifecycle of an incident (突发事件): open -> acknowledged -> closed."""

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

_REFUSALS: dict[tuple[IncidentStatus, IncidentStatus], str] = {
    (I.ACKNOWLEDGED, I.ACKNOWLEDGED): "事件 #{n} 已经有人确认收到了。",
    (I.ACKNOWLEDGED, I.CLOSED): "事件 #{n} 已经处置完毕。",
    (I.CLOSED, I.CLOSED): "事件 #{n} 已经处置完毕。",
}


def can(current: str, target: IncidentStatus) -> bool:
    return target in TRANSITIONS.get(IncidentStatus(current), frozenset())


def check(number: int, current: str, target: IncidentStatus) -> None:
    if can(current, target):
        return
    now = IncidentStatus(current)
    default = f"事件 #{{n}} 当前状态是“{now.label}”，不能改为“{target.label}”。"
    raise Refused(_REFUSALS.get((target, now), default).format(n=number))
