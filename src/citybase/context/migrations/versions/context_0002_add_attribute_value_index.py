"""Add the typed attribute-value index ctx_attr_values and fill it from stored entities

Revision ID: context_0002
Revises: context_0001
Create Date: 2026-12-04 23:30:00
"""

import json
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "context_0002"
down_revision: str | Sequence[str] | None = "context_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_CHUNK = 2000


def upgrade() -> None:
    values = op.create_table(
        "ctx_attr_values",
        sa.Column("entity_pk", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("attr_iri", sa.String(length=1024), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=4), nullable=False),
        sa.Column("num", sa.Float(), nullable=True),
        sa.Column("txt", sa.String(length=1024).with_variant(sa.String(length=1024, collation="C"), "postgresql"),
                  nullable=True),
        sa.ForeignKeyConstraint(["entity_pk"], ["ctx_entities.pk"],
                                name=op.f("fk_ctx_attr_values_entity_pk_ctx_entities"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("entity_pk", "attr_iri", "seq", name=op.f("pk_ctx_attr_values")),
    )
    _backfill(values)
    with op.batch_alter_table("ctx_attr_values", schema=None) as batch_op:
        batch_op.create_index("ix_ctx_attr_values_num", ["attr_iri", "kind", "num", "entity_pk"], unique=False)
        batch_op.create_index("ix_ctx_attr_values_txt", ["attr_iri", "kind", "txt", "entity_pk"], unique=False)


def _backfill(values: sa.Table) -> None:
    # The row builder is the one the broker writes with, so old and new rows agree.
    from citybase.context.valueindex import value_rows

    connection = op.get_bind()
    entities = sa.table("ctx_entities", sa.column("pk"), sa.column("attrs"))
    last = 0
    while True:
        batch = connection.execute(
            sa.select(entities.c.pk, entities.c.attrs).where(entities.c.pk > last)
            .order_by(entities.c.pk).limit(_CHUNK)
        ).all()
        if not batch:
            return
        rows = []
        for pk, attrs in batch:
            rows.extend(value_rows(pk, attrs if isinstance(attrs, dict) else json.loads(attrs)))
        if rows:
            connection.execute(values.insert(), rows)
        last = batch[-1][0]


def downgrade() -> None:
    with op.batch_alter_table("ctx_attr_values", schema=None) as batch_op:
        batch_op.drop_index("ix_ctx_attr_values_txt")
        batch_op.drop_index("ix_ctx_attr_values_num")
    op.drop_table("ctx_attr_values")
