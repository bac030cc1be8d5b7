from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from citybase.context.errors import BadRequestData
from citybase.context.urn import (
    DIVISION_CODES,
    TOWN_CODES,
    build_urn,
    encode_local,
    is_district_urn,
    parse_urn,
)


def test_town_codes_are_the_twelve_towns() -> None:
    assert len(TOWN_CODES) == 12
    assert TOWN_CODES["310114102"] == "南翔镇"
    assert TOWN_CODES["310114501"] == "嘉定工业区"


def test_build_sensor_urn() -> None:
    urn = build_urn("WaterLevelSensor", "310114102", "UP-0012")
    assert urn == "urn:ngsi-ld:WaterLevelSensor:310114102-UP-0012"


def test_build_district_level_urn_without_local_part() -> None:
    assert build_urn("Dataset", "310114") == "urn:ngsi-ld:Dataset:310114"


def test_parse_returns_parts_and_town_name() -> None:
    parts = parse_urn("urn:ngsi-ld:WaterLevelSensor:310114102-UP-0012")
    assert parts.entity_type == "WaterLevelSensor"
    assert parts.division_code == "310114102"
    assert parts.division_name == "南翔镇"
    assert parts.local == "UP-0012"


def test_chinese_local_part_is_percent_encoded() -> None:
    urn = build_urn("Pump", "310114103", "安亭泵站-1")
    assert urn == "urn:ngsi-ld:Pump:310114103-%E5%AE%89%E4%BA%AD%E6%B3%B5%E7%AB%99-1"
    assert parse_urn(urn).local == "安亭泵站-1"


def test_apostrophes_and_parentheses_stay_unencoded() -> None:
    urn = build_urn("Facility", "310114", "O'Neil(2)")
    assert urn == "urn:ngsi-ld:Facility:310114-O'Neil(2)"
    assert parse_urn(urn).local == "O'Neil(2)"


def test_space_and_question_mark_are_encoded() -> None:
    assert encode_local("a b?c#d") == "a%20b%3Fc%23d"


@pytest.mark.parametrize(
    ("urn", "fragment"),
    [
        ("urn:ngsi-ld:Pump:310115-1", "310115"),
        ("urn:ngsi-ld:Pump:310114999-1", "310114999"),
        ("urn:ngsi-ld:Pump", "urn:ngsi-ld:<Type>:<id>"),
        ("urn:other:Pump:310114-1", "must start with"),
        ("urn:ngsi-ld:1Pump:310114-1", "1Pump"),
    ],
)
def test_parse_rejects_bad_urns(urn: str, fragment: str) -> None:
    with pytest.raises(BadRequestData) as raised:
        parse_urn(urn)
    assert fragment in str(raised.value)


def test_raw_chinese_is_rejected_with_encoded_suggestion() -> None:
    with pytest.raises(BadRequestData) as raised:
        parse_urn("urn:ngsi-ld:Pump:310114103-泵站")
    assert "%E6%B3%B5%E7%AB%99" in str(raised.value)


def test_build_rejects_unknown_division() -> None:
    with pytest.raises(BadRequestData) as raised:
        build_urn("Pump", "310101", "1")
    assert "310101" in str(raised.value)


def test_is_district_urn() -> None:
    assert is_district_urn("urn:ngsi-ld:Case:310114001-2024-000001")
    assert not is_district_urn("urn:ngsi-ld:Building:randomUUID")


@given(
    entity_type=st.from_regex(r"[A-Za-z][A-Za-z0-9_]{0,20}", fullmatch=True),
    division=st.sampled_from(sorted(DIVISION_CODES)),
    local=st.text(min_size=1, max_size=30).filter(lambda s: "\x00" not in s),
)
def test_build_parse_round_trip(entity_type: str, division: str, local: str) -> None:
    urn = build_urn(entity_type, division, local)
    parts = parse_urn(urn)
    assert parts.entity_type == entity_type
    assert parts.division_code == division
    assert parts.local == local
    assert parts.entity_id == urn
