"""Parser of the NGSI-LD query language ``q`` (ETSI GS CIM 009 V1.6.1, clause 4.9).

Grammar, as accepted here::

    query      = or
    or         = and *( "|" and )
    and        = term *( ";" term )          ; AND binds tighter than OR
    term       = "(" or ")" / condition
    condition  = attribute [ operator operand ]   ; an attribute alone tests presence
    attribute  = name *( "." name ) *( "[" name *( "." name ) "]" )
    operator   = "==" / "!=" / ">=" / ">" / "<=" / "<" / "~=" / "!~="
    operand    = value [ ".." value ] / value 1*( "," value )   ; ranges and lists after == and !=
    value      = number / quoted-string / date-time / date / time / true / false / uri / word

``temperature.observedAt`` and ``a.b`` name a sub-attribute (or the
observedAt/unitCode/datasetId/createdAt/modifiedAt member) of attribute ``a``;
``address[city]`` names the key ``city`` inside the compound value of
``address``. A pattern after ``~=`` runs to the next ``;`` ``|`` or unmatched
``)``; a ``|`` inside parentheses belongs to the pattern. A quoted pattern may hold
any character. Unquoted words (``status==active``) are read as
strings, as several brokers accept them.

Every syntax error raises BadRequestData whose message names the 1-based
position of the offending character.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from citybase.context.errors import BadRequestData
from citybase.context.i18n import _

COMPARISON_OPERATORS = ("==", "!=", ">=", "<=", ">", "<")
PATTERN_OPERATORS = ("~=", "!~=")
OPERATORS = ("!~=", "==", "!=", ">=", "<=", "~=", ">", "<")
MAX_QUERY_LENGTH = 4096
MAX_DEPTH = 32

_NAME_RE = re.compile(r"[A-Za-z0-9_:@\-]+")
_DATETIME_RE = re.compile(
    r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})?"
)
_DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}")
_TIME_RE = re.compile(r"\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?Z?")
_NUMBER_RE = re.compile(r"-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?")
_URI_RE = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:(?:(?!\.\.)[^\s;|(),\"\[\]])+")
_WORD_RE = re.compile(r"[^\s;|()\",=!<>~\[\]]+")


def quote_string(text: str) -> str:
    """Quote ``text`` for q: only the double quote and the backslash are escaped."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


# ---- syntax tree -------------------------------------------------------------------------

@dataclass(frozen=True)
class Value:
    """A literal; ``kind`` is number, string, boolean, datetime, date, time or uri."""

    kind: str
    value: object

    def to_text(self) -> str:
        if self.kind == "string":
            return quote_string(str(self.value))
        if self.kind == "boolean":
            return "true" if self.value else "false"
        if self.kind == "number":
            return repr(self.value) if isinstance(self.value, float) else str(self.value)
        return str(self.value)


@dataclass(frozen=True)
class Range:
    low: Value
    high: Value

    def to_text(self) -> str:
        return f"{self.low.to_text()}..{self.high.to_text()}"


@dataclass(frozen=True)
class ValueList:
    values: tuple[Value, ...]

    def to_text(self) -> str:
        return ",".join(v.to_text() for v in self.values)


@dataclass(frozen=True)
class Pattern:
    regex: str

    def to_text(self) -> str:
        return quote_string(self.regex)


Operand = Value | Range | ValueList | Pattern


@dataclass(frozen=True)
class AttrPath:
    """``attribute`` plus dotted sub-attribute names and bracketed compound-value keys."""

    attribute: str
    sub: tuple[str, ...] = ()
    keys: tuple[str, ...] = ()

    def to_text(self) -> str:
        text = ".".join((self.attribute, *self.sub))
        if self.keys:
            text += "[" + ".".join(self.keys) + "]"
        return text


@dataclass(frozen=True)
class Condition:
    """A comparison, or a presence test when ``operator`` is None."""

    path: AttrPath
    operator: str | None = None
    operand: Operand | None = None

    def to_text(self) -> str:
        if self.operator is None or self.operand is None:
            return self.path.to_text()
        return f"{self.path.to_text()}{self.operator}{self.operand.to_text()}"


