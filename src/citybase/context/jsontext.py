"""Fast JSON decoding and encoding for the broker's read paths, with the standard library's results.

A query page decodes 100 entity documents and a temporal read 1,440 instances;
orjson does that about three times faster than :mod:`json`. orjson differs from
:mod:`json` in three cases, and each falls back to :mod:`json` so that results do
not change:

- it decodes an integer beyond 64 bits as a float, so text with a run of 19 or more
  digits is decoded by :mod:`json`. Such runs are rare in entity data, and the check
  costs about a quarter of orjson's decoding;
- it rejects the ``NaN`` and ``Infinity`` literals that :func:`json.dumps` writes;
- it cannot encode integers beyond 64 bits or non-string dictionary keys.

:func:`encode` differs in one more case, described there.
"""

from __future__ import annotations

import json
import re
from typing import Any

import orjson
from sqlalchemy import event
from sqlalchemy.engine import Engine

# Maps each digit byte to "0" and every other byte to " ": a run of 19 digits becomes a
# run of 19 zeros, which ``in`` finds in a fraction of the time a regular expression takes.
_DIGIT_MASK = bytes(0x30 if 0x30 <= byte <= 0x39 else 0x20 for byte in range(256))
_LONG_DIGIT_RUN = b"0" * 19


def decode(text: str | bytes) -> Any:
    """Decode one JSON text exactly as :func:`json.loads` would."""
    data = text.encode("utf-8", "surrogatepass") if isinstance(text, str) else text
    if _LONG_DIGIT_RUN not in data.translate(_DIGIT_MASK):
        try:
            return orjson.loads(data)
        except orjson.JSONDecodeError:
            pass
    return json.loads(text)


def decode_array(texts: list[str | None]) -> list[Any]:
    """Decode several JSON texts (None for SQL NULL) with one parser call."""
    if not texts:
        return []
    return decode("[" + ",".join("null" if text is None else text for text in texts) + "]")


def encode(body: Any) -> bytes:
    """Encode ``body`` as compact UTF-8 JSON, as Starlette's ``JSONResponse`` does.

    NOTE: orjson writes NaN and infinities as ``null``, where Starlette's encoder raised
    ValueError (a 500 response). Request bodies with them are rejected
    (:mod:`citybase.context.jsonbody`), so only entities stored before that check hold
    them, and those read back with ``null`` values.
    """
    try:
        return orjson.dumps(body)
    except TypeError:
        return json.dumps(body, ensure_ascii=False, allow_nan=False, indent=None, separators=(",", ":")).encode("utf-8")


def install_for_postgresql() -> None:
    """Make psycopg decode json and jsonb columns with :func:`decode` on every connection opened from now on."""
    if not event.contains(Engine, "connect", _decode_on_psycopg):
        event.listen(Engine, "connect", _decode_on_psycopg)


def _decode_on_psycopg(dbapi_connection: Any, _record: Any) -> None:
    if type(dbapi_connection).__module__.startswith("psycopg"):
        from psycopg.types.json import set_json_loads

        set_json_loads(decode, context=dbapi_connection)
