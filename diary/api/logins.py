"""Password reset and the account's logins (docs/api.md "Accounts for a real clinic")."""

from __future__ import annotations

from flask_login import current_user

from .. import queries
from ..access import rule
from ..operations import logins, password_reset
from ..ratelimits import password_reset_limits
from ..schemas.logins import (
    LoginSessionListSchema,
    PasswordResetAcceptedSchema,
    PasswordResetRequestSchema,
    PasswordResetSchema,
)
from . import bp
from .helpers import done, no_content

# The one answer to a reset request, whether or not the address has an account.
RESET_REQUESTED = (
    "If an account has this email, a link to set a new password is on its way. "
    f"It works once, for {int(password_reset.RESET_LIFETIME.total_seconds() // 60)} minutes."
)


@bp.post("/auth/password-reset")
@rule("anyone")
@password_reset_limits
@bp.arguments(PasswordResetRequestSchema)
@bp.response(202, PasswordResetAcceptedSchema)
@bp.problems(429)
def request_password_reset(data: dict):
    """Ask for a password-reset link by email (the same answer for any address)"""
    password_reset.request_password_reset(data["email"])
    return {"detail": RESET_REQUESTED}


@bp.post("/auth/password-reset/<token>")
@rule("anyone")
@bp.arguments(PasswordResetSchema)
@bp.response(204)
def reset_password(data: dict, token: str):
    """Set a new password with a reset link's token; every login of the account ends"""
    password_reset.reset_password(token, data["password"])
    return no_content()


@bp.get("/me/sessions")
@rule("logged_in", second_factor_setup=True)
@bp.response(200, LoginSessionListSchema)
def my_sessions():
    """My logins: device, address, when last seen; `current` marks this one"""
    return {"sessions": queries.logins_of(current_user)}


@bp.delete("/me/sessions/<uuid_text:login_id>")
@rule("logged_in", second_factor_setup=True)
@bp.response(204)
def end_session(login_id: str):
    """End one of my logins (its device is logged out at its next request)"""
    return done(logins.end_login(current_user, login_id), "You have no such login.")
