"""Reading an uploaded task list file within a size limit."""

from __future__ import annotations

from fastapi import UploadFile

from citybase.core.errors import FieldError, InvalidInput, PayloadTooLarge
from citybase.core.i18n_marker import N_

# The district's list of 95 tasks is about 40 KB as text and 60 KB as .docx; 10 MB
# leaves room for much longer lists and embedded images while bounding memory.
MAX_UPLOAD_BYTES = 10 * 1024 * 1024


async def read_upload(upload: UploadFile | None) -> tuple[bytes, str]:
    """Return the bytes and file name of an upload; reject a missing or oversized file."""
    if upload is None or not upload.filename:
        raise InvalidInput(errors=[FieldError("file", N_("Choose the task list file to import."))])
    data = await upload.read(MAX_UPLOAD_BYTES + 1)
    if len(data) > MAX_UPLOAD_BYTES:
        raise PayloadTooLarge(
            N_("The file is larger than {limit} MB; split it or remove embedded images."),
            params={"limit": MAX_UPLOAD_BYTES // (1024 * 1024)},
        )
    return data, upload.filename
