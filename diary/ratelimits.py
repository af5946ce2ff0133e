"""Limits on guessing: login attempts and share codes, per account and per client address."""

from __future__ import annotations

from flask import current_app, g, request
from flask_limiter.util import get_remote_address

from .extensions import limiter


def _account_key() -> str:
    try:
        data = request.get_json(silent=True) if request.is_json else request.form
    except RecursionError:  # absurdly nested JSON: the view answers 400
        data = None
    email = data.get("email") if isinstance(data, dict) or hasattr(data, "get") else None
    return "account:" + (email.strip().lower() if isinstance(email, str) else "")


def mark_login_failed() -> None:
    """Count this request against the account's failed-login allowance."""
    g.login_failed = True


login_per_account = limiter.shared_limit(
    lambda: current_app.config["LOGIN_LIMIT_PER_ACCOUNT"],
    scope="login-account",
    key_func=_account_key,
    deduct_when=lambda response: bool(g.get("login_failed")),
)
login_per_address = limiter.shared_limit(
    lambda: current_app.config["LOGIN_LIMIT_PER_ADDRESS"], scope="login-address"
)


def login_limits(view):
    """Both login limits, for the API and the HTML login alike."""
    return login_per_address(login_per_account(view))


def _user_key() -> str:
    from flask_login import current_user

    return "user:" + (str(current_user.id) if current_user.is_authenticated else get_remote_address())


def mark_code_failed() -> None:
    """Count this request against the therapist's allowance of wrong share codes."""
    g.code_failed = True


code_per_user = limiter.shared_limit(
    lambda: current_app.config["SHARE_CODE_LIMIT_PER_USER"],
    scope="share-code-user",
    key_func=_user_key,
    deduct_when=lambda response: bool(g.get("code_failed")),
)
code_per_address = limiter.shared_limit(
    lambda: current_app.config["SHARE_CODE_LIMIT_PER_ADDRESS"],
    scope="share-code-address",
    deduct_when=lambda response: bool(g.get("code_failed")),
)


def share_code_limits(view):
    """Wrong share codes are limited per therapist and per address, so codes cannot be guessed."""
    return code_per_address(code_per_user(view))
