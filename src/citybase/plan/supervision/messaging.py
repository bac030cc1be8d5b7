"""In-app notifications sent by supervision.

The stored title and body are rendered in the platform's default locale. The messages
themselves are kept in ``data``, so each reader sees them in their own locale.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from citybase.core.auth.models import User
from citybase.core.auth.roles import DIGITAL_OFFICE
from citybase.core.notifications import Notification, notify
from citybase.core.settings import get_settings
from citybase.plan.supervision.i18n import Message

KIND = "plan_supervision"


def _payload(title: Message, body: Message | None, extra: dict[str, Any] | None) -> dict[str, Any]:
    data = {"title": title.as_dict(), "body": body.as_dict() if body else None}
    data.update(extra or {})
    return data


def notify_unit(
    session: Session, unit_id: int, title: Message, body: Message | None = None, *, link: str | None = None,
    dedupe_key: str | None = None, data: dict[str, Any] | None = None,
) -> Notification | None:
    """Send a notification to every user of a unit; None when ``dedupe_key`` was sent before."""
    locale = get_settings().locale
    return notify(
        session, kind=KIND, title=title.render(locale), body=body.render(locale) if body else "",
        link=link, unit_id=unit_id, dedupe_key=dedupe_key, data=_payload(title, body, data),
    )


def notify_office(
    session: Session, title: Message, body: Message | None = None, *, link: str | None = None,
    dedupe_key: str, data: dict[str, Any] | None = None,
) -> int:
    """Send a notification to each active digital-office user; return how many were sent."""
    locale = get_settings().locale
    users = session.scalars(select(User).where(User.role == DIGITAL_OFFICE, User.is_active.is_(True)))
    sent = 0
    for user in users:
        note = notify(
            session, kind=KIND, title=title.render(locale), body=body.render(locale) if body else "",
            link=link, user_id=user.id, dedupe_key=f"{dedupe_key}:u{user.id}", data=_payload(title, body, data),
        )
        sent += note is not None
    return sent
