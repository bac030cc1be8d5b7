"""Developer tools for the catalogues: extract msgids per module and update .po files.

Run ``python -m citybase.core.i18n_tools`` after adding messages; it adds new msgids
to every module's ``zh_CN`` and ``en`` catalogue (keeping existing translations) and
lists the zh_CN msgids that still lack a translation. Tests use ``missing()``.
"""

from __future__ import annotations

import ast
import io
import sys
from collections.abc import Collection, Iterator, Mapping
from pathlib import Path
from typing import IO, Any

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

from citybase.core import registry

KEYWORDS = {
    "_": None, "gettext_": None, "ngettext": (1, 2), "ngettext_": (1, 2), "N_": None,
    # Error constructors take msgids, so their first argument is extracted too.
    "FieldError": (2,), "CitybaseError": None, "InvalidInput": None, "NotAuthenticated": None,
    "PermissionDenied": None, "PasswordChangeRequired": None, "NotFound": None, "Conflict": None, "PayloadTooLarge": None,
    "NavEntry": None, "help_text": None,
}
# Keyword arguments that carry the msgid when a call names it instead of passing it
# by position: FieldError(field, message=...), NotFound(detail=...), NavEntry(label=...).
KEYWORD_ARGUMENTS = {
    "FieldError": "message", "CitybaseError": "detail", "InvalidInput": "detail",
    "NotAuthenticated": "detail", "PermissionDenied": "detail", "NotFound": "detail",
    "Conflict": "detail", "PayloadTooLarge": "detail", "NavEntry": "label", "help_text": "msgid",
}
METHOD_MAP = [
    ("**/locale/**", "ignore"), ("**.py", "citybase.core.i18n_tools:extract_python"),
    ("**/templates/**.html", "jinja2"),
]
OPTIONS = {"**/templates/**.html": {"trim_blocks": "true", "lstrip_blocks": "true"}}


def _call_name(node: ast.Call) -> str | None:
    if isinstance(node.func, ast.Name):
        return node.func.id
    if isinstance(node.func, ast.Attribute):  # service.FieldError(...), i18n.gettext_(...)
        return node.func.attr
    return None


def _string(node: ast.expr | None) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def extract_python(
    fileobj: IO[bytes], keywords: Mapping[str, Any], comment_tags: Collection[str], options: Mapping[str, Any],
) -> Iterator[tuple[int, str, str | tuple[str | None, ...], list[str]]]:
    """Babel extractor that finds keyword calls at any depth of nesting.

    Babel's own Python extractor skips a keyword call inside another keyword call's
    arguments, such as ``InvalidInput(errors=[FieldError("name", "Give ...")])``, so
    those messages never reached the catalogue. Walking the syntax tree finds every
    call, however deeply nested; a msgid given as a keyword argument is found too.
    """
    tree = ast.parse(fileobj.read())
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        name = _call_name(node)
        if name is None or name not in keywords:
            continue
        # Babel matches the keyword's spec against these positional values (None: not a string).
        values: list[str | None] = [_string(arg) for arg in node.args]
        keyword = KEYWORD_ARGUMENTS.get(name)
        for kw in node.keywords:
            if keyword is not None and kw.arg == keyword:
                index = (KEYWORDS.get(name) or (1,))[0] - 1
                values += [None] * (index + 1 - len(values))
                values[index] = _string(kw.value)
        if any(value is not None for value in values):
            yield node.lineno, name, tuple(values), []


def _module_dirs() -> list[tuple[registry.Module, Path, list[Path]]]:
    """Return each module with its folder and the folders of nested modules to skip."""
    mods = list(registry.modules())
    result = []
    for module in mods:
        nested = [other.path for other in mods if other is not module and module.path in other.path.parents]
        result.append((module, module.path, nested))
    return result


