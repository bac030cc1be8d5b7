"""The NGSI-LD null (clause 4.5.0): a value that asks for an attribute's deletion in updates."""

from __future__ import annotations

from typing import Any

from citybase.context.service.entities import NULL_URI


def is_null_value(value: Any) -> bool:
    """True for the attribute values that merge-patch and the update operations read as 'delete'.

    JSON null, ``"urn:ngsi-ld:null"``, or an attribute whose ``value``, ``object`` or
    ``languageMap`` is one of those (a languageMap also as ``{"@none": "urn:ngsi-ld:null"}``).
    """
    if value is None or value == NULL_URI:
        return True
    if isinstance(value, dict):
        for member in ("value", "object", "languageMap"):
            if member in value and (value[member] in (None, NULL_URI) or value[member] == {"@none": NULL_URI}):
                return True
    return False
