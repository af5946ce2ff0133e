"""Password reset: a one-use link by email, valid for RESET_LIFETIME (docs/accounts.md).

Asking gives the same answer whether or not the address has an account, and does the same work
either way: one look-up, one token made and hashed, the email rendered, one write to the tokens
table and a commit. The email itself goes after the response (diary/mail.py), so neither the
answer nor its timing says whether an account exists.
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from sqlalchemy import delete, select, update
from werkzeug.exceptions import NotFound

from .. import passwords
from ..auth import normalise_email, token_hash
from ..extensions import db
from ..mail import absolute_url, deliver_after_response, render_email
from ..models import PasswordResetToken, User, utcnow
from .accounts import _check_password
from .logins import end_all_logins

RESET_LIFETIME = timedelta(minutes=60)
RESET_SUBJECT = "Set a new password for your headache diary"
CHANGED_SUBJECT = "Your headache diary password was changed"


def request_password_reset(email: str) -> None:
    """Email a one-use link to the account with this address, if there is one (and it is not
    disabled); otherwise nothing is sent, after the same work."""
    email = normalise_email(email)
    # No stored address holds a NUL, and PostgreSQL refuses one in a query.
    user = db.session.scalar(select(User).where(User.email == email)) if "\x00" not in email else None
    token = secrets.token_urlsafe(32)
    digest = token_hash(token)
    now = utcnow()
    text, html = render_email(
        RESET_SUBJECT,
        "password_reset",
        reset_url=absolute_url("web.reset_password", token=token),
        valid_minutes=int(RESET_LIFETIME.total_seconds() // 60),
    )
    if user is not None and user.disabled_at is None:
        db.session.add(
            PasswordResetToken(
                user_id=user.id, token_hash=digest, created_at=now, expires_at=now + RESET_LIFETIME
            )
        )
        db.session.commit()
        deliver_after_response(user.email, RESET_SUBJECT, text, html)
    else:
        # The write an account's request makes, without a row to make: a token nobody holds is
        # looked for and deleted (also clearing tokens long expired).
        db.session.execute(
            delete(PasswordResetToken).where(
                (PasswordResetToken.token_hash == digest)
                | (PasswordResetToken.expires_at < now - RESET_LIFETIME)
            )
        )
        db.session.commit()


def reset_token_owner(token: str) -> User | None:
    """The account a reset link is for, while the link is unused and unexpired; else None."""
    return db.session.scalar(
        select(User)
        .join(PasswordResetToken, PasswordResetToken.user_id == User.id)
        .where(
            PasswordResetToken.token_hash == token_hash(token),
            PasswordResetToken.used_at.is_(None),
            PasswordResetToken.expires_at > utcnow(),
            User.disabled_at.is_(None),
        )
    )


def reset_password(token: str, new_password: str) -> User:
    """Set the new password through a reset link: the link (and every other of the account) is
    used up, every login of the account ends, and the owner is told by email. NotFound for an
    unknown, used or expired link; InvalidInput for a weak password (the link stays usable)."""
    user = reset_token_owner(token)
    if user is None:
        raise NotFound("This link is unknown, used or expired.")
    _check_password(new_password, user.email, user.display_name)
    now = utcnow()
    claimed = db.session.execute(
        update(PasswordResetToken)
        .where(PasswordResetToken.token_hash == token_hash(token), PasswordResetToken.used_at.is_(None))
        .values(used_at=now)
    )
    if claimed.rowcount != 1:  # another request used it first
        db.session.rollback()
        raise NotFound("This link is unknown, used or expired.")
    db.session.execute(
        update(PasswordResetToken)
        .where(PasswordResetToken.user_id == user.id, PasswordResetToken.used_at.is_(None))
        .values(used_at=now)
    )
    user.password_hash = passwords.hash_password(new_password)
    end_all_logins(user)
    db.session.commit()
    text, html = render_email(
        CHANGED_SUBJECT, "password_changed", forgot_url=absolute_url("web.forgot_password")
    )
    deliver_after_response(user.email, CHANGED_SUBJECT, text, html)
    return user
