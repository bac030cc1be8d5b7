"""The one place where errors become responses: a Chinese HTML page or RFC 7807 JSON."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from citybase.core.errors import CitybaseError, FieldError, InvalidInput, NotAuthenticated, NotFound
from citybase.core.i18n import gettext_ as _

logger = logging.getLogger(__name__)

PROBLEM_TYPE_BASE = "https://citybase.invalid/problems/"
# Path prefixes whose clients are programs; other paths answer browsers with HTML.
API_PREFIXES = ("/api/",)
# Modules with their own error format (e.g. NGSI-LD) register a renderer for their
# path prefix; it gets every exception raised under that prefix first.
ForeignRenderer = Callable[[Request, Exception], Response | None]
_renderers: dict[str, ForeignRenderer] = {}


def register_renderer(prefix: str, renderer: ForeignRenderer) -> None:
    """Route errors under ``prefix`` to ``renderer``; it may return None to fall back."""
    _renderers[prefix] = renderer


def _foreign(request: Request, exc: Exception) -> Response | None:
    for prefix, renderer in _renderers.items():
        if request.url.path.startswith(prefix):
            return renderer(request, exc)
    return None


def wants_html(request: Request) -> bool:
    path = request.url.path
    if path.startswith(API_PREFIXES):
        return False
    return "text/html" in request.headers.get("accept", "")


def _field_dict(error: FieldError) -> dict[str, Any]:
    value = error.value
    if value is not None and not isinstance(value, str | int | float | bool):
        value = str(value)
    return {"field": error.field, "value": value, "message": _(error.message, **error.params)}


def problem_body(request: Request, exc: CitybaseError) -> dict[str, Any]:
    body: dict[str, Any] = {
        "type": PROBLEM_TYPE_BASE + exc.code,
        "title": _(exc.title),
        "status": exc.status,
        "detail": _(exc.detail, **exc.params),
        "instance": request.url.path,
    }
    if exc.errors:
        body["errors"] = [_field_dict(error) for error in exc.errors]
    return body


def error_response(request: Request, exc: CitybaseError) -> Response:
    if exc.status >= 500:
        logger.error("error %s on %s %s: %s", exc.code, request.method, request.url.path, exc)
    if wants_html(request):
        if isinstance(exc, NotAuthenticated):
            target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            return RedirectResponse(f"/login?next={quote(target)}", status_code=303)
        if exc.code == "password-change-required":
            return RedirectResponse(exc.params["path"], status_code=303)
        from citybase.web.templating import render

        body = problem_body(request, exc)
        return render(request, "error.html", {"problem": body}, status_code=exc.status)
    headers = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else None
    return JSONResponse(problem_body(request, exc), status_code=exc.status,
                        media_type="application/problem+json", headers=headers)


def _json_position(document: Any, position: int) -> tuple[int, int, str]:
    """Return the line and column (from 1) of ``position`` in the body, and the text found there."""
    text = document.decode("utf-8", "replace") if isinstance(document, bytes) else str(document or "")
    position = max(0, min(position, len(text)))
    line = text.count("\n", 0, position) + 1
    column = position - (text.rfind("\n", 0, position) + 1) + 1
    return line, column, text[position:position + 20]


def _validation_to_error(exc: RequestValidationError) -> InvalidInput:
    errors = []
    for item in exc.errors():
        if item.get("type") == "json_invalid":
            # FastAPI reports the character offset of the decode error as the field, so the message names the line and column instead.
            loc = item.get("loc", ())
            offset = loc[-1] if loc and isinstance(loc[-1], int) else 0
            line, column, found = _json_position(getattr(exc, "body", None), offset)
            errors.append(FieldError("body", "The request body is not valid JSON: the error is at line {line}, column {column}. "
                                     "Check the quotes, commas and brackets there and send the corrected body with "
                                     "Content-Type: application/json.", found, {"line": line, "column": column}))
            continue
        location = [str(part) for part in item.get("loc", ()) if part not in ("body", "query", "path", "form")]
        field = ".".join(location) or "request"
        errors.append(FieldError(field, "Invalid value: {reason}", item.get("input"), {"reason": item.get("msg", "")}))
    return InvalidInput("The request has invalid fields; correct them and send it again.", errors=errors)


def install(app: FastAPI) -> None:
    @app.exception_handler(CitybaseError)
    async def _citybase(request: Request, exc: CitybaseError) -> Response:
        return _foreign(request, exc) or error_response(request, exc)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> Response:
        return _foreign(request, exc) or error_response(request, _validation_to_error(exc))

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        foreign = _foreign(request, exc)
        if foreign is not None:
            return foreign
        if exc.status_code == 404:
            return error_response(request, NotFound("No page or resource at {path}.", params={"path": request.url.path}))
        error = CitybaseError(str(exc.detail))
        error.status = exc.status_code
        error.code = f"http-{exc.status_code}"
        error.title = "Request failed"
        return error_response(request, error)
