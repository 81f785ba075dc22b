"""per-branch indexes for the sweeps, the chat summaries and the sender's lookups

Every sweep runs once per branch; with 500 branches, or one branch of 100,000 people, each of its reads must
find that branch's few rows without reading the rest: open deeds by branch, kind and status; a branch's active
ledger entries in follow-up order (the /台账 pages and counts); people by branch and role (the secretaries,
the members: every sweep and digest); retirements by date; the last visit of each person of a branch
(morning lists, /我的) from the index alone.

Revision ID: 0015
Revises: 0013
Create Date: 2026-12-03
"""

from __future__ import annotations

from alembic import op

revision = '0015'
down_revision = '0013'
branch_labels = None
depends_on = None

INDEXES = (
    ('items', 'ix_items_branch_kind_status', ['branch_id', 'kind', 'status']),
    ('care_entries', 'ix_care_entries_branch_status_follow_up', ['branch_id', 'status', 'next_follow_up']),
    ('people', 'ix_people_branch_role', ['branch_id', 'role']),
    ('people', 'ix_people_retire_on', ['retire_on']),
    ('visits', 'ix_visits_branch_person_visited_on', ['branch_id', 'person', 'visited_on']),
)


def upgrade() -> None:
    for table, name, columns in INDEXES:
        op.create_index(name, table, columns, unique=False)


def downgrade() -> None:
    for table, name, _ in reversed(INDEXES):
        op.drop_index(name, table_name=table)
