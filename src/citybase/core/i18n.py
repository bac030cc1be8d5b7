"""Message catalogues and locale handling: zh_CN by default, en second.

Code uses English msgids; each module keeps its own catalogue in
``<module>/locale/<locale>/LC_MESSAGES/messages.po``. The catalogues of all modules
are merged per locale at first use and compiled in memory, so no build step is
needed. ``_()`` translates into the locale of the current request or command.
"""

from __future__ import annotations

import datetime as dt
import gettext
import io
import logging
import os
from contextlib import contextmanager
from contextvars import ContextVar
from decimal import Decimal
from functools import lru_cache
from collections.abc import Iterator
from typing import Any
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date as babel_format_date
from babel.dates import format_datetime as babel_format_datetime
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal as babel_format_decimal

from citybase.core import registry
from citybase.core.i18n_marker import N_

logger = logging.getLogger(__name__)

LOCALES = ("zh_CN", "en")
DEFAULT_LOCALE = "zh_CN"
SHANGHAI = ZoneInfo("Asia/Shanghai")

_current_locale: ContextVar[str | None] = ContextVar("citybase_locale", default=None)
# The time zone set by configure_timezone() from the settings the app runs with.
_configured: dict[str, ZoneInfo] = {}


def configure_timezone(timezone: str | None) -> None:
    """Use ``timezone`` for displayed times and calendar days; None: read it from the settings."""
    if timezone is None:
        _configured.pop("zone", None)
    else:
        _configured["zone"] = ZoneInfo(timezone)


def _settings_value(name: str, fallback: Any) -> Any:
    from citybase.core.settings import get_settings

    try:
        return getattr(get_settings(), name)
    except ValueError:  # an invalid setting stops the command where settings are read
        return fallback


def default_locale() -> str:
    """CITYBASE_LOCALE from the environment, else from .env, else zh_CN.

    Pages use the locale of the app's own settings instead (see ``citybase.web.app``).
    """
    value = os.environ.get("CITYBASE_LOCALE") or _settings_value("locale", DEFAULT_LOCALE)
    return value if value in LOCALES else DEFAULT_LOCALE


def local_zone() -> ZoneInfo:
    """The time zone of displayed times and calendar days: CITYBASE_TIMEZONE, Asia/Shanghai by default."""
    zone = _configured.get("zone")
    if zone is None:
        zone = _configured["zone"] = ZoneInfo(_settings_value("timezone", "Asia/Shanghai"))
    return zone


def current_locale() -> str:
    return _current_locale.get() or default_locale()


def set_locale(locale: str) -> Any:
    """Set the locale of the current context; return a token for ``reset_locale``."""
    if locale not in LOCALES:
        locale = DEFAULT_LOCALE
    return _current_locale.set(locale)


def reset_locale(token: Any) -> None:
    _current_locale.reset(token)


@contextmanager
def use_locale(locale: str) -> Iterator[None]:
    token = set_locale(locale)
    try:
        yield
    finally:
        reset_locale(token)


@lru_cache(maxsize=len(LOCALES))
def translations(locale: str) -> gettext.NullTranslations:
    """Merge every module's catalogue for ``locale`` and compile it in memory."""
    merged = Catalog(locale=locale)
    for module in registry.modules():
        if module.locale_dir is None:
            continue
        path = module.locale_dir / locale / "LC_MESSAGES" / "messages.po"
        if not path.exists():
            continue
        with path.open("rb") as handle:
            catalog = read_po(handle, locale=locale)
        for message in catalog:
            if message.id and message.string and not message.fuzzy:
                merged[message.id] = message
    buffer = io.BytesIO()
    write_mo(buffer, merged)
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)


def gettext_(msgid: str, **params: Any) -> str:
    """Translate ``msgid`` into the current locale and fill its ``{placeholders}``."""
    text = translations(current_locale()).gettext(msgid)
    if params:
        try:
            return text.format(**params)
        except (KeyError, IndexError, ValueError):
            logger.warning("message %r does not take params %s", msgid, sorted(params))
            return msgid.format(**params)
    return text


def ngettext_(singular: str, plural: str, count: int, **params: Any) -> str:
    text = translations(current_locale()).ngettext(singular, plural, count)
    return text.format(count=count, **params)


_ = gettext_

__all__ = ["N_", "_", "gettext_", "ngettext_", "use_locale"]



def to_local(value: dt.datetime) -> dt.datetime:
    """Convert an aware UTC timestamp to the local time zone (Asia/Shanghai by default) for display."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(local_zone())


def format_datetime(value: dt.datetime | None, fmt: str = "medium") -> str:
    if value is None:
        return "—"
    if current_locale() == "zh_CN":
        return to_local(value).strftime("%Y-%m-%d %H:%M")
    return babel_format_datetime(to_local(value), fmt, locale=Locale.parse("en"), tzinfo=local_zone())


def format_date(value: dt.date | None) -> str:
    if value is None:
        return "—"
    if current_locale() == "zh_CN":
        return value.strftime("%Y-%m-%d")
    return babel_format_date(value, "medium", locale=Locale.parse("en"))


def format_number(value: Decimal | float | int | None, digits: int = 2) -> str:
    """Format a number with grouping; trailing zeros of decimals are dropped."""
    if value is None:
        return "—"
    number = Decimal(str(value))
    if number == number.to_integral_value():
        number = number.quantize(Decimal(1))
    else:
        number = number.quantize(Decimal(1).scaleb(-digits)).normalize()
    locale = "zh_Hans_CN" if current_locale() == "zh_CN" else "en"
    return babel_format_decimal(number, locale=locale, decimal_quantization=False)
