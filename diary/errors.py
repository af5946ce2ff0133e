"""Errors: problem+json (RFC 9457) under /api, friendly pages elsewhere; never a stack trace."""

from __future__ import annotations

import logging

from flask import Flask, Response, current_app, json, render_template, request
from flask_limiter.errors import RateLimitExceeded
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError, MethodNotAllowed, NotFound

log = logging.getLogger(__name__)

PROBLEM_TYPE = "about:blank"


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
    if isinstance(error, MethodNotAllowed) and error.valid_methods \
            and not _servable_methods(error.valid_methods):
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


def _unexpected(error: Exception):
    log.exception("unhandled error on %s %s", request.method, request.path)
    return _http_error(InternalServerError())


def register_error_handlers(app: Flask) -> None:
    """Every error, expected or not, answers in the shape the caller reads."""
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(InvalidInput, _invalid_input)
    app.register_error_handler(Conflict, _conflict)
    app.register_error_handler(Exception, _unexpected)
