"""Write side of logins and devices: end one login, disable or enable an account, and the
new-device email (docs/accounts.md)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import delete, select

from ..auth import normalise_email
from ..extensions import db
from ..mail import absolute_url, send_email_after_response
from ..models import LoginSession, User, utcnow
from .rows import delete_owned

NEW_SIGN_IN_SUBJECT = "New sign-in to your headache diary"


def announce_new_device(user: User, device: str, at: datetime) -> None:
    """Tell the owner, by email, that a device new to the account has logged in (no health data:
    the device's words, the time, and where to act)."""
    local = at.astimezone(ZoneInfo(user.timezone))
    send_email_after_response(
        user.email,
        NEW_SIGN_IN_SUBJECT,
        "new_sign_in",
        device=device,
        when=f"{local.day} {local:%B %Y at %H:%M} ({user.timezone.replace('_', ' ')})",
        forgot_url=absolute_url("web.forgot_password"),
        account_url=absolute_url("web.account"),
    )


def end_login(user: User, login_id: str) -> bool:
    """End one of the user's logins by its id; False when the user has no such login."""
    return delete_owned(LoginSession, login_id, LoginSession.user_id, user.id)


def end_all_logins(user: User) -> int:
    """End every login of the user (in the caller's transaction); how many there were."""
    return db.session.execute(delete(LoginSession).where(LoginSession.user_id == user.id)).rowcount


class NoSuchAccount(LookupError):
    """No account has this email."""


def _account(email: str) -> User:
    user = db.session.scalar(select(User).where(User.email == normalise_email(email)))
    if user is None:
        raise NoSuchAccount(email)
    return user


def disable_account(email: str) -> tuple[User, int]:
    """The clinic disables an account: it can no longer log in, and every login of it ends at
    once. Returns the user and how many logins ended. Disabling twice changes nothing more."""
    user = _account(email)
    if user.disabled_at is None:
        user.disabled_at = utcnow()
    ended = end_all_logins(user)
    db.session.commit()
    return user, ended


def enable_account(email: str) -> User:
    """The clinic lets a disabled account log in again."""
    user = _account(email)
    user.disabled_at = None
    db.session.commit()
    return user
