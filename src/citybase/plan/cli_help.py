"""Translate the plan CLI's help texts while the module registry is still loading.

Typer needs help texts when ``plan.cli`` is imported, and that happens while
``registry.modules()`` imports ``plan.module``. Core's ``gettext_`` merges every
module's catalogue through the registry, so calling it then would import
``plan.module`` again. This reads the plan catalogue directly instead.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from babel.messages.pofile import read_po

from citybase.core.i18n import current_locale

_LOCALE_DIR = Path(__file__).parent / "locale"


@lru_cache(maxsize=4)
def _messages(locale: str) -> dict[str, str]:
    path = _LOCALE_DIR / locale / "LC_MESSAGES" / "messages.po"
    if not path.exists():
        return {}
    with path.open("rb") as handle:
        catalogue = read_po(handle, locale=locale)
    return {str(m.id): str(m.string) for m in catalogue if m.id and m.string and not m.fuzzy}


def help_text(msgid: str, **params: Any) -> str:
    """Return ``msgid`` in the current locale, with its ``{placeholders}`` filled in."""
    text = _messages(current_locale()).get(msgid, msgid)
    return text.format(**params) if params else text
