"""committee view: indexes for the figures counted for every branch at once

The committee's figures (``storage.committee.figures``) are one aggregate per figure over every branch;
these indexes keep them fast with hundreds of branches and 100,000 people: visits by person and day and by entry,
follow-ups by due date, items and their history by kind and time, gatherings by start.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03
"""

from __future__ import annotations

from alembic import op

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None

INDEXES = (
    ('visits', 'ix_visits_person_visited_on', ['person', 'visited_on']),
    ('visits', 'ix_visits_next_date', ['next_date']),
    ('visits', 'ix_visits_entry_id', ['entry_id']),
    ('visits', 'ix_visits_visited_on', ['visited_on', 'branch_id', 'person']),
    ('visit_tasks', 'ix_visit_tasks_due_date', ['due_date']),
    ('care_entries', 'ix_care_entries_next_follow_up', ['next_follow_up']),
    ('items', 'ix_items_kind_created_at', ['kind', 'created_at']),
    ('item_events', 'ix_item_events_kind_at', ['kind', 'at']),
    ('events', 'ix_events_starts_at', ['starts_at']),
)


def upgrade() -> None:
    for table, name, columns in INDEXES:
        op.create_index(name, table, columns, unique=False)


def downgrade() -> None:
    for table, name, _ in reversed(INDEXES):
        op.drop_index(name, table_name=table)
