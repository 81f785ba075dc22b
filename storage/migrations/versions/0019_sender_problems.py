"""sender_problems: the sender's configuration problem, shared by every process's /healthz

Revision ID: 0019
Revises: 0017
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0019'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('sender_problems',
    sa.Column('name', sa.String(length=32), nullable=False),
    sa.Column('code', sa.Integer(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('since', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_sender_problems')))


def downgrade() -> None:
    op.drop_table('sender_problems')
