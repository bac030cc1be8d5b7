import hashlib
import io

import pytest
from plan_builder import field_text, shanghai
from sqlalchemy import select

from citybase.core.auth.models import User
from citybase.plan.supervision import evidence, periods, reports
from citybase.plan.supervision.errors import InvalidInput, Conflict, NotFound, PermissionDenied
from citybase.plan.supervision.models import EvidenceFile
from citybase.plan.supervision.settings import SupervisionSettings

NOW = shanghai(2022, 6, 2, 10)
SMALL = SupervisionSettings(_env_file=None, evidence_max_mb=1)


def _draft(db, plan):
    with db.session() as session:
        science = session.get(User, plan.users["science"])
        period = periods.period_by_key(session, "2022-05")
        return reports.open_report(session, science, plan.tasks["network"], period, NOW).id


def _upload(session, plan, user, report_id, data_dir, name="基站清单.pdf", content=b"%PDF-1.7 test", settings=SMALL):
    user = session.get(User, plan.users[user])
    return evidence.add_evidence(session, user, report_id, name, io.BytesIO(content), "application/pdf", NOW, data_dir, settings)


def test_upload_stored_with_hash(db, plan, data_dir):
    report_id = _draft(db, plan)
    with db.session() as session:
        row = _upload(session, plan, "science", report_id, data_dir)
        stored = data_dir / "evidence" / row.stored_path
        assert stored.read_bytes() == b"%PDF-1.7 test"
        assert row.sha256 == hashlib.sha256(b"%PDF-1.7 test").hexdigest()
        assert row.size_bytes == 13
        assert row.file_name == "基站清单.pdf"
        assert row.unit_id == plan.units["science"]
        assert row.report.events[-1].action == "evidence_add"


def test_path_in_name_stripped(db, plan, data_dir):
    report_id = _draft(db, plan)
    with db.session() as session:
        row = _upload(session, plan, "science", report_id, data_dir, name="C:\\Users\\a\\..\\清单.xlsx")
        assert row.file_name == "清单.xlsx"
        assert ".." not in row.stored_path


def test_wrong_type_rejected(db, plan, data_dir):
    report_id = _draft(db, plan)
    with db.session() as session:
        with pytest.raises(InvalidInput) as caught:
            _upload(session, plan, "science", report_id, data_dir, name="run.exe")
        error = caught.value.errors[0]
        assert error.field == "file"
        assert error.value == "run.exe"
        assert "pdf" in field_text(error)
    assert not (data_dir / "evidence").exists()


def test_oversize_rejected_no_leftovers(db, plan, data_dir):
    report_id = _draft(db, plan)
    with db.session() as session:
        with pytest.raises(InvalidInput) as caught:
            _upload(session, plan, "science", report_id, data_dir, content=b"x" * (1024 * 1024 + 1))
        assert "1 MiB" in field_text(caught.value.errors[0])
        assert session.scalars(select(EvidenceFile)).all() == []
    leftovers = [path for path in (data_dir / "evidence").rglob("*") if path.is_file()]
    assert leftovers == []


def test_empty_file_rejected(db, plan, data_dir):
    report_id = _draft(db, plan)
    with db.session() as session:
        with pytest.raises(InvalidInput):
            _upload(session, plan, "science", report_id, data_dir, content=b"")


def test_cooperator_may_attach(db, plan, data_dir):
    report_id = _draft(db, plan)
    with db.session() as session:
        row = _upload(session, plan, "nanxiang", report_id, data_dir)
        assert row.unit_id == plan.units["nanxiang"]
        with pytest.raises(PermissionDenied):
            evidence.remove_evidence(session, session.get(User, plan.users["science"]), row.id, NOW)


def test_outsider_cannot_attach(db, plan, data_dir):
    report_id = _draft(db, plan)
    with db.session() as session:
        with pytest.raises(NotFound):
            _upload(session, plan, "service", report_id, data_dir)
        with pytest.raises(PermissionDenied):
            _upload(session, plan, "viewer", report_id, data_dir)


def test_remove_keeps_bytes(db, plan, data_dir):
    report_id = _draft(db, plan)
    with db.session() as session:
        row = _upload(session, plan, "science", report_id, data_dir)
        evidence.remove_evidence(session, session.get(User, plan.users["science"]), row.id, NOW)
        assert row.removed_at is not None
        assert (data_dir / "evidence" / row.stored_path).exists()
        with pytest.raises(Conflict):
            evidence.remove_evidence(session, session.get(User, plan.users["science"]), row.id, NOW)


def test_download_checks_visibility(db, plan, data_dir):
    report_id = _draft(db, plan)
    with db.session() as session:
        row = _upload(session, plan, "science", report_id, data_dir)
        found, path = evidence.open_evidence(session, session.get(User, plan.users["viewer"]), row.id, data_dir)
        assert path.read_bytes() == b"%PDF-1.7 test"
        with pytest.raises(NotFound):
            evidence.open_evidence(session, session.get(User, plan.users["service"]), row.id, data_dir)
