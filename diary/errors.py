"""Errors: problem+json (RFC 9457) under /api, friendly pages elsewhere; never a stack trace."""

from __future__ import annotations

import logging
import uuid

from flask import Flask, Response, current_app, json, render_template, request
from flask_limiter.errors import RateLimitExceeded
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from sqlalchemy import inspect, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import ObjectDeletedError, StaleDataError
from werkzeug.exceptions import (
    HTTPException,
    InternalServerError,
    MethodNotAllowed,
    NotFound,
    RequestURITooLarge,
)

from .extensions import db

log = logging.getLogger(__name__)

PROBLEM_TYPE = "about:blank"
# The longest request URI (path and query) the app serves: 414 above it. gunicorn.conf.py lets
# longer request lines through to the app, so that the refusal is ours, in the caller's shape.
MAX_URI_LENGTH = 4096


class InvalidInput(Exception):
    """Field values that break a rule; `errors` maps each field path to its messages."""

    def __init__(self, errors: dict[str, list[str]], detail: str = "Some fields need attention."):
        super().__init__(detail)
        self.errors = errors
        self.detail = detail


class Conflict(Exception):
    """The request clashes with what is stored (HTTP 409)."""


class StaleVersion(Exception):
    """An If-Match names a version that is no longer current (HTTP 412)."""

    def __init__(self, current):
        super().__init__("stale version")
        self.current = current


def wants_problem_json() -> bool:
    return request.path.startswith("/api/")


def problem(status: int, title: str, detail: str | None = None, headers=None, **extra) -> Response:
    """An application/problem+json response."""
    body = {"type": PROBLEM_TYPE, "title": title, "status": status}
    if detail:
        body["detail"] = detail
    body.update(extra)
    response = current_app.response_class(
        json.dumps(body), status=status, mimetype="application/problem+json"
    )
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def _page(status: int, title: str, detail: str):
    return render_template("error.html", status=status, title=title, detail=detail), status


def _servable_methods(methods) -> list[str]:
    """The methods that would really be served at this address. Werkzeug answers 405 when another
    method's rule matches the path's shape even if its converter refuses the value: a GET of
    /patients/me/days/2026-02-30 would be a 405 because PUT /patients/me/days/<day> exists."""
    adapter = current_app.create_url_adapter(request)
    servable = []
    for method in methods:
        try:
            adapter.match(method=method)
        except HTTPException as outcome:
            if 300 <= (outcome.code or 0) < 400:  # a redirect still serves the address
                servable.append(method)
            continue
        servable.append(method)
    return servable


def _http_error(error: HTTPException):
    if (
        isinstance(error, MethodNotAllowed)
        and error.valid_methods
        and not _servable_methods(error.valid_methods)
    ):
        error = NotFound()
    title = error.name
    detail = error.description if error.code != 404 else "There is nothing here."
    if isinstance(error, CSRFError):
        title = "Missing or invalid CSRF token"
        detail = "The page had expired. Go back, reload it and try again: nothing was saved."
    if isinstance(error, RateLimitExceeded):
        title = "Too many attempts"
        detail = "Too many attempts. Please wait a few minutes and try again."
    headers = {}
    if error.code == 405 and error.valid_methods:
        headers["Allow"] = ", ".join(error.valid_methods)
    if wants_problem_json():
        return problem(error.code, title, detail, headers=headers)
    return _page(error.code, title, detail)


def _invalid_input(error: InvalidInput):
    if wants_problem_json():
        return problem(422, "Invalid input", error.detail, errors=error.errors)
    return _page(422, "Invalid input", error.detail)


def _conflict(error: Conflict):
    if wants_problem_json():
        return problem(409, "Conflict", str(error))
    return _page(409, "Conflict", str(error))


# What a request meets when a row it relies on is deleted under it, as by an erasure that
# commits between the request's access check and its write.
ROW_VANISHED = (IntegrityError, ObjectDeletedError, StaleDataError)


def _user_exists(user_id: uuid.UUID) -> bool:
    from .models import User

    return db.session.scalar(select(User.id).where(User.id == user_id)) is not None


def _actor_id() -> uuid.UUID | None:
    """The logged-in user's id, read from the identity map: their row may be gone."""
    state = inspect(current_user._get_current_object(), raiseerr=False)
    return state.identity[0] if state is not None and state.identity else None


def _named_patient_id(actor_id: uuid.UUID | None) -> uuid.UUID | None:
    """The patient the URL names (`<pid>`, `me` being the actor), if any."""
    pid = (request.view_args or {}).get("pid")
    if pid == "me":
        return actor_id
    try:
        return uuid.UUID(pid) if isinstance(pid, str) else None
    except ValueError:
        return None


def _row_vanished(error: Exception):
    """401 when the acting user was erased mid-request, 404 when the patient the URL names was;
    any other such error is a bug and stays a 500."""
    db.session.rollback()  # the failed transaction, so the checks (and an error page) can run
    actor_id = _actor_id()
    if actor_id is not None and not _user_exists(actor_id):
        return current_app.login_manager.unauthorized()  # 401, or the login page on the web
    patient_id = _named_patient_id(actor_id)
    if patient_id is not None and not _user_exists(patient_id):
        return _http_error(NotFound())
    return _unexpected(error)


def _unexpected(error: Exception):
    # The route's URL rule, not the path: a path holds patient ids and diary dates (docs/operations.md).
    route = request.url_rule.rule if request.url_rule is not None else "<no route>"
    log.exception("unhandled error on %s %s", request.method, route)
    return _http_error(InternalServerError())


def _refuse_long_uri() -> None:
    """414 for a URI longer than MAX_URI_LENGTH, before any other work."""
    uri = request.environ.get("RAW_URI") or request.full_path.rstrip("?")
    if len(uri) > MAX_URI_LENGTH:
        raise RequestURITooLarge(f"The address is longer than {MAX_URI_LENGTH} characters.")


def register_error_handlers(app: Flask) -> None:
    """Every error, expected or not, answers in the shape the caller reads; an over-long URI is
    refused here, so that it too gets that shape (not the server's own page)."""
    app.before_request(_refuse_long_uri)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(InvalidInput, _invalid_input)
    app.register_error_handler(Conflict, _conflict)
    for vanished in ROW_VANISHED:
        app.register_error_handler(vanished, _row_vanished)
    app.register_error_handler(Exception, _unexpected)
