"""Login sessions kept on the server, so that logout and erasure end them for good; devices
that logged in before, so that strangers' failures do not lock their owner out."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta

from flask import Flask, after_this_request, current_app, redirect, request, session, url_for
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import bindparam, select, update

from .errors import problem
from .extensions import db, login_manager
from .models import LoginSession, User, utcnow

SESSION_TOKEN_KEY = "sid"
# OWASP "device cookies": a signed cookie naming the accounts this device has logged in to.
DEVICE_COOKIE = "diary_device"
DEVICE_LIFETIME = timedelta(days=365)
DEVICE_ACCOUNTS = 5  # a shared family tablet or clinic computer remembers its last five


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def current_token_hash() -> str | None:
    """The hash of the login this request's session cookie names, or None."""
    token = session.get(SESSION_TOKEN_KEY)
    return token_hash(token) if token else None


def normalise_email(email: str) -> str:
    return email.strip().lower()


def email_digest(email: str) -> str:
    """A keyed hash (HMAC with SECRET_KEY) of an email: rate-limit keys and device cookies name
    an account by it, so neither Redis nor a cookie holds an address."""
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, b"email:" + normalise_email(email).encode(), hashlib.sha256).hexdigest()[:32]


def _device_signer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="known-device")


def _device_cookie() -> dict | None:
    """The request's device cookie when it is ours, unexpired and well formed, else None."""
    try:
        data = _device_signer().loads(
            request.cookies.get(DEVICE_COOKIE, ""), max_age=DEVICE_LIFETIME.total_seconds()
        )
    except BadSignature:  # also an expired or missing cookie
        return None
    if not (
        isinstance(data, dict)
        and isinstance(data.get("device"), str)
        and isinstance(data.get("accounts"), list)
    ):
        return None
    return data


def known_device(email: str) -> str | None:
    """This device's id when it has logged in to the account with this email before, else None."""
    data = _device_cookie()
    return data["device"] if data and email_digest(email) in data["accounts"] else None


def remember_device(email: str) -> None:
    """After a login: this device is known for this account from now on."""
    data = _device_cookie() or {"device": secrets.token_urlsafe(16), "accounts": []}
    digest = email_digest(email)
    _send_device_cookie(data["device"], [digest, *(a for a in data["accounts"] if a != digest)])


def forget_device(email: str) -> None:
    """After an erasure: this device no longer names the account."""
    data = _device_cookie()
    if data is not None and (digest := email_digest(email)) in data["accounts"]:
        _send_device_cookie(data["device"], [a for a in data["accounts"] if a != digest])


def _send_device_cookie(device: str, accounts: list[str]) -> None:
    value = _device_signer().dumps({"device": device, "accounts": accounts[:DEVICE_ACCOUNTS]})

    @after_this_request
    def set_device_cookie(response):
        response.set_cookie(
            DEVICE_COOKIE,
            value,
            max_age=int(DEVICE_LIFETIME.total_seconds()),
            httponly=True,
            samesite="Lax",
            secure=current_app.config["SESSION_COOKIE_SECURE"],
        )
        return response


# Every request behind a login runs this: the user, when the login began and was last seen, in
# one statement built once (one entity to load, not a login session with its user joined).
_USER_OF_LOGIN = (
    select(User, LoginSession.created_at, LoginSession.last_seen_at)
    .join(LoginSession, LoginSession.user_id == User.id)
    .where(LoginSession.token_hash == bindparam("token_hash"))
)
# "Last seen" on the account page is written at most this often per login: one UPDATE a minute,
# not one per request.
LAST_SEEN_EVERY = timedelta(minutes=1)


def _load_user(user_id: str):
    token = session.get(SESSION_TOKEN_KEY)
    if not token:
        return None
    digest = token_hash(token)
    login = db.session.execute(_USER_OF_LOGIN, {"token_hash": digest}).one_or_none()
    if login is None or str(login.User.id) != user_id or login.User.disabled_at is not None:
        return None
    now = utcnow()
    lifetime = timedelta(seconds=current_app.config["PERMANENT_SESSION_LIFETIME"])
    if login.created_at + lifetime < now:
        return None
    if login.last_seen_at is None or login.last_seen_at + LAST_SEEN_EVERY <= now:
        _seen(digest, now)
    return login.User


def _seen(digest: str, now) -> None:
    """Note the login's last use and address (committed now: the user is loaded before a view
    does any work of its own)."""
    db.session.execute(
        update(LoginSession)
        .where(LoginSession.token_hash == digest)
        .values(last_seen_at=now, address=(request.remote_addr or "")[:45] or None)
    )
    db.session.commit()


def _unauthorized():
    if request.path.startswith("/api/"):
        return problem(401, "Not logged in", "Log in to do this.")
    return redirect(url_for("web.login", next=request.full_path.rstrip("?")))


def init_auth(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.user_loader(_load_user)
    login_manager.unauthorized_handler(_unauthorized)
    login_manager.session_protection = None  # the server-side login session is the protection
