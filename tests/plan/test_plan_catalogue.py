"""The plan module's Chinese catalogue translates every message of the module."""

from __future__ import annotations

import re
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

import citybase.plan

PLAN_DIR = Path(citybase.plan.__file__).parent
CATALOGUE = PLAN_DIR / "locale" / "zh_CN" / "LC_MESSAGES" / "messages.po"
PLACEHOLDER = re.compile(r"\{[a-z_]+[^}]*\}")


def _msgids() -> set[str]:
    found = extract_from_dir(
        str(PLAN_DIR / "parsing"), method_map=[("**.py", "python")], keywords={"N_": None, "_": None}
    )
    return {message for _, _, message, _, _ in found}


def test_parser_messages_translated() -> None:
    with CATALOGUE.open("rb") as handle:
        catalogue = read_po(handle)
    missing = sorted(msgid for msgid in _msgids() if not catalogue.get(msgid) or not catalogue.get(msgid).string)
    assert missing == []


def test_translations_keep_placeholders() -> None:
    with CATALOGUE.open("rb") as handle:
        catalogue = read_po(handle)
    for message in catalogue:
        if message.id:
            assert set(PLACEHOLDER.findall(message.string)) == set(PLACEHOLDER.findall(message.id)), message.id
