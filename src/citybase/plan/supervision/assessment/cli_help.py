"""Translate the assessment commands' help texts while the module registry is still loading.

Typer needs help texts when the commands are defined, which happens while
``registry.modules()`` imports this module; core's ``gettext_`` would reenter the
registry then, so this reads the module's own catalogue directly (as ``plan.cli_help`` does).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

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


def help_text(msgid: str) -> str:
    """Return ``msgid`` in the current locale."""
    return _messages(current_locale()).get(msgid, msgid)
