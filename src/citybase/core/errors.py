"""The one error base of citybase and its subclasses.

    CitybaseError                 status 500, the base
    ├── InvalidInput              400, one or more FieldError (field, value, fix)
    ├── NotAuthenticated          401
    ├── PermissionDenied          403
    ├── NotFound                  404
    ├── Conflict                  409
    └── PayloadTooLarge           413

``title`` and ``detail`` are msgids with ``{placeholders}`` filled from ``params``;
``citybase.web.errors`` renders them in one place, as a Chinese HTML page for
browsers and as an RFC 7807 problem-details body for programs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from citybase.core.i18n_marker import N_


@dataclass(frozen=True)
class FieldError:
    """One invalid input: which field, what value was received, and how to fix it (msgids)."""

    field: str
    message: str
    value: Any = None
    params: dict[str, Any] = field(default_factory=dict)


class CitybaseError(Exception):
    status: int = 500
    code: str = "internal-error"
    title: str = N_("Internal error")

    def __init__(
        self, detail: str | None = None, *, params: dict[str, Any] | None = None,
        errors: list[FieldError] | None = None, title: str | None = None,
    ) -> None:
        self.detail = detail or self.title
        self.params = params or {}
        self.errors = errors or []
        if title is not None:
            self.title = title
        super().__init__(self.detail.format(**self.params) if self.params else self.detail)


class InvalidInput(CitybaseError):
    status = 400
    code = "invalid-input"
    title = N_("Invalid input")


class NotAuthenticated(CitybaseError):
    status = 401
    code = "not-authenticated"
    title = N_("Login required")


class PermissionDenied(CitybaseError):
    status = 403
    code = "permission-denied"
    title = N_("Permission denied")


class NotFound(CitybaseError):
    status = 404
    code = "not-found"
    title = N_("Not found")


class Conflict(CitybaseError):
    status = 409
    code = "conflict"
    title = N_("Conflict")


class PayloadTooLarge(CitybaseError):
    status = 413
    code = "payload-too-large"
    title = N_("Upload too large")


__all__ = [
    "CitybaseError", "Conflict", "FieldError", "InvalidInput", "NotAuthenticated",
    "NotFound", "PayloadTooLarge", "PermissionDenied",
]
