"""orjson-backed decoding and encoding return what the standard json module returns."""

from __future__ import annotations

import json
import math

import pytest

from citybase.context import jsontext

TEXTS = [
    '{"a": 12345678901234567890123}',
    '{"a": -9223372036854775809, "b": 18446744073709551615}',
    '[1.5, "x", null, true, 1e-7, 1E+16, -0.0]',
    '{"a": "\\ud800", "b": "南翔", "c": "\\u00e9"}',
    '{"urn": "urn:ngsi-ld:Device:310114102-0000000000000000001"}',
    "[]",
]


@pytest.mark.parametrize("text", TEXTS)
def test_decode_matches_json(text: str) -> None:
    decoded = jsontext.decode(text)
    assert repr(decoded) == repr(json.loads(text))
    assert repr(jsontext.decode(text.encode("utf-8", "surrogatepass"))) == repr(json.loads(text))


def test_decode_accepts_nan_literals() -> None:
    decoded = jsontext.decode("[NaN, Infinity, -Infinity]")
    assert math.isnan(decoded[0])
    assert decoded[1:] == [math.inf, -math.inf]


def test_decode_array_reads_nulls() -> None:
    assert jsontext.decode_array(['{"x": 1}', None, "[2]"]) == [{"x": 1}, None, [2]]
    assert jsontext.decode_array([]) == []


def test_encode_matches_starlette() -> None:
    body = [{"id": "urn:ngsi-ld:Device:南翔-1", "value": 21.5, "flags": [True, None], "n": 7}]
    expected = json.dumps(body, ensure_ascii=False, allow_nan=False, indent=None, separators=(",", ":"))
    assert jsontext.encode(body) == expected.encode("utf-8")


def test_encode_falls_back_for_big_integers() -> None:
    body = {"value": 10**30, 1: "x"}
    assert jsontext.encode(body) == b'{"value":1000000000000000000000000000000,"1":"x"}'


def test_postgresql_columns_use_decode(db) -> None:
    """On PostgreSQL, json and jsonb columns decode through jsontext (big integers intact)."""
    from sqlalchemy import text

    jsontext.install_for_postgresql()
    # Connections opened before the install keep psycopg's default loader.
    db.engine.dispose()
    with db.session() as session:
        if session.get_bind().dialect.name != "postgresql":
            return
        value = session.scalar(text("SELECT CAST('{\"n\": 12345678901234567890123, \"x\": [1.5]}' AS jsonb)"))
        adapters = session.connection().connection.dbapi_connection.adapters
        loaders = [adapters.get_loader(3802, data_format) for data_format in (0, 1)]
    assert value == {"n": 12345678901234567890123, "x": [1.5]}
    for loader in loaders:
        assert loader is not None
        assert loader._loads is jsontext.decode
