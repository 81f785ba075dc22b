"""精密关注 storage: the ledger and its tips, visit tasks, visits, their lifecycle and vocabulary.

``from storage import care`` gives the public surface below; ``storage.care.queries`` holds the
read-side queries of the API, the export and /我的, ``storage.care.followups`` what the sweeps and
the digest need, ``storage.care.coverage`` the responsibility-zone coverage.
"""

from storage.care.entries import (
    accept_tip,
    active_entries_of,
    create_entry,
    decline_tip,
    get_entry,
    ledger,
    open_tips,
    resolve_entry,
    responsible_for,
    set_follow_up,
)
from storage.care.lifecycle import (
    NOT_VISITED_DAYS,
    TIP_REASON,
    Action,
    CareCategory,
    CareSource,
    CareStatus,
    TaskAction,
    TaskStatus,
    VisitReason,
    interval_for,
    life_event_due_days,
    reason_label,
    tip_due_days,
)
from storage.care.models import CareEntry, Visit, VisitTask
from storage.care.tasks import add_task, finish_task, first_visit_key, open_tasks
from storage.care.visits import last_visits, not_visited, stale_zones_by_branch, record_visit, visitable, zone_not_visited

__all__ = [
    "NOT_VISITED_DAYS", "TIP_REASON", "Action", "CareCategory", "CareEntry", "CareSource", "CareStatus", "TaskAction",
    "TaskStatus", "Visit", "VisitReason", "VisitTask", "accept_tip", "active_entries_of", "add_task", "create_entry",
    "decline_tip", "finish_task", "first_visit_key", "get_entry", "interval_for", "last_visits", "stale_zones_by_branch", "ledger",
    "life_event_due_days", "not_visited", "open_tasks", "open_tips", "reason_label", "record_visit",
    "resolve_entry", "responsible_for", "set_follow_up", "tip_due_days", "visitable", "zone_not_visited",
]
