"""people.roster_version: the roster's version at each person's last write

Every write to ``people`` bumps the roster's counter (``storage.people.version``); the row now keeps the value
it was written at, so a process that has the parser's names at version V reads only the people changed
since (``WHERE roster_version > V``, indexed) instead of the whole roster.

Revision ID: 0017
Revises: 0015
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0017'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('people') as batch:
        batch.add_column(sa.Column('roster_version', sa.Integer(), nullable=False, server_default='0'))
    op.create_index('ix_people_roster_version', 'people', ['roster_version'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_people_roster_version', table_name='people')
    with op.batch_alter_table('people') as batch:
        batch.drop_column('roster_version')
