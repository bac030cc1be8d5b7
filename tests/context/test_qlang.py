from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from citybase.context.errors import BadRequestData
from citybase.context.query.qlang import (
    And,
    AttrPath,
    Condition,
    Or,
    Pattern,
    Range,
    Value,
    ValueList,
    attribute_names,
    parse_q,
)


def test_simple_comparison() -> None:
    assert parse_q("temperature>20") == Condition(AttrPath("temperature"), ">", Value("number", 20))


def test_and_binds_tighter_than_or() -> None:
    node = parse_q("a==1;b==2|c==3")
    assert isinstance(node, Or)
    assert isinstance(node.items[0], And)
    assert node.items[1] == Condition(AttrPath("c"), "==", Value("number", 3))


def test_parentheses_group() -> None:
    node = parse_q("a==1;(b==2|c==3)")
    assert isinstance(node, And)
    assert isinstance(node.items[1], Or)


def test_quoted_string_with_escapes() -> None:
    node = parse_q(r'name=="say \"hi\";|)"')
    assert node == Condition(AttrPath("name"), "==", Value("string", 'say "hi";|)'))


def test_range_and_list() -> None:
    assert parse_q("speed==10..20").operand == Range(Value("number", 10), Value("number", 20))
    node = parse_q('status=="ok","warn"')
    assert node.operand == ValueList((Value("string", "ok"), Value("string", "warn")))


def test_date_time_values() -> None:
    assert parse_q("dateObserved>2024-05-01T08:00:00Z").operand == Value("datetime", "2024-05-01T08:00:00Z")
    assert parse_q("day==2024-05-01").operand == Value("date", "2024-05-01")
    assert parse_q("opens<08:30:00").operand == Value("time", "08:30:00")
    assert parse_q("t==2024-01-01..2024-02-01").operand == Range(
        Value("date", "2024-01-01"), Value("date", "2024-02-01")
    )


def test_relationship_target_uri() -> None:
    node = parse_q("refDevice==urn:ngsi-ld:Device:310114102-0001")
    assert node.operand == Value("uri", "urn:ngsi-ld:Device:310114102-0001")


def test_uri_with_apostrophe_and_parentheses_quoted() -> None:
    node = parse_q('owner=="urn:ngsi-ld:Person:O\'Neil(2)"')
    assert node.operand == Value("string", "urn:ngsi-ld:Person:O'Neil(2)")


def test_paths() -> None:
    assert parse_q("temperature.observedAt>=2024-01-01T00:00:00Z").path == AttrPath(
        "temperature", ("observedAt",)
    )
    assert parse_q('address[addressLocality]=="嘉定"').path == AttrPath("address", (), ("addressLocality",))
    assert parse_q("a.b[c.d]==1").path == AttrPath("a", ("b",), ("c", "d"))
    assert parse_q("a[b][c]==1").path == AttrPath("a", (), ("b", "c"))


def test_presence_test_and_booleans() -> None:
    assert parse_q("alarm") == Condition(AttrPath("alarm"))
    assert parse_q("open==true").operand == Value("boolean", True)


def test_pattern() -> None:
    assert parse_q("name~=^南翔.*站$").operand == Pattern("^南翔.*站$")
    node = parse_q("name~=(a|b)x;c==1")
    assert isinstance(node, And)
    assert node.items[0].operand == Pattern("(a|b)x")
    assert parse_q("name!~=foo").operator == "!~="


def test_unquoted_word_is_string() -> None:
    assert parse_q("status==active").operand == Value("string", "active")


def test_attribute_names() -> None:
    assert attribute_names(parse_q("a==1;(b.c>2|d[e]==3)")) == {"a", "b", "d"}


@pytest.mark.parametrize(
    ("q", "position"),
    [
        ("temperature>", 13),
        ("(a==1", 6),
        ("a==1)", 5),
        ("a===1", 4),
        ('a=="open', 4),
        ("a==1;;b==2", 6),
        ("a[b==1", 4),
        ("a%3==1", 2),
    ],
)
def test_syntax_errors_name_the_position(q: str, position: int) -> None:
    with pytest.raises(BadRequestData) as raised:
        parse_q(q)
    assert f"position {position}" in str(raised.value)
    assert raised.value.status == 400


def test_bad_regex_is_bad_request() -> None:
    with pytest.raises(BadRequestData) as raised:
        parse_q("name~=[a")
    assert "regular expression" in str(raised.value)


def test_empty_and_oversized_queries() -> None:
    with pytest.raises(BadRequestData):
        parse_q("")
    with pytest.raises(BadRequestData):
        parse_q("a==1;" * 2000)


def test_deep_nesting_is_refused() -> None:
    with pytest.raises(BadRequestData):
        parse_q("(" * 40 + "a==1" + ")" * 40)


# ---- property tests --------------------------------------------------------------------------

names = st.from_regex(r"[A-Za-z][A-Za-z0-9_]{0,8}", fullmatch=True)
paths = st.builds(
    AttrPath,
    names,
    st.lists(names, max_size=2).map(tuple),
    st.lists(names, max_size=2).map(tuple),
)
comparables = st.one_of(
    st.integers(-10**9, 10**9).map(lambda n: Value("number", n)),
    st.text(max_size=12).map(lambda s: Value("string", s)),
    st.sampled_from(["2024-05-01T08:00:00Z", "2024-05-01"]).map(
        lambda d: Value("datetime" if "T" in d else "date", d)
    ),
)
scalars = st.one_of(
    st.integers(-10**9, 10**9).map(lambda n: Value("number", n)),
    st.floats(allow_nan=False, allow_infinity=False, width=64).map(lambda f: Value("number", f)),
    st.text(max_size=12).map(lambda s: Value("string", s)),
    st.booleans().map(lambda b: Value("boolean", b)),
    st.sampled_from(["2024-05-01T08:00:00Z", "2024-05-01T08:00:00.123+08:00"]).map(lambda d: Value("datetime", d)),
    st.sampled_from(["2024-05-01", "1999-12-31"]).map(lambda d: Value("date", d)),
    st.sampled_from(["urn:ngsi-ld:Device:310114-1", "https://example.org/x"]).map(lambda u: Value("uri", u)),
)
conditions = st.one_of(
    st.builds(Condition, paths),
    st.builds(Condition, paths, st.sampled_from([">", ">=", "<", "<="]), scalars),
    st.builds(Condition, paths, st.sampled_from(["==", "!="]), st.one_of(
        scalars,
        st.builds(Range, comparables, comparables),
        st.lists(scalars, min_size=2, max_size=3).map(lambda v: ValueList(tuple(v))),
    )),
    st.builds(Condition, paths, st.sampled_from(["~=", "!~="]),
              st.sampled_from(["^a.*", "x|y", r"\d+", "(ab)+"]).map(Pattern)),
)


def _flatten(kind: type, items: list) -> list:
    flat: list = []
    for item in items:
        flat.extend(item.items if isinstance(item, kind) else [item])
    return flat


trees = st.recursive(
    conditions,
    lambda children: st.one_of(
        st.lists(children, min_size=2, max_size=3).map(lambda items: And(tuple(_flatten(And, items)))),
        st.lists(children, min_size=2, max_size=3).map(lambda items: Or(tuple(_flatten(Or, items)))),
    ),
    max_leaves=6,
)


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow])
@given(trees)
def test_parse_round_trips_to_text(tree) -> None:
    text = tree.to_text()
    assert parse_q(text) == tree
