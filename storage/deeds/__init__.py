"""办实事 storage: items, their lifecycle and vocabulary, routing, duplicates, queries.

``from storage import deeds`` gives the public surface below; ``storage.deeds.queries`` holds the
read-side queries of the API, the export and the digest.
"""

from storage.deeds.actions import accept, add_note, close_by_hand, confirm, progress, reassign, reopen, resolve
from storage.deeds.lifecycle import (
    ACTIVE,
    UNACCEPTED,
    WORKING,
    Action,
    DeedCategory,
    DeedStatus,
    EventKind,
    ItemKind,
    Satisfaction,
    status_label,
)
from storage.deeds.models import Item, ItemEvent, Routing
from storage.deeds.repo import (
    ACCEPT_WITHIN,
    DUE_HOUR,
    add_event,
    awaiting_confirmation,
    create,
    due_at,
    find_duplicate,
    get_by_number,
    get_deed,
    history,
    is_overdue,
    list_items,
    next_number,
    open_count,
    open_for_owner,
)
from storage.deeds.routing import BranchRouting, route_for, routes, set_route
from storage.deeds.routing import table as routing_table
from storage.deeds.similarity import DUPLICATE_THRESHOLD, TITLE_LIMIT, make_title, resemblance, similarity

__all__ = [
    "ACCEPT_WITHIN", "ACTIVE", "DUE_HOUR", "DUPLICATE_THRESHOLD", "TITLE_LIMIT", "UNACCEPTED", "WORKING", "Action",
    "DeedCategory", "DeedStatus", "EventKind", "Item", "ItemEvent", "ItemKind", "Routing", "Satisfaction", "accept",
    "add_event", "add_note", "awaiting_confirmation", "close_by_hand", "confirm", "create", "due_at",
    "find_duplicate", "get_by_number", "get_deed", "history", "is_overdue", "list_items", "make_title", "open_count",
    "next_number", "open_for_owner", "progress", "reassign", "reopen", "resemblance", "resolve",
    "BranchRouting", "route_for", "routes", "routing_table", "set_route", "similarity", "status_label",
]
