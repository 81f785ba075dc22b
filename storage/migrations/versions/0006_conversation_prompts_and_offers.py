"""conversations: the prompt to re-ask after an interrupt; questions queued for someone (offers)

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('conversations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('prompt', sa.Text(), nullable=True))
    op.create_table('conversation_offers',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('userid', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('data', sa.Text(), nullable=False),
    sa.Column('prompt', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_conversation_offers'))
    )
    with op.batch_alter_table('conversation_offers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_conversation_offers_userid'), ['userid'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('conversation_offers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_conversation_offers_userid'))
    op.drop_table('conversation_offers')
    with op.batch_alter_table('conversations', schema=None) as batch_op:
        batch_op.drop_column('prompt')
