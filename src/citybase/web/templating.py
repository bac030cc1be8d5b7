"""Jinja2 templates shared by every module: ``web/templates`` plus each module's folder.

Template contexts carry ``request``, ``principal`` (or None), ``csrf_token`` and the
helpers registered as globals here, so module templates extend ``base.html`` and
need nothing else passed in.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import ChoiceLoader, Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup
from sqlalchemy.orm import Session

from citybase import __version__
from citybase.core import i18n, registry
from citybase.core.auth.deps import Principal, presession_csrf
from citybase.core.actors import actor_label
from citybase.core.audit import audit_action_label
from citybase.core.auth.roles import role_label
from citybase.web.assets import plotly_js_url

WEB_DIR = Path(__file__).parent


@lru_cache(maxsize=1)
def environment() -> Environment:
    folders = [WEB_DIR / "templates"]
    folders += [m.templates_dir for m in registry.modules() if m.templates_dir and m.name != "core"]
    env = Environment(
        loader=ChoiceLoader([FileSystemLoader(str(folder)) for folder in folders]),
        autoescape=select_autoescape(["html", "xml"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    # Audit rows hold Chinese names; keep them readable instead of \uXXXX escapes.
    # Jinja's tojson still escapes <, >, & and ' so the output stays HTML-safe.
    env.policies["json.dumps_kwargs"] = {"ensure_ascii": False, "sort_keys": True}
    env.globals.update(
        _=i18n.gettext_,
        ngettext=i18n.ngettext_,
        format_datetime=i18n.format_datetime,
        format_date=i18n.format_date,
        format_number=i18n.format_number,
        role_label=role_label,
        actor_label=actor_label,
        audit_action_label=audit_action_label,
        version=__version__,
        plotly_js_url=plotly_js_url,
    )
    return env


def _visible_nav(principal: Principal | None) -> list[registry.NavEntry]:
    entries = []
    for entry in registry.navigation():
        if entry.permission is None or (principal is not None and principal.has(entry.permission)):
            entries.append(entry)
    return entries


def _base_context(request: Request) -> dict[str, Any]:
    principal: Principal | None = getattr(request.state, "principal", None)
    return {
        "request": request,
        "principal": principal,
        "user": principal.user if principal else None,
        "csrf_token": principal.csrf_token if principal and principal.csrf_token else presession_csrf(request),
        "nav": _visible_nav(principal),
        "locale": i18n.current_locale(),
        "large_text": request.cookies.get("citybase_text") == "large",
        "current_path": request.url.path,
    }


def render(
    request: Request, template: str, context: dict[str, Any] | None = None, *, status_code: int = 200,
) -> HTMLResponse:
    """Render ``template`` with the shared context and return an HTML response."""
    values = _base_context(request)
    values.update(context or {})
    html = environment().get_template(template).render(values)
    response = HTMLResponse(html, status_code=status_code)
    new_csrf = request.state.__dict__.get("new_presession_csrf")
    if new_csrf and not request.cookies.get("citybase_csrf"):
        secure = request.app.state.settings.cookie_secure
        response.set_cookie("citybase_csrf", new_csrf, httponly=True, samesite="strict", secure=secure)
    return response


def render_panels(request: Request, session: Session, principal: Principal, slot: str, subject: Any) -> list[Markup]:
    """Render every module's panel for ``slot`` (see ``registry.PagePanel``), skipping those that build None."""
    rendered = []
    for panel in registry.panels(slot):
        context = panel.build(request, session, principal, subject)
        if context is None:
            continue
        values = {**_base_context(request), **context}
        rendered.append(Markup(environment().get_template(panel.template).render(values)))
    return rendered
