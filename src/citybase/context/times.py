"""NGSI-LD DateTime handling: parse ISO 8601 strings and format UTC timestamps."""

from __future__ import annotations

import datetime as dt
import re

from citybase.context.errors import BadRequestData, FieldName
from citybase.context.i18n import _

_DATETIME_RE = re.compile(
    r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:[.,]\d{1,9})?)?(?:Z|[+-]\d{2}(?::?\d{2})?)?"
)


def parse_datetime(value: object, field: str | FieldName) -> dt.datetime:
    """Parse an ISO 8601 date-time; one without an offset is read as UTC.

    Raises BadRequestData naming ``field`` when ``value`` is not such a string.
    """
    if not isinstance(value, str) or not _DATETIME_RE.fullmatch(value):
        raise BadRequestData(
            _("{field} {value!r} is not an ISO 8601 date-time; use a form such as "
              "'2024-05-01T08:30:00Z'."),
            field=field, value=value,
        )
    text = value.replace(",", ".")
    text = re.sub(r"\.(\d{6})\d+", r".\1", text)
    try:
        parsed = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise BadRequestData(
            _("{field} {value!r} is not a valid calendar date-time."), field=field, value=value
        ) from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=dt.UTC)
    return parsed.astimezone(dt.UTC)


def format_datetime(value: dt.datetime) -> str:
    """Format as UTC with milliseconds and ``Z``, the form NGSI-LD brokers commonly return."""
    value = value.astimezone(dt.UTC)
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)
