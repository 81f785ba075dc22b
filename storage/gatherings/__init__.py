"""Gatherings storage: trainings (精英培养) and activities (精益班组), their sign-ups and attendance.

``from storage import gatherings`` gives the public surface below: the lifecycle and its labels,
the row-locked actions, the reads, and :mod:`storage.gatherings.drafts` (a new gathering as
written in chat, shared by ``/培训 新建`` and ``/活动 新建``).
"""

from storage.gatherings import drafts
from storage.gatherings.actions import (
    SignupResult,
    cancel,
    cancel_signup,
    mark_done,
    record_attendance,
    sign_up,
)
from storage.gatherings.lifecycle import (
    CARD_PREFIX,
    SIGNUP,
    Action,
    ActivityCategory,
    GatheringKind,
    GatheringStatus,
    SignupOutcome,
    SignupStatus,
    label_of,
    signup_key,
)
from storage.gatherings.models import Gathering, Signup
from storage.gatherings.queries import (
    attended_by,
    attendees,
    counts,
    page,
    participation,
    places_left,
    quota,
    signed_count,
    signed_up_for,
    signups,
    upcoming_by_branch,
    upcoming_signups_by_branch,
)
from storage.gatherings.repo import (
    by_id,
    count_gatherings,
    create,
    get,
    keyword,
    list_gatherings,
    matching,
    may_manage,
    next_number,
    upcoming,
)

__all__ = [
    "CARD_PREFIX", "SIGNUP", "Action", "ActivityCategory", "Gathering", "GatheringKind", "GatheringStatus",
    "Signup", "SignupOutcome", "SignupResult", "SignupStatus", "attended_by", "attendees", "by_id", "cancel",
    "cancel_signup", "count_gatherings", "counts", "create", "drafts", "get", "keyword", "label_of",
    "list_gatherings", "mark_done", "matching", "may_manage", "next_number", "page", "participation",
    "places_left", "quota", "record_attendance", "sign_up", "signed_count", "signed_up_for", "signup_key", "signups", "upcoming_by_branch", "upcoming_signups_by_branch",
    "upcoming",
]
