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


def _limit(setting: str, scope: str, key_func=None, counts_only: str | None = None):
    """A limit whose value is the setting `setting`; with `counts_only`, only requests that set
    that flag on `g` (failures) use up the allowance."""
    return limiter.shared_limit(
        lambda: current_app.config[setting], scope=scope, key_func=key_func,
        deduct_when=(lambda response: bool(g.get(counts_only))) if counts_only else None)


login_per_account = _limit("LOGIN_LIMIT_PER_ACCOUNT", "login-account", _account_key, "login_failed")
login_per_address = _limit("LOGIN_LIMIT_PER_ADDRESS", "login-address")


def login_limits(view):
    """Both login limits, for the API and the HTML login alike."""
    return login_per_address(login_per_account(view))


def _user_key() -> str:
    from flask_login import current_user

    return "user:" + (str(current_user.id) if current_user.is_authenticated else get_remote_address())


def mark_code_failed() -> None:
    """Count this request against the therapist's allowance of wrong share codes."""
    g.code_failed = True


code_per_user = _limit("SHARE_CODE_LIMIT_PER_USER", "share-code-user", _user_key, "code_failed")
code_per_address = _limit("SHARE_CODE_LIMIT_PER_ADDRESS", "share-code-address",
                          counts_only="code_failed")


def share_code_limits(view):
    """Wrong share codes are limited per therapist and per address, so codes cannot be guessed."""
    return code_per_address(code_per_user(view))
