"""Validation of the URIs NGSI-LD uses for entity ids, relationship objects and datasetIds."""

from __future__ import annotations

import re
from urllib.parse import quote

from citybase.context.errors import BadRequestData, FieldName
from citybase.context.i18n import _

# RFC 3986: a scheme, a colon, then unreserved, reserved and percent-encoded characters only.
_URI_RE = re.compile(
    r"[A-Za-z][A-Za-z0-9+.\-]*:(?:[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=]|%[0-9A-Fa-f]{2})+"
)


def is_uri(value: object) -> bool:
    return isinstance(value, str) and _URI_RE.fullmatch(value) is not None


def check_uri(value: object, field: str | FieldName) -> str:
    """Return ``value`` when it is an absolute URI, else raise BadRequestData naming ``field``."""
    if is_uri(value):
        return value  # type: ignore[return-value]
    if isinstance(value, str) and ":" in value:
        suggestion = quote(value, safe="-._~:/?#[]@!$&'()*+,;=%")
        raise BadRequestData(
            _("{field} {value!r} is not a valid URI; percent-encode spaces and non-ASCII "
              "characters, for example {suggestion!r}."),
            field=field, value=value, suggestion=suggestion,
        )
    raise BadRequestData(
        _("{field} {value!r} is not a URI; use an absolute URI such as "
          "'urn:ngsi-ld:Device:310114102-0001'."),
        field=field, value=value,
    )
