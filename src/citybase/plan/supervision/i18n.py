"""Messages of plan supervision: English msgids translated from this module's catalogue.

Service results carry ``Message`` objects (a msgid and its parameters) instead of
finished text, so a page renders them in the reader's locale and the worker renders
notifications in the platform's default locale.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from babel.messages.pofile import read_po

LOCALE_DIR = Path(__file__).parent / "locale"
DEFAULT_LOCALE = "zh_CN"


@lru_cache(maxsize=8)
def catalogue(locale: str) -> dict[str, str]:
    """Return msgid → translation from ``locale/<locale>/LC_MESSAGES/messages.po``."""
    path = LOCALE_DIR / locale / "LC_MESSAGES" / "messages.po"
    if not path.exists():
        return {}
    with path.open("rb") as handle:
        parsed = read_po(handle, locale=locale)
    return {str(entry.id): str(entry.string) for entry in parsed if entry.id and entry.string}


def gettext(msgid: str, locale: str = DEFAULT_LOCALE) -> str:
    """Return the translation of ``msgid``, or ``msgid`` itself for English or a missing entry."""
    if locale == "en":
        return msgid
    return catalogue(locale).get(msgid, msgid)


@dataclass(frozen=True)
class Message:
    """A msgid with named ``str.format`` parameters, rendered late in the reader's locale."""

    msgid: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def render(self, locale: str = DEFAULT_LOCALE) -> str:
        params = {
            key: value.render(locale) if isinstance(value, Message) else value
            for key, value in self.params.items()
        }
        return gettext(self.msgid, locale).format(**params)

    def as_dict(self) -> dict[str, Any]:
        """Return a JSON-ready form, for APIs and stored snapshots."""
        params = {
            key: value.as_dict() if isinstance(value, Message) else value
            for key, value in self.params.items()
        }
        return {"msgid": self.msgid, "params": params}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Message:
        params = {
            key: cls.from_dict(value) if isinstance(value, Mapping) and "msgid" in value else value
            for key, value in data.get("params", {}).items()
        }
        return cls(data["msgid"], params)

    def __str__(self) -> str:
        return self.render("en")


def msg(msgid: str, **params: Any) -> Message:
    """Build a Message; the catalogue test finds every ``msg("...")`` literal in this package."""
    return Message(msgid, params)
