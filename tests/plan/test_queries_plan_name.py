"""The plan's name, read from the title of the last imported task list."""

from __future__ import annotations

import pytest

from citybase.core.audit import Actor
from citybase.plan.models import PlanImport
from citybase.plan.queries import plan_name


def _import_titled(db, title: str | None) -> None:
    with db.session(Actor("cli", "test")) as session:
        session.add(PlanImport(file_name="list.txt", file_sha256="0" * 64, file_format="txt", actor_name="test",
                               summary={"title": title}))


@pytest.mark.parametrize(("title", "name"), [
    ("嘉定区城市数字化转型行动方案（2021-2023年）工作任务清单", "嘉定区城市数字化转型行动方案（2021-2023年）"),
    ("嘉定区数字经济三年行动计划重点任务清单", "嘉定区数字经济三年行动计划"),
    ("嘉定区城市数字化转型行动方案", "嘉定区城市数字化转型行动方案"),
    ("  任务清单 ", "任务清单"),
])
def test_plan_name_drops_list_ending(db, title, name) -> None:
    _import_titled(db, title)
    with db.session() as session:
        assert plan_name(session) == name


def test_plan_name_uses_last_import(db) -> None:
    with db.session() as session:
        assert plan_name(session) is None
    _import_titled(db, "旧方案工作任务清单")
    _import_titled(db, None)
    with db.session() as session:
        assert plan_name(session) is None
    _import_titled(db, "新方案工作任务清单")
    with db.session() as session:
        assert plan_name(session) == "新方案"
