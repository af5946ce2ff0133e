"""Login sessions kept on the server, so that logout and erasure end them for good."""

from __future__ import annotations

import hashlib
from datetime import timedelta

from flask import Flask, current_app, redirect, request, session, url_for
from sqlalchemy import bindparam, select

from .errors import problem
from .extensions import db, login_manager
from .models import LoginSession, User, utcnow

SESSION_TOKEN_KEY = "sid"


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


# Every request behind a login runs this: the user and when the login began, in one statement
# built once (one entity to load, not a login session with its user joined).
_USER_OF_LOGIN = select(User, LoginSession.created_at).join(LoginSession, LoginSession.user_id == User.id) \
    .where(LoginSession.token_hash == bindparam("token_hash"))


def _load_user(user_id: str):
    token = session.get(SESSION_TOKEN_KEY)
    if not token:
        return None
    login = db.session.execute(_USER_OF_LOGIN, {"token_hash": token_hash(token)}).one_or_none()
    if login is None or str(login.User.id) != user_id:
        return None
    lifetime = timedelta(seconds=current_app.config["PERMANENT_SESSION_LIFETIME"])
    if login.created_at + lifetime < utcnow():
        return None
    return login.User


def _unauthorized():
    if request.path.startswith("/api/"):
        return problem(401, "Not logged in", "Log in to do this.")
    return redirect(url_for("web.login", next=request.full_path.rstrip("?")))


def init_auth(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.user_loader(_load_user)
    login_manager.unauthorized_handler(_unauthorized)
    login_manager.session_protection = None  # the server-side login session is the protection
