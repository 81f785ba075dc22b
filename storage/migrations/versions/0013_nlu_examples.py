"""nlu_examples: labelled examples from the clarification card (opt-in, names redacted)

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('nlu_examples',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('intent', sa.String(length=32), nullable=False),
    sa.Column('predicted', sa.String(length=32), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('source', sa.String(length=16), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_nlu_examples')))
    op.create_index(op.f('ix_nlu_examples_at'), 'nlu_examples', ['at'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_nlu_examples_at'), table_name='nlu_examples')
    op.drop_table('nlu_examples')
