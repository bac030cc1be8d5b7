"""Lazy messages: a msgid and its parameters, rendered when and where they are shown.

Service results (explanations of progress and lights, notification texts) carry
``Message`` objects, so a page renders them in the reader's locale. Notifications store
them as ``as_dict()`` snapshots and render them in each reader's locale when shown. Msgids are marked with
``N_`` at the call site, so the catalogue tools extract them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from citybase.core.i18n import current_locale, translations


@dataclass(frozen=True)
class Message:
    """A msgid with named ``str.format`` parameters; parameters may be Messages themselves."""

    msgid: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def render(self, locale: str | None = None) -> str:
        """Translate into ``locale`` (default: the current request's or command's locale)."""
        locale = locale or current_locale()
        params = {
            key: value.render(locale) if isinstance(value, Message) else value
            for key, value in self.params.items()
        }
        text = translations(locale).gettext(self.msgid) if locale != "en" else self.msgid
        return text.format(**params)

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
        return self.render()

    def __format__(self, spec: str) -> str:
        return format(self.render(), spec)


def msg(msgid: str, **params: Any) -> Message:
    """Build a Message; write the msgid as ``msg(N_("..."), ...)`` so it is extracted."""
    return Message(msgid, params)
