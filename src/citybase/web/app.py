"""The application factory: core pages, every module's routers, errors and middleware."""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request, Response
from fastapi.staticfiles import StaticFiles

from citybase import __version__
from citybase.core import i18n, migrate, registry
from citybase.core.auth.deps import renew_session_cookie
from citybase.core.db import Database
from citybase.core.logging import configure_logging
from citybase.core.settings import Settings, get_settings
from citybase.core.worker import Worker
from citybase.web import api, assets, errors, views

logger = logging.getLogger(__name__)

SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
        "script-src 'self' 'unsafe-eval'; frame-ancestors 'none'; form-action 'self'"
    ),
}


def _request_locale(request: Request) -> str:
    chosen = request.query_params.get("lang") or request.cookies.get("citybase_locale")
    if chosen in i18n.LOCALES:
        return chosen
    return request.app.state.settings.locale


def create_app(
    settings: Settings | None = None, db: Database | None = None, *, run_worker: bool | None = None,
    migrate_on_start: bool = True,
) -> FastAPI:
    """Build the app; ``db`` defaults to the settings' database, migrated on start."""
    settings = settings or get_settings()
    configure_logging(settings.log_level)
    i18n.configure_timezone(settings.timezone)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    database = db or Database(settings.resolved_database_url, echo=settings.sql_echo)
    start_worker = settings.worker_in_serve if run_worker is None else run_worker

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if migrate_on_start:
            migrate.upgrade(database)
        worker = None
        if start_worker:
            worker = Worker(database)
            worker.start_thread()
        logger.info("citybase %s started with database %s", __version__,
                    database.engine.url.render_as_string(hide_password=True))
        yield
        if worker is not None:
            worker.stop()
        logger.info("citybase stopped")

    app = FastAPI(
        title="citybase",
        version=__version__,
        description="嘉定区城市数字底座 citybase: JSON API of the action plan and the city foundation.",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.db = database
    errors.install(app)

    @app.middleware("http")
    async def locale_and_headers(
        request: Request, call_next: Callable[[Request], Awaitable[Response]],
    ) -> Response:
        token = i18n.set_locale(_request_locale(request))
        started = time.perf_counter()
        try:
            response = await call_next(request)
        finally:
            i18n.reset_locale(token)
        renew_session_cookie(request, response)
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        logger.debug("%s %s -> %s in %.1f ms", request.method, request.url.path,
                     response.status_code, (time.perf_counter() - started) * 1000)
        return response

    app.mount("/static", StaticFiles(directory=str(Path(__file__).parent / "static")), name="static")
    app.include_router(views.router)
    app.include_router(api.router)
    app.include_router(assets.router)
    for module in registry.modules():
        for router in module.routers:
            app.include_router(router)
        for hook in module.on_startup:
            hook(app)
    return app
