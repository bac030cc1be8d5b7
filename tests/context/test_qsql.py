"""The compiled q conditions, run on SQLite or on PostgreSQL (CITYBASE_TEST_DATABASE_URL)."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import JSON, Column, Connection, Integer, MetaData, Table, select
from sqlalchemy.dialects.postgresql import JSONB

from citybase.context.errors import BadRequestData
from citybase.context.query.qlang import parse_q
from citybase.context.query.qsql import QCompiler

V = "https://uri.etsi.org/ngsi-ld/default-context/"


def prop(value, **extra):
    return [{"type": "Property", "value": value, **extra}]


ENTITIES = {
    1: {V + "temperature": prop(21.5, observedAt="2024-05-01T08:00:00Z", unitCode="CEL"),
        V + "status": prop("ok"),
        V + "name": prop("南翔镇泵站"),
        V + "refDevice": [{"type": "Relationship", "object": "urn:ngsi-ld:Device:310114102-1"}],
        V + "address": prop({"addressLocality": "嘉定", "streetAddress": "博乐路 1 号"}),
        V + "tags": prop(["flood", "pump"]),
        V + "open": prop(True)},
    2: {V + "temperature": prop(18, observedAt="2024-05-02T08:00:00Z"),
        V + "status": prop("warn"),
        V + "name": prop("安亭泵站"),
        V + "refDevice": [{"type": "Relationship", "object": "urn:ngsi-ld:Device:310114103-2"}],
        V + "tags": prop(["pump"]),
        V + "open": prop(False),
        V + "level": [{"type": "Property", "value": 3.2,
                       V + "accuracy": {"type": "Property", "value": 0.05}}]},
    3: {V + "temperature": prop("n/a"),
        V + "status": prop("ok"),
        V + "dateObserved": prop({"@type": "DateTime", "@value": "2024-05-03T00:00:00Z"})},
    4: {V + "status": prop("off")},
}


@pytest.fixture
def table(json_connection: Connection) -> Table:
    metadata = MetaData()
    table = Table(
        "q_entities", metadata,
        Column("pk", Integer, primary_key=True),
        Column("data", JSON().with_variant(JSONB(), "postgresql")),
        prefixes=["TEMPORARY"],
    )
    metadata.create_all(json_connection)
    json_connection.execute(table.insert(), [{"pk": pk, "data": data} for pk, data in ENTITIES.items()])
    return table


def run(connection: Connection, table: Table, q: str) -> list[int]:
    compiler = QCompiler(connection.dialect.name, table.c.data, lambda name: V + name)
    condition = compiler.compile(parse_q(q))
    rows = connection.execute(select(table.c.pk).where(condition).order_by(table.c.pk))
    return [row.pk for row in rows]


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("temperature>20", [1]),
        ("temperature>=18", [1, 2]),
        ("temperature<100", [1, 2]),
        ("temperature==18", [2]),
        ("temperature==18.0", [2]),
        ("temperature!=18", [1, 3]),
        ("temperature==15..22", [1, 2]),
        ('status=="ok"', [1, 3]),
        ("status==ok", [1, 3]),
        ('status=="ok","warn"', [1, 2, 3]),
        ('status!="ok"', [2, 4]),
        ('status=="ok";temperature>20', [1]),
        ('status=="off"|temperature<20', [2, 4]),
        ('(status=="ok"|status=="warn");temperature>=18', [1, 2]),
        ("refDevice==urn:ngsi-ld:Device:310114102-1", [1]),
        ('refDevice=="urn:ngsi-ld:Device:310114103-2"', [2]),
        ("refDevice!=urn:ngsi-ld:Device:310114102-1", [2]),
        ('address[addressLocality]=="嘉定"', [1]),
        ("tags==flood", [1]),
        ('tags=="pump"', [1, 2]),
        ("open==true", [1]),
        ("open==false", [2]),
        ("level.accuracy<0.1", [2]),
        ("temperature.observedAt>=2024-05-02T00:00:00Z", [2]),
        ("temperature.observedAt<2024-05-02", [1]),
        ('temperature.unitCode=="CEL"', [1]),
        ("dateObserved>2024-05-02T00:00:00+08:00", [3]),
        ("level", [2]),
        ("level.accuracy", [2]),
        ("name~=^南翔", [1]),
        ("name~=泵站$", [1, 2]),
        ("name!~=^南翔", [2]),
        ('temperature>"m"', [3]),
        ("missing==1", []),
    ],
)
def test_q_selects_expected_entities(json_connection: Connection, table: Table, q: str, expected: list[int]) -> None:
    assert run(json_connection, table, q) == expected


def test_string_value_never_matches_number_comparison(json_connection: Connection, table: Table) -> None:
    assert 3 not in run(json_connection, table, "temperature<1000")


def test_compiler_rejects_unknown_dialect(table: Table) -> None:
    with pytest.raises(ValueError):
        QCompiler("mysql", table.c.data, str)


def test_parse_error_is_bad_request_before_sql() -> None:
    with pytest.raises(BadRequestData):
        parse_q("temperature>>2")


def test_json_values_round_trip(json_connection: Connection, table: Table) -> None:
    row = json_connection.execute(select(table.c.data).where(table.c.pk == 1)).one()
    data = row.data if isinstance(row.data, dict) else json.loads(row.data)
    assert data[V + "name"][0]["value"] == "南翔镇泵站"


def test_impossible_date_value_is_not_a_match_or_error(json_connection: Connection, table: Table) -> None:
    json_connection.execute(table.insert(), [{"pk": 9, "data": {V + "day": prop("2024-13-45")}}])
    if json_connection.dialect.name == "sqlite":
        assert run(json_connection, table, "day>2024-01-01") == []
