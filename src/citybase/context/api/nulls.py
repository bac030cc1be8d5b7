"""The NGSI-LD null (clause 4.5.0): a value that asks for an attribute's deletion in updates."""

from __future__ import annotations

from typing import Any

from citybase.context.service.entities import NULL_URI


def is_null_value(value: Any) -> bool:
    """True for the attribute values that merge-patch and the update operations read as 'delete'.

    JSON null or ``"urn:ngsi-ld:null"`` as the attribute, or an attribute whose ``value``,
    ``object`` or ``languageMap`` is ``"urn:ngsi-ld:null"`` (a languageMap also as
    ``{"@none": "urn:ngsi-ld:null"}``). JSON null inside an attribute is no NGSI-LD null:
    expansion rejects it as BadRequestData.
    """
    if value is None or value == NULL_URI:
        return True
    if isinstance(value, dict):
        for member in ("value", "object", "languageMap"):
            if member in value and (value[member] == NULL_URI or value[member] == {"@none": NULL_URI}):
                return True
    return False
