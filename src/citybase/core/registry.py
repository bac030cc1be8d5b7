"""The module registry: how core and every module declare what they add.

Each module has a ``module.py`` holding ``module = Module(...)``; the registry finds
them under the ``citybase`` package (and in the ``citybase.modules`` entry-point
group for outside plugins) and collects their routers, CLI commands, navigation,
permissions, live metrics, background jobs, page panels, models and migrations. Built-in
modules use the same path a plugin would.
"""

from __future__ import annotations

import datetime as dt
import importlib
import logging
import pkgutil
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from importlib.metadata import entry_points
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import typer
    from fastapi import APIRouter, FastAPI, Request
    from sqlalchemy.orm import Session

    from citybase.core.auth.deps import Principal

    from citybase.core.db import Database

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class NavEntry:
    """A link in the main navigation; ``label`` is a msgid."""

    label: str
    path: str
    permission: str | None = None
    order: int = 100


@dataclass(frozen=True)
class MetricValue:
    value: Decimal
    at: dt.datetime


@dataclass(frozen=True)
class LiveMetric:
    """A value the platform measures itself, which a plan indicator can be bound to."""

    key: str
    label: str  # msgid
    unit: str
    read: Callable[[Session], MetricValue]
    description: str = ""  # msgid


@dataclass(frozen=True)
class Job:
    """Scheduled work run by ``citybase worker`` every ``interval_seconds``."""

    name: str
    interval_seconds: float
    run: Callable[[Database, dt.datetime], Any]


# The slot of the home page (/): each module may add what its users should do today.
HOME_SLOT = "home"


@dataclass(frozen=True)
class PagePanel:
    """A section that one module adds to a page of another module.

    ``slot`` names the page, e.g. ``plan.task`` (the plan's task page, whose subject
    is the ``Task``) or ``home`` (the home page, 工作台, whose subject is None; see
    ``HOME_SLOT``). The page calls ``build(request, session, principal, subject)``,
    which returns the context of ``template``, or None to show nothing to this user.
    Pages render panels with ``citybase.web.templating.render_panels``, so the page's
    module imports nothing of the module that adds the panel. Panels of one slot come
    in ``order``, then in module order.
    """

    slot: str
    template: str
    build: Callable[[Request, Session, Principal, Any], dict[str, Any] | None]
    order: int = 100


@dataclass
class Module:
    """What one module adds to the platform."""

    name: str
    label: str  # msgid
    package: str
    models: Sequence[str] = ()
    routers: Sequence[APIRouter] = ()
    cli: typer.Typer | None = None
    cli_name: str | None = None
    nav: Sequence[NavEntry] = ()
    permissions: dict[str, frozenset[str]] = field(default_factory=dict)
    # msgid of each permission's name, shown on 403 pages instead of the dotted code.
    permission_labels: dict[str, str] = field(default_factory=dict)
    metrics: Sequence[LiveMetric] = ()
    jobs: Sequence[Job] = ()
    panels: Sequence[PagePanel] = ()
    on_startup: Sequence[Callable[[FastAPI], None]] = ()
    # Called after migrations with an open session, e.g. to seed reference data.
    on_upgrade: Sequence[Callable[[Session], None]] = ()
    order: int = 100

    @property
    def path(self) -> Path:
        spec = importlib.util.find_spec(self.package)
        assert spec is not None and spec.submodule_search_locations is not None
        return Path(next(iter(spec.submodule_search_locations)))

    @property
    def migrations_dir(self) -> Path | None:
        folder = self.path / "migrations" / "versions"
        return folder if folder.is_dir() else None

    @property
    def templates_dir(self) -> Path | None:
        folder = self.path / "templates"
        return folder if folder.is_dir() else None

    @property
    def locale_dir(self) -> Path | None:
        folder = self.path / "locale"
        return folder if folder.is_dir() else None


def _discover_builtin() -> list[str]:
    import citybase

    names = []
    for info in pkgutil.walk_packages(citybase.__path__, "citybase."):
        if info.name.endswith(".module") and not info.ispkg:
            names.append(info.name)
    return sorted(names)


@lru_cache(maxsize=1)
def modules() -> tuple[Module, ...]:
    """Return every registered module, core first, in ``order`` then name."""
    found: list[Module] = []
    for name in _discover_builtin():
        found.append(importlib.import_module(name).module)
    for point in entry_points(group="citybase.modules"):
        found.append(point.load())
    for module in found:
        for models in module.models:
            importlib.import_module(models)
    found.sort(key=lambda m: (m.order, m.name))
    logger.debug("modules registered: %s", [m.name for m in found])
    return tuple(found)


def get_module(name: str) -> Module:
    for module in modules():
        if module.name == name:
            return module
    raise KeyError(f"no module named {name!r}; registered: {[m.name for m in modules()]}")


def permissions() -> dict[str, frozenset[str]]:
    merged: dict[str, frozenset[str]] = {}
    for module in modules():
        for perm, roles in module.permissions.items():
            merged[perm] = merged.get(perm, frozenset()) | roles
    return merged


def permission_labels() -> dict[str, str]:
    """Return the msgid of every registered permission's name, keyed by the permission."""
    return {perm: label for module in modules() for perm, label in module.permission_labels.items()}


def live_metrics() -> dict[str, LiveMetric]:
    return {metric.key: metric for module in modules() for metric in module.metrics}


def jobs() -> list[Job]:
    return [job for module in modules() for job in module.jobs]


def panels(slot: str) -> list[PagePanel]:
    """Return the panels every module adds to ``slot``, in module order then ``order``."""
    found = [panel for module in modules() for panel in module.panels if panel.slot == slot]
    return sorted(found, key=lambda panel: panel.order)


def navigation() -> list[NavEntry]:
    entries = [entry for module in modules() for entry in module.nav]
    return sorted(entries, key=lambda e: e.order)
