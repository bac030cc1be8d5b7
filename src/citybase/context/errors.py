"""NGSI-LD errors (ETSI GS CIM 009 V1.6.1), rendered as RFC 7807 problem details.

    NgsiLdError                      any error the broker reports to a client
    ├── InvalidRequest               400: unknown parameter, malformed JSON, bad header
    ├── BadRequestData               400: syntactically valid request with invalid content
    ├── AlreadyExists                409: entity id or attribute already present
    ├── OperationNotSupported        422: valid request the broker does not implement
    ├── ResourceNotFound             404: entity, attribute or type not present
    ├── TooComplexQuery              403
    ├── TooManyResults               403
    ├── LdContextNotAvailable        503: a JSON-LD @context that cannot be resolved offline
    ├── UnsupportedMediaType         415: Content-Type other than JSON or JSON-LD
    ├── NotAcceptable                406: no Accept media type the broker can produce
    └── InternalError                500
"""

from __future__ import annotations

from typing import Any

from citybase.context.i18n import _

ERROR_TYPE_BASE = "https://uri.etsi.org/ngsi-ld/errors/"
# Parameters that carry msgids of their own: parts of a parser message, and the name of
# the input a message is about. A name without a catalogue entry ("timeAt") stays as it is.
_TRANSLATED_PARAMS = frozenset({"expected", "found", "what", "field"})
# Field names callers pass as plain strings, marked here so that the catalogue has them.
FIELD_NAMES = (_("Entity id"), _("Entity type"), _("Attribute name"), _("Subscription id"), _("Registration id"))


class FieldName:
    """The name of an input that depends on another name, such as "observedAt of 'level'".

    Error messages translate it with the rest of the detail; ``str()`` gives the English.
    """

    def __init__(self, template: str, **params: Any) -> None:
        self.template = template
        self.params = params

    def __str__(self) -> str:
        return self.template.format(**self.params)

    def translated(self, translate: Any) -> str:
        return translate(self.template).format(**self.params)


class NgsiLdError(Exception):
    """An error with its ETSI problem type, HTTP status, title and a detail naming the cause."""

    status = 500
    type_name = "InternalError"
    title = _("Internal error")

    def __init__(self, detail: str, **params: Any) -> None:
        super().__init__(detail.format(**params) if params else detail)
        self.detail_template = detail
        self.params = params

    @property
    def type_uri(self) -> str:
        return ERROR_TYPE_BASE + self.type_name

    @property
    def detail(self) -> str:
        return str(self)

    def to_problem(self, translate: Any = None) -> dict[str, Any]:
        """Return the RFC 7807 body; ``translate`` maps an English msgid to the reader's language."""
        template = translate(self.detail_template) if translate else self.detail_template
        params = {name: _translate_param(name, value, translate) for name, value in self.params.items()}
        detail = template.format(**params) if params else template
        title = translate(self.title) if translate else self.title
        return {"type": self.type_uri, "title": title, "status": self.status, "detail": detail}


class InvalidRequest(NgsiLdError):
    status = 400
    type_name = "InvalidRequest"
    title = _("Invalid request")


class BadRequestData(NgsiLdError):
    status = 400
    type_name = "BadRequestData"
    title = _("Bad request data")


class AlreadyExists(NgsiLdError):
    status = 409
    type_name = "AlreadyExists"
    title = _("Already exists")


class OperationNotSupported(NgsiLdError):
    status = 422
    type_name = "OperationNotSupported"
    title = _("Operation not supported")


class ResourceNotFound(NgsiLdError):
    status = 404
    type_name = "ResourceNotFound"
    title = _("Resource not found")


class TooComplexQuery(NgsiLdError):
    status = 403
    type_name = "TooComplexQuery"
    title = _("Too complex query")


class TooManyResults(NgsiLdError):
    status = 403
    type_name = "TooManyResults"
    title = _("Too many results")


class LdContextNotAvailable(NgsiLdError):
    # V1.6.1 maps this type to 503 and V1.8.1 changed it to 504. The broker targets V1.6.1;
    # docs/conformance.md names the sources.
    status = 503
    type_name = "LdContextNotAvailable"
    title = _("JSON-LD context not available")


class UnsupportedMediaType(NgsiLdError):
    # NGSI-LD names no problem type for 415 and 406; InvalidRequest is the closest one.
    status = 415
    type_name = "InvalidRequest"
    title = _("Unsupported media type")


class NotAcceptable(NgsiLdError):
    status = 406
    type_name = "InvalidRequest"
    title = _("Not acceptable")


class InternalError(NgsiLdError):
    status = 500
    type_name = "InternalError"
    title = _("Internal error")


def _translate_param(name: str, value: Any, translate: Any) -> Any:
    if translate is None:
        return value
    if isinstance(value, FieldName):
        return value.translated(translate)
    if name in _TRANSLATED_PARAMS and isinstance(value, str):
        return translate(value)
    return value
