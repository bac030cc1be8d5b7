"""Entity scopes and the NGSI-LD Scope Query Language (ETSI GS CIM 009 V1.6.1, 4.18 and 4.19).

A scope is a path of one or more levels, such as ``/Madrid/Gardens/ParqueNorte``.
An entity's ``scope`` member (one string or a list) is stored in the entity's
attribute document under :data:`SCOPE_IRI`, as one Property instance whose value
is the list of scopes. That way create, replace, merge, append, update, attribute
deletion, batch operations and the temporal evolution treat it with the rules
they already apply to attributes. :mod:`citybase.context.entity_compact` renders
it back as the ``scope`` member, never as an attribute.

Because it is stored as an attribute value, every scope has a row in the value
index (``ctx_attr_values``, kind ``s[]``), and :func:`scope_condition` compiles a
``scopeQ`` to range scans of that index instead of reading JSON documents.

scopeQ syntax: a scope pattern is ``/`` followed by levels separated by ``/``. A
level is a name, ``+`` (exactly one level of any name) or, as the last level only,
``#`` (the scope before it and every scope below it, so ``/#`` matches any scope).
``,`` or ``|`` means OR, ``;`` means AND and binds tighter, and parentheses group.
An entity matches a pattern when one of its scopes matches it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, and_, func, or_, select

from citybase.context.errors import BadRequestData
from citybase.context.i18n import _
from citybase.context.valueindex import MAX_TEXT

NGSI_LD = "https://uri.etsi.org/ngsi-ld/"
SCOPE_IRI = NGSI_LD + "scope"
# The value index keeps strings of up to MAX_TEXT characters, so a longer scope would have
# no index row and is rejected.
MAX_SCOPE_LENGTH = MAX_TEXT
_LEVEL_RE = re.compile(r"[^/#+,;|()\s\x00-\x1f\x7f]+")
_SCOPE_RE = re.compile(r"(?:/[^/#+,;|()\s\x00-\x1f\x7f]+)+")


# ---- the entity member -------------------------------------------------------------------------


def check_scopes(raw: Any) -> list[str]:
    """Validate an entity's ``scope`` member (a string or a list of strings) and return the list.

    Duplicates are dropped and the order kept. Raise BadRequestData naming the bad value.
    """
    items = raw if isinstance(raw, list) else [raw]
    if not items:
        raise BadRequestData(
            _("scope is an empty list; give a scope such as '/Madrid/Gardens' or leave scope out."))
    scopes: list[str] = []
    for item in items:
        if not isinstance(item, str) or not _SCOPE_RE.fullmatch(item):
            raise BadRequestData(
                _("scope {value!r} is not a scope path; write levels after slashes, such as "
                  "'/Madrid/Gardens', without empty levels, white space or the characters # + , ; | ( )."),
                value=item)
        if len(item) > MAX_SCOPE_LENGTH:
            raise BadRequestData(
                _("scope {value!r} is longer than {max} characters; use a shorter path."),
                value=item[:40] + "...", max=MAX_SCOPE_LENGTH)
        if item not in scopes:
            scopes.append(item)
    return scopes


def scope_instance(raw: Any) -> dict[str, Any]:
    """Return the stored form of a ``scope`` member: a Property instance listing the scopes."""
    return {"type": "Property", "value": check_scopes(raw)}


def render_scopes(instances: list[dict[str, Any]]) -> str | list[str] | None:
    """Return the ``scope`` member of a stored scope instance: one string, or a list of several."""
    if not instances:
        return None
    value = instances[0].get("value")
    scopes = value if isinstance(value, list) else [value]
    if not scopes:
        return None
    return scopes[0] if len(scopes) == 1 else list(scopes)


def stored_scopes(attrs: dict[str, list[dict[str, Any]]]) -> list[str]:
    """Return the scopes of a stored entity's attribute document (empty when it has none)."""
    rendered = render_scopes(attrs.get(SCOPE_IRI, []))
    if rendered is None:
        return []
    return [rendered] if isinstance(rendered, str) else rendered


# ---- scopeQ ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ScopePattern:
    """One pattern: its levels (names, ``+``) and whether it ends with ``#``."""

    levels: tuple[str, ...]
    descendants: bool


@dataclass(frozen=True)
class ScopeAll:
    items: tuple[ScopeNode, ...]


@dataclass(frozen=True)
class ScopeAny:
    items: tuple[ScopeNode, ...]


ScopeNode = ScopePattern | ScopeAll | ScopeAny


