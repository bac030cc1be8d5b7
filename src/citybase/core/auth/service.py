"""Users, passwords (argon2), login sessions and API bearer tokens."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from citybase.core.auth.models import ApiToken, LoginSession, User
from citybase.core.auth.roles import ADMIN, ROLES, UNIT_REPORTER
from citybase.core.errors import Conflict, FieldError, InvalidInput, NotFound, PermissionDenied
from citybase.core.i18n_marker import N_
from citybase.core.units import Unit
from citybase.core.db import utcnow

_hasher = PasswordHasher()


class AccountLocked(PermissionDenied):
    """Raised while an account is locked after repeated wrong passwords."""


class AccountDeactivated(PermissionDenied):
    """Raised when the right password is given for a deactivated account."""

# A hash of a random password: verifying against it when the user is unknown keeps
# the login time the same for known and unknown usernames.
_DUMMY_HASH = _hasher.hash(secrets.token_hex(16))

USERNAME_PATTERN = re.compile(r"^[A-Za-z0-9_.\-]{3,64}$")
MIN_PASSWORD_LENGTH = 10
# After this many wrong passwords in a row the account is locked for LOCK_MINUTES,
# which slows password guessing to a few tries an hour per account.
MAX_FAILED_LOGINS = 5
LOCK_MINUTES = 15
TOKEN_PREFIX = "cb_"


def hash_secret(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def count_users(session: Session) -> int:
    return session.scalar(select(func.count(User.id)).where(User.is_service.is_(False))) or 0


def validate_new_user(
    session: Session, username: str, display_name: str, password: str | None, role: str,
    unit_code: str | None, *, service: bool = False,
) -> tuple[list[FieldError], Unit | None]:
    errors: list[FieldError] = []
    if not USERNAME_PATTERN.match(username or ""):
        errors.append(FieldError("username", "Use 3 to 64 letters, digits, dots, dashes or underscores.", username))
    elif session.scalar(select(User.id).where(User.username == username)) is not None:
        errors.append(FieldError("username", "This username is taken; choose another.", username))
    if not (display_name or "").strip():
        errors.append(FieldError("display_name", "Enter the name shown on pages.", display_name))
    if not service and (password is None or len(password) < MIN_PASSWORD_LENGTH):
        errors.append(FieldError(
            "password", "Use at least {min} characters.", None, {"min": MIN_PASSWORD_LENGTH},
        ))
    if role not in ROLES:
        errors.append(FieldError("role", "Choose one of: {roles}.", role, {"roles": ", ".join(ROLES)}))
    unit = None
    if unit_code:
        unit = session.scalar(select(Unit).where(Unit.code == unit_code))
        if unit is None:
            errors.append(FieldError("unit", "No unit has this code; `citybase units list` shows the codes.", unit_code))
    elif role == UNIT_REPORTER:
        errors.append(FieldError("unit", "A unit reporter needs a unit.", unit_code))
    return errors, unit


def create_user(
    session: Session, *, username: str, display_name: str, password: str | None, role: str,
    unit_code: str | None = None, service: bool = False,
) -> User:
    """Create a person (with a password) or a service account (without one)."""
    errors, unit = validate_new_user(session, username, display_name, password, role, unit_code, service=service)
    if errors:
        raise InvalidInput("The user could not be created.", errors=errors)
    user = User(
        username=username, display_name=display_name.strip(), role=role,
        password_hash=hash_password(password) if password else None,
        unit_id=unit.id if unit else None, is_service=service,
    )
    session.add(user)
    session.flush()
    return user


def validate_password(password: str | None, again: str | None = None, field: str = "password") -> list[FieldError]:
    errors: list[FieldError] = []
    if password is None or len(password) < MIN_PASSWORD_LENGTH:
        errors.append(FieldError(field, "Use at least {min} characters.", None, {"min": MIN_PASSWORD_LENGTH}))
    elif again is not None and again != password:
        errors.append(FieldError(f"{field}_again", "The two passwords differ; type the same password twice."))
    return errors


def find_user(session: Session, username: str) -> User:
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        raise NotFound("No user named {username}; `citybase users list` shows them.", params={"username": username})
    return user


def _end_all_sessions(session: Session, user: User) -> None:
    for login in session.scalars(select(LoginSession).where(LoginSession.user_id == user.id)):
        session.delete(login)


def reset_password(session: Session, user: User, new_password: str | None = None) -> str | None:
    """Reset ``user``'s password as an administrator; the user must change it at next login.

    With ``new_password`` the administrator chose it; without, a temporary password is
    generated and returned, to be shown once. The user's login sessions end and a lock
    after wrong passwords is lifted.
    """
    if user.is_service:
        raise Conflict("{username} is a service account: it has no password and uses tokens only.",
                       params={"username": user.username})
    temporary = None
    if not new_password:
        temporary = new_password = secrets.token_urlsafe(9)  # 12 characters
    errors = validate_password(new_password)
    if errors:
        raise InvalidInput("The password was not reset.", errors=errors)
    user.password_hash = hash_password(new_password)
    user.must_change_password = True
    user.failed_logins = 0
    user.locked_until = None
    _end_all_sessions(session, user)
    return temporary


def change_password(session: Session, user: User, current: str, new: str, again: str) -> None:
    """Let a user replace their own password; the current one must be right."""
    errors: list[FieldError] = []
    if not verify_password(user.password_hash, current or ""):
        errors.append(FieldError("current_password", "The current password is wrong."))
    errors += validate_password(new, again, "new_password")
    if not errors and current == new:
        errors.append(FieldError("new_password", "Choose a password different from the current one."))
    if errors:
        raise InvalidInput("The password was not changed.", errors=errors)
    user.password_hash = hash_password(new)
    user.must_change_password = False


def set_active(session: Session, user: User, active: bool, *, by: User | None = None) -> User:
    """Deactivate or reactivate ``user``. A deactivated user cannot log in and their
    tokens stop working; their login sessions end at once. An administrator cannot
    deactivate their own account, and the last active administrator stays active."""
    if user.is_active and active:
        raise Conflict("User {username} is already active.", params={"username": user.username})
    if not user.is_active and not active:
        raise Conflict("User {username} is already deactivated.", params={"username": user.username})
    if not active:
        if by is not None and by.id == user.id:
            raise Conflict("You cannot deactivate your own account; ask another administrator.")
        if user.role == ADMIN:
            others = session.scalar(
                select(func.count(User.id)).where(User.role == ADMIN, User.is_active.is_(True), User.id != user.id)
            )
            if not others:
                raise Conflict("{username} is the last active administrator; add or reactivate another first.",
                               params={"username": user.username})
        _end_all_sessions(session, user)
    user.is_active = active
    return user


def authenticate(session: Session, username: str, password: str) -> User | None:
    """Return the user if the password is right and the account is usable, else None.

    Wrong passwords are counted on the user (the caller commits them); the fifth in a
    row locks the account for ``LOCK_MINUTES``, raising ``AccountLocked`` until then.
    """
    user = session.scalar(select(User).where(User.username == username, User.is_service.is_(False)))
    ok = verify_password(user.password_hash if user else None, password)
    if user is None:
        return None
    if not user.is_active:
        # Said only to someone who knows the password, so it reveals nothing to a guesser.
        if ok:
            raise AccountDeactivated(N_("This account is deactivated; ask an administrator to reactivate it."))
        return None
    now = utcnow()
    if user.locked_until is not None and user.locked_until > now:
        raise AccountLocked(
            N_("Too many wrong passwords: this account is locked until {until}. Try again later or ask an administrator."),
            params={"until": user.locked_until},
        )
    if not ok:
        user.failed_logins = (user.failed_logins or 0) + 1
        if user.failed_logins >= MAX_FAILED_LOGINS:
            user.locked_until = now + dt.timedelta(minutes=LOCK_MINUTES)
            user.failed_logins = 0
        return None
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = now
    return user


def start_login_session(session: Session, user: User, hours: int, ip: str | None) -> tuple[str, LoginSession]:
    """Create a login session; return the cookie token (only its hash is stored)."""
    token = secrets.token_urlsafe(32)
    login = LoginSession(
        token_hash=hash_secret(token), csrf_token=secrets.token_urlsafe(24), user_id=user.id,
        expires_at=utcnow() + dt.timedelta(hours=hours), ip=ip,
    )
    session.add(login)
    session.flush()
    return token, login


def find_login_session(session: Session, token: str, hours: int) -> LoginSession | None:
    """Return the live login session of ``token``; extend its expiry when it has aged.

    The caller commits an extended expiry and sends the cookie again with a new max-age,
    so the browser keeps the cookie as long as the server keeps the session.
    """
    login = session.scalar(select(LoginSession).where(LoginSession.token_hash == hash_secret(token)))
    now = utcnow()
    if login is None or login.expires_at <= now or not login.user.is_active:
        return None
    # Sliding expiry, written at most every few minutes to keep reads cheap.
    if login.expires_at - now < dt.timedelta(hours=hours) - dt.timedelta(minutes=5):
        login.expires_at = now + dt.timedelta(hours=hours)
    return login


def login_session_extended(session: Session, login: LoginSession) -> bool:
    """Return True when ``find_login_session`` has just extended ``login``'s expiry."""
    return login in session.dirty and session.is_modified(login)


