"""Record, with each pending change, the subscriptions whose q, scopeQ and geoQ it matched

Revision ID: context_subscriptions_0003
Revises: context_subscriptions_0002
Create Date: 2026-12-05 03:25:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = 'context_subscriptions_0003'
down_revision: str | Sequence[str] | None = 'context_subscriptions_0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('ctx_pending_changes', schema=None) as batch_op:
        batch_op.add_column(sa.Column('filter_matches', sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('ctx_pending_changes', schema=None) as batch_op:
        batch_op.drop_column('filter_matches')