def parse_scope_q(text: Any) -> ScopeNode:
    """Parse a scopeQ, or raise BadRequestData naming the value and the position of the error."""
    if not isinstance(text, str) or not text.strip():
        raise BadRequestData(
            _("scopeQ {value!r} is empty or not a string; give a scope pattern such as '/Madrid/#'."),
            value=text)
    parser = _ScopeParser(text)
    node = parser.parse_any()
    if parser.position != len(text):
        parser.fail()
    return node


class _ScopeParser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.position = 0

    def fail(self) -> None:
        raise BadRequestData(
            _("scopeQ {value!r} is invalid at character {position}; write scope patterns such as "
              "'/Madrid/+/ParqueNorte' or '/Madrid/#', joined by ',' (or) and ';' (and), with no "
              "empty level."),
            value=self.text, position=self.position + 1)

    def peek(self) -> str:
        return self.text[self.position] if self.position < len(self.text) else ""

    def parse_any(self) -> ScopeNode:
        items = [self.parse_all()]
        while self.peek() in (",", "|"):
            self.position += 1
            items.append(self.parse_all())
        return items[0] if len(items) == 1 else ScopeAny(tuple(items))

    def parse_all(self) -> ScopeNode:
        items = [self.parse_term()]
        while self.peek() == ";":
            self.position += 1
            items.append(self.parse_term())
        return items[0] if len(items) == 1 else ScopeAll(tuple(items))

    def parse_term(self) -> ScopeNode:
        if self.peek() == "(":
            self.position += 1
            node = self.parse_any()
            if self.peek() != ")":
                self.fail()
            self.position += 1
            return node
        return self.parse_pattern()

    def parse_pattern(self) -> ScopePattern:
        levels: list[str] = []
        while self.peek() == "/":
            if levels and levels[-1] == "#":
                self.fail()
            self.position += 1
            if self.peek() in ("+", "#"):
                levels.append(self.peek())
                self.position += 1
                continue
            match = _LEVEL_RE.match(self.text, self.position)
            if match is None:
                self.fail()
            assert match is not None
            levels.append(match.group())
            self.position = match.end()
        if not levels:
            self.fail()
        descendants = levels[-1] == "#"
        if descendants:
            levels.pop()
        return ScopePattern(tuple(levels), descendants)


def scope_condition(node: ScopeNode, entity_pk: ColumnElement[Any], dialect: str) -> ColumnElement[bool]:
    """Compile a parsed scopeQ to ``entity_pk IN (rows of the value index)`` conditions.

    Each pattern becomes an index range scan on the literal prefix before its first
    wildcard. A pattern with ``+`` before its end is then checked exactly with a
    regular expression on the rows of that range.
    """
    if isinstance(node, ScopeAll):
        return and_(*(scope_condition(item, entity_pk, dialect) for item in node.items))
    if isinstance(node, ScopeAny):
        return or_(*(scope_condition(item, entity_pk, dialect) for item in node.items))
    return entity_pk.in_(_pattern_rows(node, dialect))


def _pattern_rows(pattern: ScopePattern, dialect: str) -> Any:
    from citybase.context.models import CtxAttrValue

    table = CtxAttrValue
    rows = select(table.entity_pk).where(table.attr_iri == SCOPE_IRI, table.kind.in_(("s", "s[]")))
    literal: list[str] = []
    for level in pattern.levels:
        if level == "+":
            break
        literal.append(level)
    prefix = "".join("/" + level for level in literal)
    exact = len(literal) == len(pattern.levels)
    if exact and not pattern.descendants:
        return rows.where(table.txt == prefix)
    # Every scope strictly below ``prefix`` sorts between "prefix/" and "prefix0"
    # ("0" follows "/" in byte order, which the txt column uses on both databases).
    below = and_(table.txt > prefix + "/", table.txt < prefix + "0")
    if exact:
        # "/#" (no literal level) matches every scope.
        return rows if not literal else rows.where(or_(table.txt == prefix, below))
    rows = rows.where(below)
    return rows.where(_regex(table.txt, _pattern_regex(pattern), dialect))


def _pattern_regex(pattern: ScopePattern) -> str:
    parts = ["[^/]+" if level == "+" else re.escape(level) for level in pattern.levels]
    tail = "(/.*)?" if pattern.descendants else ""
    return "^/" + "/".join(parts) + tail + "$"


def _regex(column: Any, pattern: str, dialect: str) -> ColumnElement[bool]:
    if dialect == "sqlite":
        return func.regexp(pattern, column) == 1
    return column.op("~", is_comparison=True)(pattern)


__all__ = [
    "SCOPE_IRI", "ScopeNode", "check_scopes", "parse_scope_q", "render_scopes", "scope_condition",
    "scope_instance", "stored_scopes",
]
