"""Errors of the supervision services: the core error classes, plus a helper for field errors.

Services raise ``InvalidInput`` (400) with one FieldError per invalid field,
``PermissionDenied`` (403), ``NotFound`` (404) and ``Conflict`` (409, the action does
not fit the current status). ``citybase.web.errors`` renders them.
"""

from __future__ import annotations

from citybase.core.errors import Conflict, FieldError, InvalidInput, NotFound, PermissionDenied

__all__ = ["Conflict", "FieldError", "InvalidInput", "NotFound", "PermissionDenied", "invalid"]


def invalid(*errors: FieldError) -> InvalidInput:
    """Return an InvalidInput listing every invalid field, to raise once all fields are checked."""
    return InvalidInput(
        "The input has {count} invalid fields; nothing was saved.", params={"count": len(errors)}, errors=list(errors)
    )
