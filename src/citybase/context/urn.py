"""District identifiers: ``urn:ngsi-ld:<Type>:<id>`` where the id starts with a division code.

The id begins with the administrative division code of the owner: 310114 for
嘉定区 (GB/T 2260) or one of its 12 town-level codes (National Bureau of
Statistics), optionally followed by ``-`` and a local part, for example
``urn:ngsi-ld:WaterLevelSensor:310114102-UP-0012`` for a sensor in 南翔镇.

The local part may hold any character that a URN's namespace-specific string
allows (RFC 8141): letters, digits, ``-._~!$&'()*+,;=:@/`` and percent-encoded
octets. Other characters, Chinese included, are percent-encoded as UTF-8 by
:func:`build_urn` and decoded again by :func:`parse_urn`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import quote, unquote

from citybase.context.errors import BadRequestData
from citybase.context.i18n import _

DISTRICT_CODE = "310114"
DISTRICT_NAME = "嘉定区"

TOWN_CODES: dict[str, str] = {
    "310114001": "新成路街道",
    "310114002": "真新街道",
    "310114004": "嘉定镇街道",
    "310114102": "南翔镇",
    "310114103": "安亭镇",
    "310114106": "马陆镇",
    "310114109": "徐行镇",
    "310114111": "华亭镇",
    "310114114": "外冈镇",
    "310114118": "江桥镇",
    "310114401": "菊园新区",
    "310114501": "嘉定工业区",
}

DIVISION_CODES: dict[str, str] = {DISTRICT_CODE: DISTRICT_NAME, **TOWN_CODES}

URN_PREFIX = "urn:ngsi-ld:"

# Characters RFC 8141 allows unescaped in a namespace-specific string; "?" and "#"
# start the r/q-components and the fragment, so they are always encoded.
_NSS_SAFE = "-._~!$&'()*+,;=:@/"
_TYPE_RE = re.compile(r"[A-Za-z][A-Za-z0-9_]*")
_NSS_RE = re.compile(r"(?:[A-Za-z0-9\-._~!$&'()*+,;=:@/]|%[0-9A-Fa-f]{2})+")
_DIVISION_RE = re.compile(r"310114(?:\d{3})?")


@dataclass(frozen=True)
class DistrictUrn:
    """The parts of a district URN; ``local`` is decoded (Chinese appears as Chinese)."""

    entity_type: str
    division_code: str
    local: str

    @property
    def division_name(self) -> str:
        return DIVISION_CODES[self.division_code]

    @property
    def entity_id(self) -> str:
        return build_urn(self.entity_type, self.division_code, self.local)

    def __str__(self) -> str:
        return self.entity_id


def encode_local(local: str) -> str:
    """Percent-encode the characters of ``local`` that a URN may not hold as they are."""
    return quote(local, safe=_NSS_SAFE)


def build_urn(entity_type: str, division_code: str, local: str = "") -> str:
    """Build ``urn:ngsi-ld:<entity_type>:<division_code>[-<local>]`` and validate it.

    Raises BadRequestData naming the part that is wrong: an entity type that is
    not a plain name, or a division code that is not 310114 or one of its towns.
    """
    _check_type(entity_type)
    _check_division(division_code)
    nss = division_code if not local else f"{division_code}-{encode_local(local)}"
    return f"{URN_PREFIX}{entity_type}:{nss}"


def parse_urn(urn: str) -> DistrictUrn:
    """Split a district URN into type, division code and decoded local part.

    Raises BadRequestData when the string is not ``urn:ngsi-ld:<Type>:<id>``, when
    the id does not start with a district division code, or when it holds a
    character that must be percent-encoded.
    """
    if not urn.startswith(URN_PREFIX):
        raise BadRequestData(
            _("Identifier {value!r} must start with {prefix!r}."), value=urn, prefix=URN_PREFIX
        )
    entity_type, sep, nss = urn[len(URN_PREFIX):].partition(":")
    if not sep or not nss:
        raise BadRequestData(
            _("Identifier {value!r} must have the form urn:ngsi-ld:<Type>:<id>."), value=urn
        )
    _check_type(entity_type)
    if not _NSS_RE.fullmatch(nss):
        raise BadRequestData(
            _("Identifier {value!r} contains characters a URN does not allow; "
              "percent-encode them, for example {suggestion!r}."),
            value=urn,
            suggestion=f"{URN_PREFIX}{entity_type}:{encode_local(unquote(nss))}",
        )
    division, _dash, local = nss.partition("-")
    _check_division(division)
    return DistrictUrn(entity_type, division, unquote(local))


def is_district_urn(value: str) -> bool:
    try:
        parse_urn(value)
    except BadRequestData:
        return False
    return True


def _check_type(entity_type: str) -> None:
    if not _TYPE_RE.fullmatch(entity_type):
        raise BadRequestData(
            _("Entity type {value!r} must start with a letter and hold only letters, "
              "digits and underscores, for example 'WaterLevelSensor'."),
            value=entity_type,
        )


def _check_division(code: str) -> None:
    if not _DIVISION_RE.fullmatch(code) or code not in DIVISION_CODES:
        raise BadRequestData(
            _("Division code {value!r} is not 310114 (嘉定区) or one of its town codes "
              "({towns})."),
            value=code,
            towns=", ".join(TOWN_CODES),
        )
