"""ETSI problem details for every error under ``/ngsi-ld/``.

Route handlers run inside :class:`NgsiLdRoute`, which turns NgsiLdError into an
``application/json`` RFC 7807 body with the ETSI type URI, and any unexpected
exception into InternalError (logged with its traceback), so a client never sees
an HTML page or a bare 500. Authentication and permission errors of the core
(401, 403) keep the core's problem format.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from sqlalchemy.exc import DataError
from starlette.exceptions import HTTPException as StarletteHTTPException

from citybase.context.errors import BadRequestData, InternalError, InvalidRequest, NgsiLdError, OperationNotSupported, ResourceNotFound
from citybase.context.i18n import _
from citybase.core.errors import CitybaseError
from citybase.core.i18n import gettext_

logger = logging.getLogger(__name__)

PREFIX = "/ngsi-ld/"


def problem_response(request: Request, error: NgsiLdError) -> JSONResponse:
    body = error.to_problem(lambda msgid: gettext_(msgid))
    body["instance"] = request.url.path
    if error.status >= 500:
        logger.error("NGSI-LD %s on %s %s: %s", error.type_name, request.method, request.url.path, error)
    return JSONResponse(body, status_code=error.status, media_type="application/json")


class NgsiLdRoute(APIRoute):
    """An APIRoute whose errors are rendered as NGSI-LD problem details."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def guarded(request: Request) -> Response:
            try:
                return await handler(request)
            except NgsiLdError as error:
                return problem_response(request, error)
            except (CitybaseError, StarletteHTTPException, RequestValidationError):
                raise
            except DataError as error:
                logger.info("database rejected a value on %s %s: %s", request.method, request.url.path, error.orig)
                return problem_response(request, BadRequestData(
                    _("The database could not convert a value of the request: {reason}."),
                    reason=str(error.orig).splitlines()[0],
                ))
            except Exception:
                logger.exception("unexpected error on %s %s", request.method, request.url.path)
                return problem_response(request, InternalError(_("The broker failed to process the request.")))

        return guarded


# A path under /entities whose entity id segment is empty, such as PATCH /entities/ or /entities//attrs.
_EMPTY_ENTITY_ID = re.compile(r"^/ngsi-ld/v1/entities/(?:/|$)")


def _render(request: Request, exc: Exception) -> Response | None:
    if isinstance(exc, StarletteHTTPException) and exc.status_code in (404, 405) \
            and _EMPTY_ENTITY_ID.match(request.url.path):
        return problem_response(request, BadRequestData(
            _("The path {path} has no entity id; put the entity id after /entities/."), path=request.url.path))
    if isinstance(exc, StarletteHTTPException):
        if exc.status_code == 404:
            return problem_response(request, ResourceNotFound(_("No NGSI-LD resource at {path}."), path=request.url.path))
        if exc.status_code == 405:
            error = OperationNotSupported(_("Method {method} is not supported on {path}."),
                                          method=request.method, path=request.url.path)
            response = problem_response(request, error)
            response.status_code = 405
            return response
    if isinstance(exc, RequestValidationError):
        return problem_response(request, InvalidRequest(_("The request is malformed: {reason}."), reason=str(exc)))
    return None


def install(app: FastAPI) -> None:
    from citybase.web.errors import register_renderer

    register_renderer(PREFIX, _render)
