"""精准帮扶 storage: projects, milestones and updates, their lifecycle and vocabulary, queries.

``from storage import assist`` gives the public surface below; ``storage.assist.queries`` holds the
read-side queries of the API, the export and the digest.
"""

from storage.assist.actions import add_feedback, add_progress, assess, complete_milestone, may_assess
from storage.assist.lifecycle import (
    Action,
    Assessment,
    MilestoneStatus,
    ProjectStatus,
    TargetType,
    UpdateKind,
    check,
    check_milestone,
    label,
)
from storage.assist.models import Milestone, Project, ProjectUpdate
from storage.assist.repo import (
    TITLE_LIMIT,
    Involvement,
    active,
    affected,
    create,
    done_count,
    get_by_number,
    involvement,
    members_of,
    milestones,
    milestones_for,
    active_by_branch,
    active_milestones_by_branch,
    next_number,
    next_open,
    overdue_milestones_of,
    record_view,
    team_of,
    updates,
)

__all__ = [
    "TITLE_LIMIT", "Action", "Assessment", "Involvement", "Milestone", "MilestoneStatus", "Project",
    "ProjectStatus", "ProjectUpdate", "TargetType", "UpdateKind", "active", "add_feedback", "add_progress",
    "affected", "assess", "check", "check_milestone", "complete_milestone", "create", "done_count",
    "get_by_number", "involvement", "label", "may_assess", "members_of", "milestones", "milestones_for", "active_by_branch", "active_milestones_by_branch",
    "next_number", "next_open", "overdue_milestones_of", "record_view", "team_of", "updates",
]
