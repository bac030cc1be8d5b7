"""Writing the time of a set of figures as the office writes it on paper."""

from __future__ import annotations

import datetime as dt

from citybase.plan.supervision.clock import local_time


def figures_time(moment: dt.datetime) -> str:
    """Return ``moment`` in Shanghai time as YYYY-MM-DD HH:MM, with a midnight written as the day before at 24:00.

    Report due times are stored as the midnight that ends the due day. “2022-06-05 24:00”
    names the due day itself, while “2022-06-06 00:00” reads as the day after.
    """
    local = local_time(moment)
    if (local.hour, local.minute, local.second, local.microsecond) == (0, 0, 0, 0):
        return f"{(local.date() - dt.timedelta(days=1)).isoformat()} 24:00"
    return local.strftime("%Y-%m-%d %H:%M")
