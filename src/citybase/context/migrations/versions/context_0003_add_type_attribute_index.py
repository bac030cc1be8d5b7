"""Add ctx_type_attrs, the index of /types and /attributes, and fill it from stored entities

Revision ID: context_0003
Revises: context_0002
Create Date: 2026-12-05 01:00:00
"""

import json
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "context_0003"
down_revision: str | Sequence[str] | None = "context_0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_CHUNK = 2000


def upgrade() -> None:
    rows = op.create_table(
        "ctx_type_attrs",
        sa.Column("type_iri", sa.String(length=1024), nullable=False),
        sa.Column("attr_iri", sa.String(length=1024), nullable=False),
        sa.Column("attr_type", sa.String(length=1024), nullable=False),
        sa.Column("entity_pk", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.ForeignKeyConstraint(["entity_pk"], ["ctx_entities.pk"],
                                name=op.f("fk_ctx_type_attrs_entity_pk_ctx_entities"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("type_iri", "attr_iri", "attr_type", "entity_pk", name=op.f("pk_ctx_type_attrs")),
    )
    _backfill(rows)
    with op.batch_alter_table("ctx_type_attrs", schema=None) as batch_op:
        batch_op.create_index("ix_ctx_type_attrs_attr", ["attr_iri", "type_iri", "attr_type"], unique=False)
        batch_op.create_index("ix_ctx_type_attrs_entity", ["entity_pk", "attr_iri"], unique=False)


def _backfill(table: sa.Table) -> None:
    # The row builder is the one the broker writes with, so old and new rows agree.
    from citybase.context.service.discovery import type_attr_rows

    connection = op.get_bind()
    entities = sa.table("ctx_entities", sa.column("pk"), sa.column("types"), sa.column("attrs"))
    last = 0
    while True:
        batch = connection.execute(
            sa.select(entities.c.pk, entities.c.types, entities.c.attrs).where(entities.c.pk > last)
            .order_by(entities.c.pk).limit(_CHUNK)
        ).all()
        if not batch:
            return
        rows = []
        for pk, types, attrs in batch:
            rows.extend(type_attr_rows(pk, _decoded(types), _decoded(attrs)))
        if rows:
            connection.execute(table.insert(), rows)
        last = batch[-1][0]


def _decoded(value: object) -> object:
    return json.loads(value) if isinstance(value, (str, bytes)) else value


def downgrade() -> None:
    with op.batch_alter_table("ctx_type_attrs", schema=None) as batch_op:
        batch_op.drop_index("ix_ctx_type_attrs_entity")
        batch_op.drop_index("ix_ctx_type_attrs_attr")
    op.drop_table("ctx_type_attrs")
