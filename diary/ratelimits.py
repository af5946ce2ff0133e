"""Limits on guessing and on costly requests: login attempts, registrations and share codes,
per account and per client address (docs/security.md)."""

from __future__ import annotations

from flask import current_app, g, request, session
from flask_limiter.util import get_remote_address

from .auth import email_digest, known_device
from .extensions import limiter
from .second_factor import PENDING_KEY

# Only attempts count: viewing the login or registration page uses up nothing.
ATTEMPTS = ["POST"]


def _email_in_request() -> str:
    try:
        data = request.get_json(silent=True) if request.is_json else request.form
    except RecursionError:  # absurdly nested JSON: the view answers 400
        data = None
    email = data.get("email") if isinstance(data, dict) or hasattr(data, "get") else None
    return email if isinstance(email, str) else ""


def _account_key() -> str:
    """Failures from unknown devices share the account's allowance; a device that logged in to
    the account before has an allowance of its own, so strangers cannot lock its owner out."""
    email = _email_in_request()
    device = known_device(email)
    digest = email_digest(email)
    return f"account:{digest}" if device is None else f"device:{device}:{digest}"


def mark_login_failed() -> None:
    """Count this request against the account's failed-login allowance."""
    g.login_failed = True


def _limit(
    setting: str, scope: str, key_func=None, counts_only: str | None = None, methods: list[str] | None = None
):
    """A limit whose value is the setting `setting`; with `counts_only`, only requests that set
    that flag on `g` (failures) use up the allowance; with `methods`, only those methods."""
    return limiter.shared_limit(
        lambda: current_app.config[setting],
        scope=scope,
        key_func=key_func,
        methods=methods,
        deduct_when=(lambda response: bool(g.get(counts_only))) if counts_only else None,
    )


login_per_account = _limit(
    "LOGIN_LIMIT_PER_ACCOUNT", "login-account", _account_key, "login_failed", methods=ATTEMPTS
)
login_per_address = _limit("LOGIN_LIMIT_PER_ADDRESS", "login-address", methods=ATTEMPTS)


def login_limits(view):
    """Both login limits, for the API and the HTML login alike."""
    return login_per_address(login_per_account(view))


# Each registration costs a strong password hash (64 MiB of memory): one address gets a few.
registration_limit = _limit("REGISTER_LIMIT_PER_ADDRESS", "register-address", methods=ATTEMPTS)


def _user_key() -> str:
    from flask_login import current_user

    return "user:" + (str(current_user.id) if current_user.is_authenticated else get_remote_address())


def mark_code_failed() -> None:
    """Count this request against the therapist's allowance of wrong share codes."""
    g.code_failed = True


code_per_user = _limit("SHARE_CODE_LIMIT_PER_USER", "share-code-user", _user_key, "code_failed")
code_per_address = _limit("SHARE_CODE_LIMIT_PER_ADDRESS", "share-code-address", counts_only="code_failed")


def share_code_limits(view):
    """Wrong share codes are limited per therapist and per address, so codes cannot be guessed."""
    return code_per_address(code_per_user(view))


def _reset_email_key() -> str:
    return "reset-email:" + email_digest(_email_in_request())


# Password-reset emails: a few per address asked about (so nobody's inbox is flooded) and per
# client address; the same for every address, with an account or not (docs/accounts.md).
reset_per_email = _limit(
    "PASSWORD_RESET_LIMIT_PER_EMAIL", "password-reset-email", _reset_email_key, methods=ATTEMPTS
)
reset_per_address = _limit("PASSWORD_RESET_LIMIT_PER_ADDRESS", "password-reset-address", methods=ATTEMPTS)


def password_reset_limits(view):
    """Both password-reset limits, for the API and the page alike."""
    return reset_per_address(reset_per_email(view))


def _waiting_login_key() -> str:
    """The account whose login waits for its second step (diary/operations/second_factor.py):
    wrong codes count against it however often its password is typed again."""
    pending = session.get(PENDING_KEY)
    user = pending.get("user") if isinstance(pending, dict) else None
    return f"second-factor:{user}" if isinstance(user, str) else "second-factor:" + get_remote_address()


second_step_per_account = _limit(
    "LOGIN_LIMIT_PER_ACCOUNT", "second-factor-account", _waiting_login_key, "login_failed", methods=ATTEMPTS
)


def second_step_limits(view):
    """A login's second step is limited like its password: per account (wrong codes only) and
    per address (the login's own allowance)."""
    return login_per_address(second_step_per_account(view))
