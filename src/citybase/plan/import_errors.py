"""Errors of a plan import, as core errors so pages, the API and the CLI show them alike."""

from __future__ import annotations

from citybase.core.errors import Conflict, FieldError, InvalidInput
from citybase.core.i18n import gettext_
from citybase.core.i18n_marker import N_
from citybase.plan.parsing import PlanFileError
from citybase.plan.parsing.issues import render_location


class PlanImportError(InvalidInput):
    """A task list file that cannot be imported; nothing of it was imported."""

    title = N_("The task list cannot be imported")


def from_file_error(error: PlanFileError) -> PlanImportError:
    """Turn the parser's issues into field errors whose field is the location, translated."""
    fields = [
        FieldError(
            field=render_location(issue.location, gettext_).rstrip("：: ") or gettext_("File"),
            message=issue.message,
            value=issue.value,
            params=dict(issue.params),
        )
        for issue in error.issues
    ]
    return PlanImportError(
        N_("{file}: {count} problems found; nothing was imported. Fix them and import the file again."),
        params={"file": error.source, "count": len(fields)},
        errors=fields,
    )


def removals_not_allowed(file_name: str, seqs: list[int]) -> Conflict:
    """Reject a file that lacks tasks already imported, unless removals were allowed."""
    return Conflict(
        N_(
            "{file} has no tasks {seqs}, which were imported before. Removing a task also "
            "removes its reports; to do so, import again with removals allowed."
        ),
        params={"file": file_name, "seqs": "、".join(str(seq) for seq in seqs)},
    )