def extract(module: registry.Module, root: Path, skip: list[Path]) -> Catalog:
    catalog = Catalog(locale=None, domain="messages")
    folders = [root]
    if module.name == "core":
        folders.append(root.parent / "web")
        folders.append(root.parent)  # cli.py
    for folder in folders:
        for filename, lineno, message, comments, context in extract_from_dir(
            str(folder), METHOD_MAP, OPTIONS, KEYWORDS, strip_comment_tags=True,
        ):
            path = (folder / filename).resolve()
            if any(s in path.parents for s in skip) or (folder == root.parent and path.parent != root.parent):
                continue
            catalog.add(message, None, [(str(path.relative_to(root.parent)), lineno)], context=context)
    return catalog


def update(locale: str, module: registry.Module, template: Catalog) -> Path:
    folder = module.path / "locale" / locale / "LC_MESSAGES"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "messages.po"
    if path.exists():
        with path.open("rb") as handle:
            catalog = read_po(handle, locale=locale)
        catalog.update(template, no_fuzzy_matching=True)
        catalog.obsolete.clear()
    else:
        catalog = Catalog(locale=locale, domain="messages", project="citybase")
        for message in template:
            if message.id:
                catalog.add(message.id, "", message.locations, context=message.context)
    buffer = io.BytesIO()
    write_po(buffer, catalog, width=100, omit_header=False, sort_output=True, no_location=True)
    # Babel stamps a new POT-Creation-Date on every write; leaving unchanged files alone keeps
    # parallel branches from conflicting on that header line.
    if not path.exists() or _without_stamp(path.read_bytes()) != _without_stamp(buffer.getvalue()):
        path.write_bytes(buffer.getvalue())
    return path


def _without_stamp(po: bytes) -> bytes:
    return b"\n".join(line for line in po.split(b"\n") if not line.startswith(b'"POT-Creation-Date:'))


def missing(locale: str = "zh_CN") -> dict[str, list[str]]:
    """Return, per module, the msgids in its code and templates that its catalogue lacks."""
    result: dict[str, list[str]] = {}
    for module, root, skip in _module_dirs():
        template = extract(module, root, skip)
        path = module.path / "locale" / locale / "LC_MESSAGES" / "messages.po"
        translated: set[str | tuple[str, ...]] = set()
        if path.exists():
            with path.open("rb") as handle:
                for message in read_po(handle, locale=locale):
                    # A plural entry's string is a tuple, truthy even when its forms are empty.
                    forms = message.string if isinstance(message.string, tuple) else (message.string,)
                    if message.id and forms and all(forms) and not message.fuzzy:
                        translated.add(message.id)
        gaps = [m.id if isinstance(m.id, str) else m.id[0] for m in template if m.id and m.id not in translated]
        if gaps:
            result[module.name] = sorted(gaps)
    return result


def conflicts(locale: str = "zh_CN") -> dict[str, dict[str, str]]:
    """Return the msgids that two modules translate differently: msgid → {module: translation}.

    The catalogues are merged into one and the first module registered wins, so a
    different translation in a later module is never shown: a page of that module
    would show the other module's wording (e.g. "Text" as a search field's 关键词 in a
    table column of message texts).
    """
    seen: dict[str, dict[str, str]] = {}
    for module in registry.modules():
        if module.locale_dir is None:
            continue
        path = module.locale_dir / locale / "LC_MESSAGES" / "messages.po"
        if not path.exists():
            continue
        with path.open("rb") as handle:
            for message in read_po(handle, locale=locale):
                if message.id and message.string and not message.fuzzy:
                    msgid = message.id if isinstance(message.id, str) else message.id[0]
                    text = message.string if isinstance(message.string, str) else message.string[0]
                    seen.setdefault(msgid, {})[module.name] = text
    return {msgid: texts for msgid, texts in seen.items() if len(set(texts.values())) > 1}


def main() -> None:
    for module, root, skip in _module_dirs():
        template = extract(module, root, skip)
        if not len(template):
            continue
        for locale in ("zh_CN", "en"):
            update(locale, module, template)
    for msgid, texts in conflicts().items():
        print(f"translated differently: {msgid!r}: {texts}", file=sys.stderr)
    gaps = missing()
    for name, ids in gaps.items():
        print(f"{name}: {len(ids)} untranslated", file=sys.stderr)
        for msgid in ids:
            print(f"  {msgid}", file=sys.stderr)


if __name__ == "__main__":
    main()
