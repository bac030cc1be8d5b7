"""Errors raised by the supervision services.

SupervisionError
 ├── InvalidInput      (422) one or more fields are invalid; each names field, value and fix
 ├── PermissionDenied  (403) the user's role or unit may not do this
 ├── NotFound          (404) the row does not exist (or is outside the user's units)
 └── InvalidState      (409) the action does not fit the current status
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from citybase.plan.supervision.i18n import DEFAULT_LOCALE, Message, msg


@dataclass(frozen=True)
class FieldError:
    """One invalid field: its name, the value received and a message saying the rule and fix."""

    field: str
    value: Any
    message: Message


class SupervisionError(Exception):
    """Base of supervision errors; ``status`` is the HTTP status a route answers with."""

    status = 400
    title = msg("Invalid request")

    def __init__(self, message: Message, errors: Sequence[FieldError] = ()) -> None:
        super().__init__(str(message))
        self.message = message
        self.errors = list(errors)

    def render(self, locale: str = DEFAULT_LOCALE) -> str:
        lines = [self.message.render(locale)]
        lines += [f"{error.field}: {error.message.render(locale)}" for error in self.errors]
        return "\n".join(lines)


class InvalidInput(SupervisionError):
    status = 422
    title = msg("Invalid input")

    @classmethod
    def collect(cls, errors: Sequence[FieldError]) -> InvalidInput:
        return cls(msg("The input has {count} invalid fields; nothing was saved.", count=len(errors)), errors)

    @classmethod
    def single(cls, field: str, value: Any, message: Message) -> InvalidInput:
        return cls.collect([FieldError(field, value, message)])


class PermissionDenied(SupervisionError):
    status = 403
    title = msg("Permission denied")


class NotFound(SupervisionError):
    status = 404
    title = msg("Not found")


class InvalidState(SupervisionError):
    status = 409
    title = msg("Action not allowed in the current state")
