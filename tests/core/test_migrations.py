import pytest
from sqlalchemy import inspect, select

from citybase.core import migrate
from citybase.core.units import TOWNS, Unit, find_unit


def test_upgrade_reaches_every_head(db):
    assert migrate.current_heads(db) <= migrate.script_heads(db) | migrate.current_heads(db)
    tables = set(inspect(db.engine).get_table_names())
    assert {"units", "users", "audit_log", "plan_tasks"} <= tables


def test_upgrade_twice_changes_nothing(db):
    with db.session() as session:
        before = session.scalars(select(Unit.code)).all()
    migrate.upgrade(db)
    with db.session() as session:
        after = session.scalars(select(Unit.code)).all()
    assert sorted(before) == sorted(after)


def test_towns_seeded_with_codes(db):
    with db.session() as session:
        for town in TOWNS:
            unit = session.scalar(select(Unit).where(Unit.code == town.code))
            assert unit is not None
            assert unit.name == town.name


def test_alias_resolves_to_unit(db):
    with db.session() as session:
        by_alias = find_unit(session, "区人社局")
        by_name = find_unit(session, "区人力资源社会保障局")
        assert by_alias is not None
        assert by_alias.id == by_name.id
        assert find_unit(session, "区经委（金融办）").name == "区经委"
        assert find_unit(session, "区经委(金融办)").name == "区经委"
        assert find_unit(session, "不存在的单位") is None


def test_migration_rebuilds_referenced_table(db):
    """SQLite rebuilds a table to alter it; rows in other tables that reference it must not stop that."""
    from alembic import command

    from citybase.core.auth.models import ApiToken, User
    from tests.conftest import bearer_token, make_user

    user_id = make_user(db, "rebuilt", "viewer")
    bearer_token(db, "rebuilt")

    migrate._run(db, command.downgrade, "core_0002")
    assert "must_change_password" not in {column["name"] for column in inspect(db.engine).get_columns("users")}
    migrate.upgrade(db)

    with db.session() as session:
        assert session.get(User, user_id).username == "rebuilt"
        assert session.scalars(select(ApiToken.user_id)).all() == [user_id]
    if db.dialect == "sqlite":
        with db.engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_failed_migration_leaves_nothing(db):
    def create_then_fail(config):
        config.attributes["connection"].exec_driver_sql("CREATE TABLE half_migrated (id INTEGER)")
        raise RuntimeError("migration failed")

    with pytest.raises(RuntimeError):
        migrate._run(db, create_then_fail)

    assert "half_migrated" not in inspect(db.engine).get_table_names()
