"""Resolve unit names as a task list writes them to unit records.

Names and aliases come from core's unit table (区人社局 is 区人力资源社会保障局,
各相关街镇 is the placeholder 相关街镇). A name that matches nothing becomes a new
department record, and the import summary lists it so the digital office can check
it or turn it into an alias.
"""

from __future__ import annotations

import logging

from sqlalchemy import select
from sqlalchemy.orm import Session

from citybase.core.units import KIND_DEPARTMENT, Unit, UnitAlias, next_department_code, normalize_unit_name

logger = logging.getLogger(__name__)


def known_unit_names(session: Session) -> set[str]:
    """Return every unit name and alias on record."""
    names = set(session.scalars(select(Unit.name)))
    names.update(session.scalars(select(UnitAlias.alias)))
    return names


class UnitResolver:
    """Resolves names against all units and aliases, loaded once, and creates the missing."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.created: list[Unit] = []
        self.cache: dict[str, Unit] = {}
        for unit in session.scalars(select(Unit)):
            self.cache[normalize_unit_name(unit.name)] = unit
        for alias in session.scalars(select(UnitAlias)):
            self.cache.setdefault(normalize_unit_name(alias.alias), alias.unit)

    def resolve(self, name: str) -> Unit:
        key = normalize_unit_name(name)
        unit = self.cache.get(key)
        if unit is None:
            unit = self._create(key)
            self.cache[key] = unit
        return unit

    def _create(self, name: str) -> Unit:
        unit = Unit(code=next_department_code(self.session), name=name, kind=KIND_DEPARTMENT)
        self.session.add(unit)
        self.session.flush()
        self.created.append(unit)
        logger.info("created unit %s %s from the task list", unit.code, unit.name)
        return unit