def end_login_session(session: Session, token: str) -> None:
    login = session.scalar(select(LoginSession).where(LoginSession.token_hash == hash_secret(token)))
    if login is not None:
        session.delete(login)


def create_token(
    session: Session, user: User, name: str, *, can_write: bool, days: int | None = None,
) -> tuple[str, ApiToken]:
    """Issue a bearer token for ``user``; return the secret (shown once) and its record."""
    if not (name or "").strip():
        raise InvalidInput(errors=[FieldError("name", "Give the token a name that says where it is used.", name)])
    if days is not None and days <= 0:
        raise InvalidInput(errors=[FieldError("days", "Use a positive number of days, or leave it empty.", days)])
    secret = secrets.token_urlsafe(32)
    prefix = secrets.token_hex(4)
    raw = f"{TOKEN_PREFIX}{prefix}_{secret}"
    token = ApiToken(
        name=name.strip(), prefix=prefix, token_hash=hash_secret(raw), user_id=user.id,
        can_write=can_write, expires_at=utcnow() + dt.timedelta(days=days) if days else None,
    )
    session.add(token)
    session.flush()
    return raw, token


def find_token(session: Session, raw: str) -> ApiToken | None:
    token = session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_secret(raw)))
    now = utcnow()
    if token is None or token.revoked_at is not None or not token.user.is_active:
        return None
    if token.expires_at is not None and token.expires_at <= now:
        return None
    if token.last_used_at is None or now - token.last_used_at > dt.timedelta(minutes=5):
        token.last_used_at = now
    return token


def revoke_token(session: Session, token_id: int, owner: User | None) -> ApiToken:
    """Revoke a token; ``owner`` limits it to that user's tokens (None: any token)."""
    token = session.get(ApiToken, token_id)
    if token is None or (owner is not None and token.user_id != owner.id):
        raise NotFound("No token with id {id}.", params={"id": token_id})
    if token.revoked_at is not None:
        raise Conflict("Token {id} is already revoked.", params={"id": token_id})
    token.revoked_at = utcnow()
    return token
