"""The generated CLI reference is current and every setting is documented."""

from __future__ import annotations

import datetime as dt
import importlib
import importlib.util
import pkgutil
import re
from decimal import Decimal
from pathlib import Path

import pytest
from pydantic_settings import BaseSettings

import citybase

REPO_ROOT = Path(__file__).resolve().parents[1]
DOCS = REPO_ROOT / "docs"


def _load_script(name: str):
    spec = importlib.util.spec_from_file_location(name, REPO_ROOT / "scripts" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_cli_reference_is_current(monkeypatch):
    # The script pins CITYBASE_LOCALE=zh_CN; monkeypatch restores the old value afterwards.
    monkeypatch.setenv("CITYBASE_LOCALE", "zh_CN")
    generator = _load_script("gen_cli_docs")
    expected = generator.render()

    current = (DOCS / "cli.md").read_text(encoding="utf-8")

    assert current == expected, "docs/cli.md is out of date; run: .venv/bin/python scripts/gen_cli_docs.py"


def test_cli_reference_lists_every_command():
    text = (DOCS / "cli.md").read_text(encoding="utf-8")

    assert "## `citybase`" in text
    assert "### `citybase serve`" in text
    assert "#### `citybase users add`" in text
    assert "--password-stdin" in text


def _settings_classes() -> list[type[BaseSettings]]:
    """Import every ``settings`` module of citybase and return its BaseSettings classes."""
    for info in pkgutil.walk_packages(citybase.__path__, "citybase."):
        if info.name.rsplit(".", 1)[-1] == "settings":
            importlib.import_module(info.name)
    found = []
    pending = list(BaseSettings.__subclasses__())
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        if cls.__module__.startswith("citybase."):
            found.append(cls)
    return sorted(found, key=lambda cls: cls.__qualname__)


SETTINGS_CLASSES = _settings_classes()
SETTINGS = [
    (cls.model_config["env_prefix"] + name.upper(), field)
    for cls in SETTINGS_CLASSES for name, field in cls.model_fields.items()
]
ROW = re.compile(r"^\| `(CITYBASE_[A-Z0-9_]+)` \|(.*)$", re.MULTILINE)


def _documented_rows() -> dict[str, str]:
    text = (DOCS / "settings.md").read_text(encoding="utf-8")
    return {name: rest for name, rest in ROW.findall(text)}


def _default_text(default: object) -> str | None:
    """Return the default as docs/settings.md writes it, or None where prose explains it."""
    if isinstance(default, bool):
        return "true" if default else "false"
    if isinstance(default, int | str | Decimal | dt.date):
        return str(default)
    return None


def test_settings_classes_found():
    names = {cls.__name__ for cls in SETTINGS_CLASSES}

    assert "Settings" in names
    assert "SupervisionSettings" in names


@pytest.mark.parametrize(("env_name", "field"), SETTINGS, ids=[name for name, _field in SETTINGS])
def test_setting_is_documented(env_name, field):
    rows = _documented_rows()

    assert env_name in rows, f"{env_name} is missing from docs/settings.md; add a row for it"
    default = _default_text(field.default)
    if default is not None:
        assert f"`{default}`" in rows[env_name], f"docs/settings.md should give {env_name} the default `{default}`"


def test_settings_doc_lists_no_removed_setting():
    known = {name for name, _field in SETTINGS}

    stale = sorted(set(_documented_rows()) - known)

    assert stale == [], f"docs/settings.md documents settings that no longer exist: {stale}"


MARKDOWN_FILES = [REPO_ROOT / "README.md", REPO_ROOT / "README.zh-CN.md", REPO_ROOT / "CHANGELOG.md",
                  *sorted(DOCS.glob("*.md"))]
LINK = re.compile(r"\]\(([^)\s]+)\)")


@pytest.mark.parametrize("path", MARKDOWN_FILES, ids=[p.name for p in MARKDOWN_FILES])
def test_relative_links_resolve(path):
    broken = []
    for target in LINK.findall(path.read_text(encoding="utf-8")):
        if target.startswith(("http://", "https://", "#", "mailto:")):
            continue
        if not (path.parent / target.split("#", 1)[0]).exists():
            broken.append(target)

    assert broken == [], f"{path.name} links to missing files: {broken}"


def test_readmes_link_the_same_docs():
    english = set(LINK.findall((REPO_ROOT / "README.md").read_text(encoding="utf-8")))
    chinese = set(LINK.findall((REPO_ROOT / "README.zh-CN.md").read_text(encoding="utf-8")))

    assert english - {"README.zh-CN.md"} == chinese - {"README.md"}


@pytest.mark.parametrize("readme", ["README.md", "README.zh-CN.md"])
def test_readme_gives_the_two_commands(readme):
    text = (REPO_ROOT / readme).read_text(encoding="utf-8")

    assert "make run" in text
    assert "make test" in text
