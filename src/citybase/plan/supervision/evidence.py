"""Evidence files (佐证材料) of reports, stored under ``<data_dir>/evidence``.

A file is streamed to a temporary name in its final folder, checked against the
size limit while it arrives, then renamed into place, so a rejected or broken
upload leaves no partial file behind. File names on disk are random; the name the
user gave is kept in the database only.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import os
import uuid
from pathlib import Path, PurePath
from typing import BinaryIO

from sqlalchemy.orm import Session

from citybase.core.auth.models import User
from citybase.plan.supervision.access import require, unit_role_in_task
from citybase.plan.supervision.errors import Conflict, FieldError, NotFound, PermissionDenied, invalid
from citybase.plan.supervision.labels import REPORT_STATUS_LABELS
from citybase.plan.supervision.models import (
    ACTION_EVIDENCE_ADD, ACTION_EVIDENCE_REMOVE, STATUS_DRAFT, STATUS_RETURNED, EvidenceFile, ReportEvent,
)
from citybase.plan.supervision.permissions import REPORT
from citybase.plan.supervision.reports import get_report
from citybase.plan.supervision.settings import SupervisionSettings, get_supervision_settings

logger = logging.getLogger(__name__)

CHUNK = 1024 * 1024
MAX_NAME = 200


def evidence_root(data_dir: Path) -> Path:
    return data_dir / "evidence"


def _extension(file_name: str) -> str:
    suffix = PurePath(file_name).suffix
    return suffix[1:].lower() if suffix else ""


def _clean_name(file_name: str) -> str:
    """Keep only the last path component of a browser-supplied name."""
    name = PurePath(file_name.replace("\\", "/")).name.strip()
    return name[-MAX_NAME:]


def _check_name(file_name: str, settings: SupervisionSettings) -> str:
    name = _clean_name(file_name or "")
    if not name:
        raise invalid(FieldError("file", "Choose a file to upload.", file_name))
    extension = _extension(name)
    if extension not in settings.allowed_evidence_types:
        raise invalid(FieldError("file", "Files of type “{extension}” are not accepted as evidence; upload one of: {types}.", name, {"extension": extension or "—", "types": ", ".join(sorted(settings.allowed_evidence_types))}))
    return name


def _write_limited(stream: BinaryIO, target: Path, name: str, settings: SupervisionSettings) -> tuple[int, str]:
    """Copy ``stream`` to ``target`` and return (size, sha256); stop and clean up past the size limit."""
    digest = hashlib.sha256()
    size = 0
    partial = target.with_name(target.name + ".part")
    try:
        with partial.open("wb") as handle:
            while chunk := stream.read(CHUNK):
                size += len(chunk)
                if size > settings.evidence_max_bytes:
                    raise invalid(FieldError("file", "The file is larger than the limit of {limit} MiB; compress or split it and upload again.", name, {"limit": settings.evidence_max_mb}))
                digest.update(chunk)
                handle.write(chunk)
            handle.flush()
            os.fsync(handle.fileno())
        if size == 0:
            raise invalid(FieldError("file", "The file is empty; choose the file again.", name))
        partial.replace(target)
    finally:
        partial.unlink(missing_ok=True)
    return size, digest.hexdigest()


def _require_attach_rights(session: Session, user: User, report_id: int):
    require(user, REPORT)
    report = get_report(session, user, report_id)
    if unit_role_in_task(session, user.unit_id, report.task) is None:
        raise PermissionDenied("Your unit does not take part in task {seq}.", params={"seq": report.task.seq})
    if report.status not in (STATUS_DRAFT, STATUS_RETURNED):
        raise Conflict("The report is {status}; evidence can be added or removed only while it is a draft or returned.", params={"status": REPORT_STATUS_LABELS[report.status]})
    return report


def add_evidence(
    session: Session, user: User, report_id: int, file_name: str, stream: BinaryIO, content_type: str,
    now: dt.datetime, data_dir: Path, settings: SupervisionSettings | None = None,
) -> EvidenceFile:
    """Store an uploaded file as evidence of a report, for the user's unit."""
    settings = settings or get_supervision_settings()
    report = _require_attach_rights(session, user, report_id)
    name = _check_name(file_name, settings)

    relative = Path(f"{now:%Y}") / f"report-{report.id}" / f"{uuid.uuid4().hex}.{_extension(name)}"
    target = evidence_root(data_dir) / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    size, sha256 = _write_limited(stream, target, name, settings)

    # NOTE: if the surrounding transaction later rolls back, the stored file stays as an orphan.
    evidence = EvidenceFile(
        report_id=report.id, unit_id=user.unit_id, file_name=name, stored_path=relative.as_posix(),
        content_type=(content_type or "application/octet-stream")[:100], size_bytes=size, sha256=sha256,
        uploaded_by_id=user.id, uploaded_at=now,
    )
    report.evidence.append(evidence)
    report.events.append(ReportEvent(
        action=ACTION_EVIDENCE_ADD, at=now, user_id=user.id, actor_name=user.display_name,
        unit_id=user.unit_id, comment=name, version=report.version,
    ))
    session.flush()
    logger.info("evidence %s (%d bytes) added to report %s by %s", evidence.id, size, report.id, user.username)
    return evidence


def _evidence(session: Session, evidence_id: int) -> EvidenceFile:
    evidence = session.get(EvidenceFile, evidence_id)
    if evidence is None:
        raise NotFound("Evidence file {evidence_id} was not found.", params={"evidence_id": evidence_id})
    return evidence


def remove_evidence(session: Session, user: User, evidence_id: int, now: dt.datetime) -> EvidenceFile:
    """Withdraw a file from a draft or returned report; the bytes stay for the history."""
    evidence = _evidence(session, evidence_id)
    report = _require_attach_rights(session, user, evidence.report_id)
    if evidence.unit_id != user.unit_id:
        raise PermissionDenied("Only the unit that uploaded a file may remove it.")
    if evidence.removed_at is not None:
        raise Conflict("The file was already removed.")
    evidence.removed_at = now
    report.events.append(ReportEvent(
        action=ACTION_EVIDENCE_REMOVE, at=now, user_id=user.id, actor_name=user.display_name,
        unit_id=user.unit_id, comment=evidence.file_name, version=report.version,
    ))
    session.flush()
    return evidence


def open_evidence(session: Session, user: User, evidence_id: int, data_dir: Path) -> tuple[EvidenceFile, Path]:
    """Return a file the user may see and its path on disk, for download."""
    evidence = _evidence(session, evidence_id)
    get_report(session, user, evidence.report_id)
    path = evidence_root(data_dir) / evidence.stored_path
    if not path.is_file():
        logger.error("evidence %s is missing on disk at %s", evidence.id, path)
        raise NotFound("The stored file of evidence {evidence_id} is missing; ask an administrator to restore it from backup.", params={"evidence_id": evidence.id})
    return evidence, path
