"""The temporal query of the NGSI-LD temporal API (ETSI GS CIM 009 V1.6.1, clause 4.11).

``timerel`` is before, after or between. ``timeAt`` is inclusive and ``endTimeAt``
exclusive: ``after`` keeps instants at or after timeAt, ``before`` keeps instants
strictly before timeAt, and ``between`` keeps timeAt <= t < endTimeAt. ``timeproperty``
chooses the timestamp compared: observedAt (default), createdAt, modifiedAt, or
deletedAt, which selects the deletions of attributes instead of their values.
``lastN`` keeps the N most recent instances of each attribute.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from citybase.context.api.params import MAX_SQL_INTEGER
from citybase.context.errors import BadRequestData
from citybase.context.i18n import _
from citybase.context.times import parse_datetime

TIMERELS = ("before", "after", "between")
TIME_PROPERTIES = ("observedAt", "createdAt", "modifiedAt", "deletedAt")


@dataclass(frozen=True)
class TemporalQuery:
    """A parsed temporal query; ``timerel`` None means every instance."""

    timerel: str | None = None
    time_at: dt.datetime | None = None
    end_time_at: dt.datetime | None = None
    timeproperty: str = "observedAt"
    last_n: int | None = None

    def contains(self, instant: dt.datetime | None) -> bool:
        """Return whether ``instant`` lies in the queried interval (the same rule as the SQL)."""
        if self.timerel is None:
            return True
        if instant is None:
            return False
        assert self.time_at is not None
        if self.timerel == "after":
            return instant >= self.time_at
        if self.timerel == "before":
            return instant < self.time_at
        assert self.end_time_at is not None
        return self.time_at <= instant < self.end_time_at


def parse_temporal_query(get: Callable[[str], Any], require_timerel: bool = False) -> TemporalQuery:
    """Read timerel, timeAt, endTimeAt, timeproperty and lastN through ``get(name)``.

    ``get`` returns None for an absent member, so the same function reads query
    parameters and the members of a JSON TemporalQuery. Raises BadRequestData on the
    first invalid member, naming it and its value.
    """
    timerel = _optional_text(get("timerel"), "timerel")
    time_at_raw = get("timeAt")
    end_raw = get("endTimeAt")
    if timerel is None:
        if require_timerel:
            raise BadRequestData(
                _("A temporal query needs timerel (before, after or between) with timeAt, "
                  "for example timerel=after&timeAt=2024-05-01T00:00:00Z.")
            )
        if time_at_raw is not None or end_raw is not None:
            raise BadRequestData(_("timeAt and endTimeAt need timerel; add timerel=before, after or between."))
        return TemporalQuery(timeproperty=_timeproperty(get("timeproperty")), last_n=_last_n(get("lastN")))
    if timerel not in TIMERELS:
        raise BadRequestData(_("timerel {value!r} is not before, after or between."), value=timerel)
    if time_at_raw in (None, ""):
        raise BadRequestData(_("timerel={timerel} needs timeAt, an ISO 8601 date-time."), timerel=timerel)
    time_at = parse_datetime(time_at_raw, "timeAt")
    end_time_at = None
    if timerel == "between":
        if end_raw in (None, ""):
            raise BadRequestData(_("timerel=between needs endTimeAt, an ISO 8601 date-time after timeAt."))
        end_time_at = parse_datetime(end_raw, "endTimeAt")
        if end_time_at <= time_at:
            raise BadRequestData(
                _("endTimeAt {end} is not after timeAt {start}; the interval would be empty."),
                end=end_raw, start=time_at_raw,
            )
    return TemporalQuery(timerel, time_at, end_time_at, _timeproperty(get("timeproperty")), _last_n(get("lastN")))


def _optional_text(value: Any, name: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not value:
        raise BadRequestData(_("{name} {value!r} must be a non-empty string."), name=name, value=value)
    return value


def _timeproperty(value: Any) -> str:
    if value is None:
        return "observedAt"
    if value not in TIME_PROPERTIES:
        raise BadRequestData(
            _("timeproperty {value!r} is not one of {allowed}."), value=value, allowed=", ".join(TIME_PROPERTIES)
        )
    return value


def _last_n(value: Any) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool):
        number = None
    elif isinstance(value, int):
        number = value
    elif isinstance(value, str) and value.isascii() and value.isdigit():
        number = int(value)
    else:
        number = None
    if number is None or number < 1:
        raise BadRequestData(_("lastN {value!r} must be a positive integer."), value=value)
    if number > MAX_SQL_INTEGER:
        raise BadRequestData(_("{name} {value} is above the maximum {max}."), name="lastN", value=value, max=MAX_SQL_INTEGER)
    return number
