"""File responses of the exports, shared by the pages and the JSON API."""

from __future__ import annotations

import datetime as dt
from urllib.parse import quote

from fastapi.responses import Response

from citybase.core.i18n import gettext_ as _
from citybase.plan.supervision.clock import local_date

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def attachment(data: bytes, media_type: str, ascii_name: str, name: str) -> Response:
    """Return ``data`` as a download named ``name``, with an ASCII fallback name for old clients (RFC 6266)."""
    disposition = f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name)}"
    return Response(data, media_type=media_type, headers={"Content-Disposition": disposition})


def ledger_response(data: bytes, now: dt.datetime) -> Response:
    day = local_date(now).isoformat()
    return attachment(data, XLSX_TYPE, f"ledger-{day}.xlsx", _("Work ledger {day}.xlsx", day=day))


def bulletin_response(data: bytes, period_key: str) -> Response:
    return attachment(data, DOCX_TYPE, f"bulletin-{period_key}.docx",
                      _("Supervision bulletin {period}.docx", period=period_key))
