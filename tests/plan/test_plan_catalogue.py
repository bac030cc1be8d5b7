"""The plan module's Chinese catalogue translates every message of the module."""

from __future__ import annotations

import re
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

import citybase.plan
from citybase.core.i18n import translations

PLAN_DIR = Path(citybase.plan.__file__).parent
CATALOGUE = PLAN_DIR / "locale" / "zh_CN" / "LC_MESSAGES" / "messages.po"
PLACEHOLDER = re.compile(r"\{[a-z_]+[^}]*\}")


KEYWORDS = {"N_": None, "_": None, "gettext_": None, "help_text": None, "ngettext": (1, 2)}
# Supervision keeps its own catalogue, so its files are left to its own test.
METHOD_MAP = [("supervision/**", "ignore"), ("**.py", "python"), ("**/templates/**.html", "jinja2")]


def _msgids() -> set[str]:
    found = extract_from_dir(str(PLAN_DIR), method_map=METHOD_MAP, keywords=KEYWORDS)
    return {message if isinstance(message, str) else message[0] for _, _, message, _, _ in found}


def test_plan_messages_translated() -> None:
    # The merged catalogue of all modules, as pages and the CLI use it.
    merged = translations("zh_CN")
    missing = sorted(msgid for msgid in _msgids() if merged.gettext(msgid) == msgid)
    assert missing == []


def test_catalogue_has_no_duplicates() -> None:
    text = CATALOGUE.read_text(encoding="utf-8")
    msgids = re.findall(r'^msgid "(.+)"$', text, flags=re.MULTILINE)
    assert sorted(m for m in set(msgids) if msgids.count(m) > 1) == []


def test_translations_keep_placeholders() -> None:
    with CATALOGUE.open("rb") as handle:
        catalogue = read_po(handle)
    for message in catalogue:
        if message.id and isinstance(message.id, str):
            assert set(PLACEHOLDER.findall(message.string)) == set(PLACEHOLDER.findall(message.id)), message.id
