"""people.roster_version: the roster's version at each person's last write; inbox by sender

Every write to ``people`` bumps the roster's counter (``storage.people.version``); the row now keeps the value
it was written at, so a process that has the parser's names at version V reads only the people changed
since (``WHERE roster_version > V``, indexed) instead of the whole roster.

A person's next row (``storage.inbox.claim_next``: their oldest pending one) is found by the index on
(from_user, status, id) instead of walking every pending row of a burst.

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
    op.create_index('ix_inbox_from_user_status_id', 'inbox', ['from_user', 'status', 'id'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_inbox_from_user_status_id', table_name='inbox')
    op.drop_index('ix_people_roster_version', table_name='people')
    with op.batch_alter_table('people') as batch:
        batch.drop_column('roster_version')
