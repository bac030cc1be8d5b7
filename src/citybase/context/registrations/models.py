"""The table of NGSI-LD context source registrations (ETSI GS CIM 009 V1.6.1, clause 5.2.9).

``document`` keeps each registration in expanded form: entity types, property and
relationship names and the names of additional members are IRIs, so a client reads
them back compacted with whatever @context it sends, as it does for entities.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Integer, String
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from citybase.core.db import Base, UTCDateTime

JsonDocument = JSON().with_variant(JSONB(), "postgresql")


class CtxCsourceRegistration(Base):
    """One context source registration as stored, with its system-generated times."""

    __tablename__ = "ctx_csource_registrations"
    # Each API request writes one audit entry naming the registration instead.
    __audit__ = False

    pk: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    registration_id: Mapped[str] = mapped_column(String(1024), unique=True)
    document: Mapped[dict[str, Any]] = mapped_column(JsonDocument)
    expires_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    owner: Mapped[str | None] = mapped_column(String(150))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    modified_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
