"""outbox: hand-off marker, retry window start, per-recipient indexes

``handed_at`` is set in the same committed write that claims a row, immediately before its request
is handed to the HTTP client: a ``sending`` row without it provably never left (back to ``pending``
at start-up), and the per-recipient rate limit counts these instants, not claim times.
``retry_since`` restarts the retry window when an operator resends a row.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('outbox') as batch:
        batch.add_column(sa.Column('handed_at', sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column('retry_since', sa.DateTime(timezone=True), nullable=True))
    # rows claimed by an older version may have been sent: treat them as handed over
    op.execute("UPDATE outbox SET handed_at = claimed_at WHERE status IN ('sending', 'sent', 'in_doubt')")
    op.create_index('ix_outbox_status_recipient_id', 'outbox', ['status', 'recipient', 'id'], unique=False)
    op.create_index('ix_outbox_recipient_handed', 'outbox', ['recipient', 'handed_at'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_outbox_recipient_handed', table_name='outbox')
    op.drop_index('ix_outbox_status_recipient_id', table_name='outbox')
    with op.batch_alter_table('outbox') as batch:
        batch.drop_column('retry_since')
        batch.drop_column('handed_at')
