"""Strict JSON decoding for request bodies and query parameters (reads use :mod:`citybase.context.jsontext`).

Python's ``json`` module accepts ``NaN``, ``Infinity`` and numbers beyond the range of
a double (``1e400`` becomes ``inf``), none of which RFC 8259 allows. Stored in an
entity, such a number cannot be returned as sent (JSON has no way to write it), so the
broker rejects it on input. Nesting deeper than the decoder's recursion limit
(about 1,000 levels) is rejected too instead of failing with a RecursionError.
"""

from __future__ import annotations

import json
import math
from typing import Any


class JsonBodyError(ValueError):
    """Error for text that is not JSON the broker accepts. Its message gives the reason in English."""


def _reject_constant(name: str) -> Any:
    raise JsonBodyError(f"{name} is not a JSON number")


def _finite_float(text: str) -> float:
    number = float(text)
    if math.isinf(number):
        raise JsonBodyError(f"the number {text[:40]} is outside the range of a 64-bit float")
    return number


def _bounded_int(text: str) -> int:
    try:
        number = int(text)
        float(number)
    except (ValueError, OverflowError):
        raise JsonBodyError(f"an integer of {len(text)} digits is outside the range of a 64-bit float") from None
    return number


def parse_json(text: str | bytes) -> Any:
    """Decode ``text`` as RFC 8259 JSON, raising JsonBodyError for what the broker cannot store."""
    try:
        return json.loads(text, parse_constant=_reject_constant, parse_float=_finite_float,
                          parse_int=_bounded_int)
    except RecursionError:
        raise JsonBodyError("the JSON is nested too deeply") from None
    except UnicodeDecodeError as exc:
        raise JsonBodyError(str(exc)) from None
    except json.JSONDecodeError as exc:
        raise JsonBodyError(str(exc)) from None
