"""The typed attribute-value index: kept by every write path, same q results as the JSON path.

Runs on SQLite, or on PostgreSQL when CITYBASE_TEST_DATABASE_URL is set. Random
entities go through the broker's real write operations (create, append, update,
merge-patch, replace, attribute delete, upsert, entity delete). Random q comparisons
must then select the same entities three ways: compiled to the value index, compiled
to the JSON document only, and evaluated in plain Python.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from alembic import command
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import column as text_column
from sqlalchemy import delete, func, select
from sqlalchemy import table as text_table

from citybase.context.entity_expand import ExpandedEntity
from citybase.context.models import CtxAttrValue, CtxEntity
from citybase.context.query.qlang import Condition, Range, Value, ValueList, parse_q
from citybase.context.query.qsql import QCompiler
from citybase.context.service.entities import Workspace
from citybase.context.service.store import EntityStore
from citybase.context.valueindex import MAX_TEXT, value_rows
from citybase.core import migrate
from citybase.core.db import Database

V = "https://uri.etsi.org/ngsi-ld/default-context/"
NAMES = ("level", "state", "tags", "owner")
TYPE = V + "Device"

# ---- random attributes ----------------------------------------------------------------------

numbers = st.one_of(st.integers(-5, 5), st.sampled_from([-1.5, 0.0, 0.5, 2.25, 3.0, 1e6]))
texts = st.sampled_from(["ok", "fault", "Fault", "a b", "南翔", "", "urn:x:1", "x" * (MAX_TEXT + 1)])
scalars = st.one_of(numbers, texts, st.booleans())
values = st.one_of(scalars, st.lists(scalars, max_size=3), st.just({"k": 1}), st.just([[1, 2]]))
uris = st.sampled_from(["urn:x:1", "urn:x:2", "urn:ngsi-ld:Device:310114102-7"])


@st.composite
def instances(draw: Any) -> list[dict[str, Any]]:
    if draw(st.integers(0, 4)) == 0:
        target = draw(st.one_of(uris, st.lists(uris, min_size=1, max_size=2)))
        first: dict[str, Any] = {"type": "Relationship", "object": target}
    else:
        first = {"type": "Property", "value": draw(values)}
    result = [first]
    if draw(st.booleans()):
        result.append({"type": "Property", "value": draw(values), "datasetId": "urn:ds:1"})
    return result


attribute_sets = st.dictionaries(st.sampled_from([V + n for n in NAMES]), instances(), max_size=4)

OPERATIONS = ("append", "update", "merge", "replace", "delete_attr", "upsert", "delete", "create")


@st.composite
def scenarios(draw: Any) -> tuple[list[dict[str, Any]], list[tuple[str, int, Any]]]:
    count = draw(st.integers(1, 6))
    created = [draw(attribute_sets) for _ in range(count)]
    steps = draw(st.lists(st.tuples(st.sampled_from(OPERATIONS), st.integers(0, count - 1), attribute_sets),
                          max_size=6))
    return created, steps


# ---- random q comparisons -------------------------------------------------------------------

def _literal(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if value.startswith("urn:"):
        return value
    return '"' + value + '"'


operand_scalars = st.one_of(st.integers(-5, 5), st.sampled_from([0.5, 2.25, 3.0, -1.5]),
                            st.sampled_from(["ok", "fault", "南翔", "a b", "urn:x:1", "urn:x:2"]), st.booleans())


@st.composite
def comparisons(draw: Any) -> str:
    name = draw(st.sampled_from(NAMES))
    shape = draw(st.sampled_from(["eq", "order", "range", "list"]))
    if shape == "order":
        operator = draw(st.sampled_from(["<", "<=", ">", ">="]))
        return f"{name}{operator}{_literal(draw(st.one_of(st.integers(-5, 5), st.sampled_from([0.5, 2.25]))))}"
    if shape == "range":
        low = draw(st.integers(-5, 5))
        return f"{name}=={low}..{low + draw(st.integers(0, 4))}"
    if shape == "list":
        items = draw(st.lists(operand_scalars, min_size=2, max_size=3))
        return f"{name}==" + ",".join(_literal(v) for v in items)
    return f"{name}=={_literal(draw(operand_scalars))}"


@st.composite
def queries(draw: Any) -> str:
    parts = draw(st.lists(comparisons(), min_size=1, max_size=3))
    joiner = draw(st.sampled_from([";", "|"]))
    return joiner.join(parts)


# ---- plain-Python evaluation ----------------------------------------------------------------

def _scalar_equals(stored: Any, operand: Value) -> bool:
    if operand.kind == "boolean":
        return isinstance(stored, bool) and stored == operand.value
    if operand.kind == "number":
        return isinstance(stored, (int, float)) and not isinstance(stored, bool) and stored == operand.value
    return isinstance(stored, str) and stored == str(operand.value)


def _equals(stored: Any, operand: Value) -> bool:
    if isinstance(stored, list):
        return any(_scalar_equals(item, operand) for item in stored)
    return _scalar_equals(stored, operand)


def _number(stored: Any) -> float | None:
    if isinstance(stored, (int, float)) and not isinstance(stored, bool) and math.isfinite(stored):
        return stored
    return None


def _condition_holds(attrs: dict[str, list[dict[str, Any]]], condition: Condition) -> bool:
    instances = attrs.get(V + condition.path.attribute)
    if not instances:
        return False
    instance = instances[0]
    value = instance.get("value", _MISSING)
    target = instance.get("object", _MISSING)
    operand = condition.operand
    if condition.operator != "==":
        number = _number(value)
        assert isinstance(operand, Value)
        if number is None:
            return False
        return {"<": number < operand.value, "<=": number <= operand.value,  # type: ignore[operator]
                ">": number > operand.value, ">=": number >= operand.value}[condition.operator]  # type: ignore[operator]
    if isinstance(operand, Range):
        number = _number(value)
        return number is not None and operand.low.value <= number <= operand.high.value  # type: ignore[operator]
    items = operand.values if isinstance(operand, ValueList) else (operand,)
    with_object = any(v.kind in ("string", "uri") for v in items)  # type: ignore[union-attr]
    return any(
        (value is not _MISSING and _equals(value, v))
        or (with_object and target is not _MISSING and _equals(target, v))
        for v in items  # type: ignore[union-attr]
    )


_MISSING = object()


def _holds(attrs: dict[str, list[dict[str, Any]]], node: Any) -> bool:
    if isinstance(node, Condition):
        return _condition_holds(attrs, node)
    results = [_holds(attrs, item) for item in node.items]
    return all(results) if type(node).__name__ == "And" else any(results)


# ---- the test -------------------------------------------------------------------------------

def _apply(db: Database, created: list[dict[str, Any]], steps: list[tuple[str, int, Any]]) -> None:
    now = dt.datetime(2024, 5, 1, tzinfo=dt.UTC)
    ids = [f"urn:ngsi-ld:Device:vi-{n}" for n in range(len(created))]
    with db.session() as session:
        workspace = Workspace(session, now)
        for entity_id, attrs in zip(ids, created, strict=True):
            workspace.create(ExpandedEntity(entity_id, [TYPE], attrs))
        workspace.commit()
    for position, (operation, number, attrs) in enumerate(steps):
        entity_id = ids[number]
        with db.session() as session:
            workspace = Workspace(session, now + dt.timedelta(seconds=position + 1))
            exists = workspace.get(entity_id) is not None
            if operation == "create" and not exists:
                workspace.create(ExpandedEntity(entity_id, [TYPE], attrs))
            elif operation == "upsert":
                workspace.upsert(ExpandedEntity(entity_id, [TYPE], attrs), replace=position % 2 == 0)
            elif not exists:
                continue
            elif operation == "append":
                workspace.append(entity_id, attrs, overwrite=position % 2 == 0)
            elif operation == "update":
                workspace.update(entity_id, attrs)
            elif operation == "merge":
                current = workspace.require(entity_id).attrs
                workspace.merge(entity_id, ExpandedEntity(entity_id, [TYPE], attrs), sorted(current)[:1])
            elif operation == "replace":
                workspace.replace(entity_id, ExpandedEntity(entity_id, [TYPE], attrs))
            elif operation == "delete_attr":
                current = workspace.require(entity_id).attrs
                if current:
                    name = sorted(current)[0]
                    dataset = current[name][-1].get("datasetId")
                    workspace.delete_attribute(entity_id, name, dataset, delete_all=position % 2 == 0)
            elif operation == "delete":
                workspace.delete(entity_id)
            workspace.commit()


def _select(session: Any, q: str, indexed: bool) -> set[str]:
    dialect = session.get_bind().dialect.name
    compiler = QCompiler(dialect, CtxEntity.attrs, lambda name: V + name, CtxEntity.pk if indexed else None)
    return set(session.scalars(select(CtxEntity.entity_id).where(compiler.compile(parse_q(q)))))


def _clear(db: Database) -> None:
    with db.session() as session:
        store = EntityStore(session)
        store.delete(list(store.load_by_pk(list(session.scalars(select(CtxEntity.pk))))))


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(scenario=scenarios(), qs=st.lists(queries(), min_size=1, max_size=6))
def test_index_matches_json_and_python(db: Database, scenario: Any, qs: list[str]) -> None:
    created, steps = scenario
    _clear(db)
    _apply(db, created, steps)
    with db.session() as session:
        stored = {row.entity_id: row.attrs for row in session.scalars(select(CtxEntity))}
        # The index contains exactly the rows the stored documents call for.
        pks = {row.entity_id: row.pk for row in session.scalars(select(CtxEntity))}
        expected_rows = sorted(
            (r["entity_pk"], r["attr_iri"], r["kind"], r["num"], r["txt"])
            for entity_id, attrs in stored.items() for r in value_rows(pks[entity_id], attrs)
        )
        actual_rows = sorted(tuple(r) for r in session.execute(select(CtxAttrValue.entity_pk, CtxAttrValue.attr_iri, CtxAttrValue.kind,
                                                    CtxAttrValue.num, CtxAttrValue.txt)))
        assert actual_rows == expected_rows
        for q in qs:
            expected = {entity_id for entity_id, attrs in stored.items() if _holds(attrs, parse_q(q))}
            assert _select(session, q, indexed=True) == expected, q
            assert _select(session, q, indexed=False) == expected, q


def test_benchmark_query_skips_json(db: Database) -> None:
    """The compiled type-and-two-conditions query reads the index, not the JSON document."""
    with db.session() as session:
        compiler = QCompiler(session.get_bind().dialect.name, CtxEntity.attrs, lambda name: V + name, CtxEntity.pk)
        sql = str(compiler.compile(parse_q('value>95.5;deviceState=="fault"')).compile(session.get_bind()))
    assert "ctx_attr_values" in sql
    assert "json" not in sql.lower()
    assert "#>" not in sql


def test_unindexed_conditions_read_json(db: Database) -> None:
    with db.session() as session:
        compiler = QCompiler(session.get_bind().dialect.name, CtxEntity.attrs, lambda name: V + name, CtxEntity.pk)
        for q in ("state!=1", "state~=^o", "state", "state.observedAt>2024-01-01T00:00:00Z",
                  "address[city]==x", 'state>"m"', "state==2024-05-01"):
            sql = str(compiler.compile(parse_q(q)).compile(session.get_bind()))
            assert "ctx_attr_values" not in sql, q


def test_migration_backfills_the_index_from_stored_entities(db: Database) -> None:
    now = dt.datetime(2024, 5, 1, tzinfo=dt.UTC)
    with db.session() as session:
        workspace = Workspace(session, now)
        workspace.create(ExpandedEntity("urn:ngsi-ld:Device:bf-1", [TYPE], {
            V + "level": [{"type": "Property", "value": 3.5}],
            V + "tags": [{"type": "Property", "value": ["a", 2, True]}],
            V + "owner": [{"type": "Relationship", "object": "urn:x:1"}],
        }))
        workspace.commit()
    with db.session() as session:
        before = sorted(tuple(r) for r in session.execute(select(CtxAttrValue.attr_iri, CtxAttrValue.kind, CtxAttrValue.num,
                                               CtxAttrValue.txt)))
    assert len(before) == 5
    migrate._run(db, command.downgrade, "context_0001")
    migrate._run(db, command.upgrade, "heads")
    with db.session() as session:
        after = sorted(tuple(r) for r in session.execute(select(CtxAttrValue.attr_iri, CtxAttrValue.kind, CtxAttrValue.num,
                                              CtxAttrValue.txt)))
        assert after == before
        session.execute(delete(CtxAttrValue))
        assert session.scalar(select(func.count()).select_from(CtxAttrValue)) == 0


def test_bulk_writes_vacuum_postgresql_tables(db: Database, monkeypatch: Any) -> None:
    """After enough entity writes the tables are vacuumed and analyzed on PostgreSQL (SQLite needs neither)."""
    from citybase.context.service import maintenance

    monkeypatch.setattr(maintenance, "_next_mark", 2)
    monkeypatch.setattr(maintenance, "_writes_since_vacuum", 0)
    dialect = db.engine.dialect.name

    def counts() -> tuple[int, int]:
        if dialect != "postgresql":
            return 0, 0
        with db.session() as session:
            row = session.execute(select(func.coalesce(func.sum(text_column("vacuum_count")), 0),
                                         func.coalesce(func.sum(text_column("analyze_count")), 0))
                                  .select_from(text_table("pg_stat_user_tables"))
                                  .where(text_column("relname") == "ctx_attr_values")).one()
            return int(row[0]), int(row[1])

    before = counts()
    now = dt.datetime(2024, 5, 1, tzinfo=dt.UTC)
    with db.session() as session:
        workspace = Workspace(session, now)
        for n in range(3):
            workspace.create(ExpandedEntity(f"urn:ngsi-ld:Device:an-{n}", [TYPE],
                                            {V + "level": [{"type": "Property", "value": n}]}))
        workspace.commit()
    assert maintenance.wait(30)
    if dialect == "postgresql":
        assert maintenance._writes_since_vacuum == 0
        assert maintenance._next_mark == 8
        assert counts() == (before[0] + 1, before[1] + 1)
    else:
        assert maintenance._writes_since_vacuum == 0
        assert maintenance._next_mark == 2


def test_idle_writes_vacuum_postgresql_tables(db: Database, monkeypatch: Any) -> None:
    """Writes below the next mark are vacuumed once no write has committed for IDLE_SECONDS."""
    import time

    from citybase.context.service import maintenance

    monkeypatch.setattr(maintenance, "IDLE_MIN_WRITES", 2)
    monkeypatch.setattr(maintenance, "IDLE_SECONDS", 0.2)
    monkeypatch.setattr(maintenance, "_next_mark", 100)
    monkeypatch.setattr(maintenance, "_writes_since_vacuum", 0)
    now = dt.datetime(2024, 5, 1, tzinfo=dt.UTC)
    with db.session() as session:
        workspace = Workspace(session, now)
        for n in range(3):
            workspace.create(ExpandedEntity(f"urn:ngsi-ld:Device:idle-{n}", [TYPE],
                                            {V + "level": [{"type": "Property", "value": n}]}))
        workspace.commit()
    if db.engine.dialect.name != "postgresql":
        assert maintenance._writes_since_vacuum == 0
        return
    assert maintenance._writes_since_vacuum == 3
    deadline = time.monotonic() + 10
    while maintenance._writes_since_vacuum and time.monotonic() < deadline:
        time.sleep(0.05)
    assert maintenance.wait(30)
    assert maintenance._writes_since_vacuum == 0
    assert maintenance._next_mark == 100