@dataclass(frozen=True)
class And:
    items: tuple[Node, ...]

    def to_text(self) -> str:
        return ";".join(_wrap(item, And) for item in self.items)


@dataclass(frozen=True)
class Or:
    items: tuple[Node, ...]

    def to_text(self) -> str:
        return "|".join(_wrap(item, Or) for item in self.items)


Node = Condition | And | Or


def _wrap(node: Node, parent: type) -> str:
    if isinstance(node, Or) and parent is And:
        return f"({node.to_text()})"
    if isinstance(node, And) and parent is Or:
        return node.to_text()
    return node.to_text()


def attribute_names(node: Node) -> set[str]:
    """The attribute names a query refers to (for projections and subscriptions)."""
    if isinstance(node, Condition):
        return {node.path.attribute}
    return set().union(*(attribute_names(item) for item in node.items))


# ---- parser ------------------------------------------------------------------------------

def parse_q(text: str) -> Node:
    """Parse a ``q`` expression into a syntax tree; raise BadRequestData on any error."""
    if not isinstance(text, str) or not text.strip():
        raise BadRequestData(_("The q expression is empty; give at least one condition."))
    if len(text) > MAX_QUERY_LENGTH:
        raise BadRequestData(
            _("The q expression has {n} characters; the limit is {limit}."),
            n=len(text), limit=MAX_QUERY_LENGTH,
        )
    return _Parser(text).parse()


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0
        self.depth = 0

    def parse(self) -> Node:
        node = self._or()
        self._skip_spaces()
        if self.pos < len(self.text):
            if self.text[self.pos] == ")":
                self._fail(_("an unmatched ')'"))
            self._fail(_("';', '|' or the end of the expression"))
        return node

    # grammar rules

    def _or(self) -> Node:
        items = [self._and()]
        while self._accept("|"):
            items.append(self._and())
        return items[0] if len(items) == 1 else Or(tuple(items))

    def _and(self) -> Node:
        items = [self._term()]
        while self._accept(";"):
            items.append(self._term())
        return items[0] if len(items) == 1 else And(tuple(items))

    def _term(self) -> Node:
        self._skip_spaces()
        if self._accept("("):
            self.depth += 1
            if self.depth > MAX_DEPTH:
                self._fail(_("at most {n} nested parentheses").format(n=MAX_DEPTH))
            node = self._or()
            self._skip_spaces()
            if not self._accept(")"):
                self._fail(_("')' to close the '(' opened earlier"))
            self.depth -= 1
            return node
        return self._condition()

    def _condition(self) -> Condition:
        path = self._attribute()
        operator = self._operator()
        if operator is None:
            return Condition(path)
        if operator in PATTERN_OPERATORS:
            return Condition(path, operator, self._pattern())
        if operator in ("==", "!="):
            return Condition(path, operator, self._equality_operand())
        return Condition(path, operator, self._value())

    def _attribute(self) -> AttrPath:
        names = [self._name()]
        while self._peek(".") and not self._peek(".."):
            self.pos += 1
            names.append(self._name())
        keys: list[str] = []
        while self._accept("["):
            keys.append(self._name())
            while self._accept("."):
                keys.append(self._name())
            if not self._accept("]"):
                self._fail(_("']' to close the compound attribute path"))
        return AttrPath(names[0], tuple(names[1:]), tuple(keys))

    def _name(self) -> str:
        match = _NAME_RE.match(self.text, self.pos)
        if not match:
            self._fail(_("an attribute name"))
        self.pos = match.end()
        return match.group()

    def _operator(self) -> str | None:
        for operator in OPERATORS:
            if self.text.startswith(operator, self.pos):
                self.pos += len(operator)
                return operator
        if self.pos < len(self.text) and self.text[self.pos] not in ";|)":
            self._fail(_("an operator (== != > >= < <= ~= !~=), ';', '|' or ')'"))
        return None

    def _equality_operand(self) -> Operand:
        first = self._value()
        if self._accept(".."):
            return Range(first, self._value())
        if not self._peek(","):
            return first
        values = [first]
        while self._accept(","):
            values.append(self._value())
        return ValueList(tuple(values))

    def _pattern(self) -> Pattern:
        if self._peek('"'):
            regex = self._quoted()
        else:
            start = self.pos
            depth = 0
            while self.pos < len(self.text):
                char = self.text[self.pos]
                if char == ";" or (char in "|)" and depth == 0):
                    break
                depth += {"(": 1, ")": -1}.get(char, 0)
                self.pos += 1
            regex = self.text[start:self.pos]
        if not regex:
            self._fail(_("a regular expression after ~="))
        try:
            re.compile(regex)
        except re.error as exc:
            raise BadRequestData(
                _("Invalid q expression: the pattern {regex!r} is not a valid regular "
                  "expression ({reason})."),
                regex=regex, reason=str(exc),
            ) from None
        return Pattern(regex)

    def _value(self) -> Value:
        if self._peek('"'):
            return Value("string", self._quoted())
        for kind, regex in (("datetime", _DATETIME_RE), ("date", _DATE_RE), ("time", _TIME_RE)):
            match = regex.match(self.text, self.pos)
            if match and not self._continues_word(match.end()):
                _check_calendar(kind, match.group(), self.text)
                self.pos = match.end()
                return Value(kind, match.group())
        match = _NUMBER_RE.match(self.text, self.pos)
        if match and not self._continues_word(match.end()):
            self.pos = match.end()
            number = match.group()
            is_float = any(c in number for c in ".eE")
            return Value("number", float(number) if is_float else int(number))
        for word, flag in (("true", True), ("false", False)):
            if self.text.startswith(word, self.pos) and not self._continues_word(self.pos + len(word)):
                self.pos += len(word)
                return Value("boolean", flag)
        match = _URI_RE.match(self.text, self.pos)
        if match:
            self.pos = match.end()
            return Value("uri", match.group())
        match = _WORD_RE.match(self.text, self.pos)
        if match and ".." not in match.group():
            self.pos = match.end()
            return Value("string", match.group())
        self._fail(_("a value (number, \"string\", date-time, true, false or URI)"))

    def _continues_word(self, end: int) -> bool:
        if end >= len(self.text):
            return False
        if self.text.startswith("..", end):
            return False
        return self.text[end] not in ";|),"

    def _quoted(self) -> str:
        start = self.pos
        self.pos += 1
        chars: list[str] = []
        while self.pos < len(self.text):
            char = self.text[self.pos]
            if char == "\\" and self.text[self.pos + 1:self.pos + 2] in ('"', "\\"):
                chars.append(self.text[self.pos + 1])
                self.pos += 2
                continue
            if char == '"':
                self.pos += 1
                return "".join(chars)
            chars.append(char)
            self.pos += 1
        self.pos = start
        self._fail(_("a closing '\"' for the string that starts here"))

    # helpers

    def _skip_spaces(self) -> None:
        while self.pos < len(self.text) and self.text[self.pos] == " ":
            self.pos += 1

    def _peek(self, token: str) -> bool:
        return self.text.startswith(token, self.pos)

    def _accept(self, token: str) -> bool:
        self._skip_spaces()
        if self.text.startswith(token, self.pos):
            self.pos += len(token)
            return True
        return False

    def _fail(self, expected: str) -> None:
        found = repr(self.text[self.pos]) if self.pos < len(self.text) else _("the end")
        raise BadRequestData(
            _("Invalid q expression {q!r}: expected {expected} at position {position}, "
              "found {found}."),
            q=self.text, expected=expected, position=self.pos + 1, found=found,
        )


_CALENDAR_KINDS = {"datetime": _("date-time"), "date": _("date"), "time": _("time of day")}


def _check_calendar(kind: str, text: str, q: str) -> None:
    """Reject a date, time or date-time that has the right shape but no place in the calendar."""
    iso = text[:-1] + "+00:00" if text.endswith("Z") and kind == "datetime" else text.rstrip("Z")
    parse = {"datetime": dt.datetime.fromisoformat, "date": dt.date.fromisoformat, "time": dt.time.fromisoformat}[kind]
    try:
        parse(iso)
    except ValueError:
        raise BadRequestData(
            _("Invalid q expression {q!r}: {value!r} is not a valid {what}; write dates as "
              "2024-05-01 and date-times as 2024-05-01T08:30:00Z."),
            q=q, value=text, what=_CALENDAR_KINDS[kind],
        ) from None
