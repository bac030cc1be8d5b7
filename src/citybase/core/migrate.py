"""Schema migrations: every module keeps its own Alembic branch.

Each module with a ``migrations/versions`` folder owns one branch labelled with the
module name; its first revision depends on core's first one. ``upgrade`` applies
all heads, then runs each module's ``on_upgrade`` hook (seed data), in one call.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Table

from citybase.core import registry
from citybase.core.db import Base, Database

logger = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


def alembic_config(db: Database) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    locations = [str(m.migrations_dir) for m in registry.modules() if m.migrations_dir]
    config.set_main_option("version_locations", " ".join(locations))
    config.set_main_option("path_separator", "space")
    config.attributes["database"] = db
    return config


def _run(db: Database, fn: Any, *args: Any, **kwargs: Any) -> None:
    """Run the Alembic command ``fn`` in one transaction.

    On SQLite, Alembic alters a table by copying it and dropping the old one. With
    foreign keys enforced, that DROP deletes the rows that refer to the table (or fails
    on them), e.g. every API token and session when ``users`` gains a column. So the
    check is off while migrating and the whole database is checked before commit.
    """
    config = alembic_config(db)
    sqlite = db.dialect == "sqlite"
    with db.engine.connect() as connection:
        if sqlite:
            # The pragma has no effect inside a transaction, so it is set before one begins.
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
            connection.commit()
        try:
            with connection.begin():
                if sqlite:
                    # pysqlite opens transactions only before INSERT, UPDATE and DELETE, so
                    # without this BEGIN each CREATE and DROP would commit on its own and a
                    # failed migration would leave half its tables behind.
                    connection.exec_driver_sql("BEGIN")
                config.attributes["connection"] = connection
                fn(config, *args, **kwargs)
                if sqlite:
                    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                    if broken:
                        raise RuntimeError(f"migration failed and was rolled back: {len(broken)} rows violate a foreign key "
                                           f"(table, rowid, parent table, key index): {broken[:10]}")
        finally:
            if sqlite:
                connection.exec_driver_sql("PRAGMA foreign_keys=ON")
                connection.commit()


def upgrade(db: Database) -> None:
    """Apply every module's migrations, then seed reference data."""
    _run(db, command.upgrade, "heads")
    with db.session() as session:
        for module in registry.modules():
            for hook in module.on_upgrade:
                hook(session)
    logger.info("database at %s is up to date", db.engine.url.render_as_string(hide_password=True))


def current_heads(db: Database) -> set[str]:
    with db.engine.connect() as connection:
        return set(MigrationContext.configure(connection).get_current_heads())


def script_heads(db: Database) -> set[str]:
    return set(ScriptDirectory.from_config(alembic_config(db)).get_heads())


def owning_module(table: Table) -> str | None:
    """Return the name of the module whose models define ``table`` (longest package match)."""
    owner: str | None = None
    best = -1
    for mapper in Base.registry.mappers:
        if mapper.local_table is not table:
            continue
        for module in registry.modules():
            package = module.package
            source = mapper.class_.__module__
            if (source == package or source.startswith(package + ".")) and len(package) > best:
                owner, best = module.name, len(package)
    return owner


def revision(db: Database, module_name: str, message: str, rev_id: str | None = None) -> None:
    """Autogenerate a revision of ``module_name``'s tables on its own branch."""
    module = registry.get_module(module_name)
    folder = module.path / "migrations" / "versions"
    folder.mkdir(parents=True, exist_ok=True)
    (folder.parent / "__init__.py").touch()
    branch_of = {rev.revision: rev for rev in ScriptDirectory.from_config(alembic_config(db)).walk_revisions()}
    on_branch = any(module_name in (rev.branch_labels or ()) for rev in branch_of.values())

    def include_object(obj: Any, name: str, type_: str, reflected: bool, compare_to: Any) -> bool:
        table = obj if type_ == "table" else getattr(obj, "table", None)
        if isinstance(table, Table) and table.name in Base.metadata.tables:
            return owning_module(Base.metadata.tables[table.name]) == module_name
        return not reflected

    config = alembic_config(db)
    locations = config.get_main_option("version_locations") or ""
    if str(folder) not in locations.split(" "):
        config.set_main_option("version_locations", f"{locations} {folder}".strip())
    with db.engine.begin() as connection:
        config.attributes["connection"] = connection
        config.attributes["include_object"] = include_object
        if on_branch:
            command.revision(config, message=message, autogenerate=True, head=f"{module_name}@head", rev_id=rev_id)
        else:
            core_base = "core" if module_name != "core" else None
            command.revision(
                config, message=message, autogenerate=True, head="base",
                branch_label=module_name, version_path=str(folder),
                depends_on=core_base, rev_id=rev_id,
            )
