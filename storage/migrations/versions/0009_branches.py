"""branches: every person and every ledger record belongs to a branch; numbers are per branch

An existing single-branch database becomes branch 1 ("本支部"), with nothing lost: every row is
given branch 1, the counters become branch 1's, and ``#N`` stays what it was.

Revision ID: 0009
Revises: 0007
Create Date: 2026-12-02
"""

from __future__ import annotations

from datetime import datetime, timezone

import sqlalchemy as sa
from alembic import op

revision = '0009'
down_revision = '0007'
branch_labels = None
depends_on = None

SCOPED = ('people', 'items', 'item_events', 'routing', 'care_entries', 'visits', 'visit_tasks', 'duty',
          'projects', 'milestones', 'project_updates', 'talent_profiles', 'lecturers', 'events', 'signups',
          'reserve_candidates', 'reserve_reviews', 'surveys', 'survey_questions', 'survey_recipients',
          'survey_answers')
# the old per-deployment unique numbers -> per branch
RENUMBERED = {'items': ('uq_items_number', ['number']), 'projects': ('uq_projects_number', ['number']),
              'surveys': ('uq_surveys_number', ['number']), 'events': ('uq_events_kind', ['kind', 'number'])}
COUNTERS = ('item', 'project', 'survey', 'training', 'activity')
DEFAULT = 1


def upgrade() -> None:
    branches = op.create_table('branches',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('code', sa.String(length=16), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_branches')),
    sa.UniqueConstraint('code', name=op.f('uq_branches_code'))
    )
    # the first row of a new table: id 1 (DEFAULT) on SQLite and PostgreSQL alike, sequence included
    op.bulk_insert(branches, [{'code': '本支部', 'name': '本支部', 'created_at': datetime.now(timezone.utc)}])
    for table in SCOPED:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('branch_id', sa.Integer(), nullable=True))
        op.execute(sa.text(f"UPDATE {table} SET branch_id = {DEFAULT}"))
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column('branch_id', existing_type=sa.Integer(), nullable=False)
            batch_op.create_index(batch_op.f(f'ix_{table}_branch_id'), ['branch_id'], unique=False)
            batch_op.create_foreign_key(batch_op.f(f'fk_{table}_branch_id_branches'), 'branches', ['branch_id'], ['id'])
            if table in RENUMBERED:
                old, columns = RENUMBERED[table]
                batch_op.drop_constraint(old, type_='unique')
                batch_op.create_unique_constraint(batch_op.f(f'uq_{table}_branch_id'), ['branch_id', *columns])
            if table == 'routing':
                batch_op.drop_constraint('pk_routing', type_='primary')
                batch_op.create_primary_key('pk_routing', ['category', 'branch_id'])
    with op.batch_alter_table('people', schema=None) as batch_op:
        batch_op.add_column(sa.Column('party_group', sa.String(length=64), server_default='', nullable=False))
        batch_op.add_column(sa.Column('committee', sa.Boolean(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('active', sa.Boolean(), server_default='1', nullable=False))
        batch_op.add_column(sa.Column('department', sa.Integer(), nullable=True))
        batch_op.create_index('ix_people_branch_name', ['branch_id', 'name'], unique=False)
        batch_op.create_index('ix_people_branch_team', ['branch_id', 'team'], unique=False)
        batch_op.create_index('ix_people_zone', ['zone_member'], unique=False)
    with op.batch_alter_table('audit', schema=None) as batch_op:
        batch_op.add_column(sa.Column('branch_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_audit_branch_id'), ['branch_id'], unique=False)
    op.execute(sa.text(f"UPDATE audit SET branch_id = {DEFAULT}"))
    for name in COUNTERS:
        op.execute(sa.text(f"UPDATE counters SET name = '{name}:{DEFAULT}' WHERE name = '{name}'"))


def downgrade() -> None:
    for name in COUNTERS:
        op.execute(sa.text(f"UPDATE counters SET name = '{name}' WHERE name = '{name}:{DEFAULT}'"))
    with op.batch_alter_table('audit', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_branch_id'))
        batch_op.drop_column('branch_id')
    with op.batch_alter_table('people', schema=None) as batch_op:
        batch_op.drop_index('ix_people_zone')
        batch_op.drop_index('ix_people_branch_team')
        batch_op.drop_index('ix_people_branch_name')
        for column in ('department', 'active', 'committee', 'party_group'):
            batch_op.drop_column(column)
    for table in reversed(SCOPED):
        with op.batch_alter_table(table, schema=None) as batch_op:
            if table == 'routing':
                batch_op.drop_constraint('pk_routing', type_='primary')
                batch_op.create_primary_key('pk_routing', ['category'])
            if table in RENUMBERED:
                old, columns = RENUMBERED[table]
                batch_op.drop_constraint(batch_op.f(f'uq_{table}_branch_id'), type_='unique')
                batch_op.create_unique_constraint(old, columns)
            batch_op.drop_constraint(batch_op.f(f'fk_{table}_branch_id_branches'), type_='foreignkey')
            batch_op.drop_index(batch_op.f(f'ix_{table}_branch_id'))
            batch_op.drop_column('branch_id')
    op.drop_table('branches')
