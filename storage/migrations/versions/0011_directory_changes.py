"""directory_changes: change_contact events waiting for the directory worker

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('directory_changes',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('change', sa.String(length=16), nullable=False),
    sa.Column('userid', sa.String(length=64), server_default='', nullable=False),
    sa.Column('new_userid', sa.String(length=64), server_default='', nullable=False),
    sa.Column('department', sa.Integer(), nullable=True),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_directory_changes')))


def downgrade() -> None:
    op.drop_table('directory_changes')
