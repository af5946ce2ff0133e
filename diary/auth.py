"""Login sessions kept on the server, so that logout and erasure end them for good."""

from __future__ import annotations

import hashlib
from datetime import timedelta

from flask import Flask, current_app, redirect, request, session, url_for

from .errors import problem
from .extensions import db, login_manager
from .models import LoginSession, utcnow

SESSION_TOKEN_KEY = "sid"


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _load_user(user_id: str):
    token = session.get(SESSION_TOKEN_KEY)
    if not token:
        return None
    login = db.session.get(LoginSession, token_hash(token))
    if login is None or str(login.user_id) != user_id:
        return None
    lifetime = timedelta(seconds=current_app.config["PERMANENT_SESSION_LIFETIME"])
    if login.created_at + lifetime < utcnow():
        return None
    return login.user


def _unauthorized():
    if request.path.startswith("/api/"):
        return problem(401, "Not logged in", "Log in to do this.")
    return redirect(url_for("web.login", next=request.full_path.rstrip("?")))


def init_auth(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.user_loader(_load_user)
    login_manager.unauthorized_handler(_unauthorized)
    login_manager.session_protection = None  # the server-side login session is the protection
