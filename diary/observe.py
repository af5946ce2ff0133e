"""What an operator runs the diary by: one log line per request, Prometheus metrics, a readiness
check (docs/operations.md).

A log line says which route answered (its URL rule, `/api/v1/patients/<pid>/days/<day:day>`,
never the path with ids or dates in it), the method, the status, the time taken and a request
id; never an email, a patient's id or anything from their diary. Where a line must tell two
users apart it carries `user`, a keyed hash of the account id (LOG_HASH_KEY, or a key derived
from SECRET_KEY), which the operator cannot turn back into an account without the key.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import re
import sys
import time
import uuid
from datetime import UTC, datetime

from flask import Flask, Response, current_app, g, request
from flask.logging import default_handler
from sqlalchemy import inspect, text
from werkzeug.exceptions import NotFound, Unauthorized

from . import metrics
from .access import rule
from .extensions import db

log = logging.getLogger("diary.requests")

REQUEST_ID_HEADER = "X-Request-ID"
# An incoming request id is kept when it is a short token of safe characters (a load
# balancer's or a client's); anything else is replaced, so a log line cannot be forged with it.
SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,127}")
NO_ROUTE = "<no route>"  # a 404 or 405 that matched no URL rule
# The endpoints whose 409 and 412 answers are sync conflicts (diary/api/days.py).
DAY_WRITES = frozenset({"api.put_day", "api.delete_day"})
# A client may send any method token; the rest are "other", so a scanner cannot grow the
# metrics' series without bound (nor write what it likes into a log line).
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


def keyed_hash(value: object) -> str:
    """A short keyed hash (HMAC-SHA256) of `value`, the same for the same value under one key:
    log lines can tell two users apart without naming them."""
    key = (
        current_app.config.get("LOG_HASH_KEY")
        or hmac.new(current_app.config["SECRET_KEY"].encode(), b"log-hash-key", hashlib.sha256).hexdigest()
    )
    return hmac.new(key.encode(), str(value).encode(), hashlib.sha256).hexdigest()[:16]


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time, level, logger, message and the record's `fields`."""

    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            **getattr(record, "fields", {}),
        }
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, default=str)


class PlainFormatter(logging.Formatter):
    """For development: the message and the fields as key=value."""

    def format(self, record: logging.LogRecord) -> str:
        fields = " ".join(f"{k}={v}" for k, v in getattr(record, "fields", {}).items())
        line = f"{self.formatTime(record)} {record.levelname} {record.name}: {record.getMessage()} {fields}"
        if record.exc_info:
            line += "\n" + self.formatException(record.exc_info)
        return line.rstrip()


class _OurHandler(logging.StreamHandler):
    """The handler configure_logging installs (told apart so that a new app replaces it)."""


def configure_logging(app: Flask) -> None:
    """The `diary` loggers write to stderr (the process manager keeps it), in JSON lines when
    LOG_FORMAT is "json" (the default in production) or plainly."""
    logger = logging.getLogger("diary")
    for handler in list(logger.handlers):
        if isinstance(handler, _OurHandler) or handler is default_handler:
            logger.removeHandler(handler)
    handler = _OurHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if app.config["LOG_FORMAT"] == "json" else PlainFormatter())
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False  # one line, not a second through a handler on the root logger


def _request_id() -> str:
    incoming = request.headers.get(REQUEST_ID_HEADER, "")
    return incoming if SANE_REQUEST_ID.fullmatch(incoming) else uuid.uuid4().hex


def _route() -> str:
    return request.url_rule.rule if request.url_rule is not None else NO_ROUTE


def _user() -> str | None:
    """The keyed hash of the logged-in user, when the request loaded one (a route under the
    rule "anyone" reads no session, and is not made to here)."""
    user = g.get("_login_user")
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    # The id from the session's identity map, not the row: a request that erased the account (or
    # raced an erasure) has no row left to read it from.
    identity = inspect(user).identity
    return keyed_hash(identity[0]) if identity else None


def _started() -> None:
    g.request_started = time.perf_counter()
    g.request_id = _request_id()


def _finished(response: Response) -> Response:
    started = g.get("request_started")
    duration = time.perf_counter() - started if started is not None else 0.0
    request_id = g.get("request_id") or _request_id()
    route, status = _route(), response.status_code
    method = request.method if request.method in METHODS else "other"
    response.headers[REQUEST_ID_HEADER] = request_id
    metrics.REQUESTS.labels(route, method, str(status)).inc()
    metrics.LATENCY.labels(route, method).observe(duration)
    if status in (409, 412) and request.endpoint in DAY_WRITES:
        metrics.SYNC_CONFLICTS.labels(str(status)).inc()
    fields = {
        "request_id": request_id,
        "method": method,
        "route": route,
        "status": status,
        "duration_ms": round(duration * 1000, 1),
    }
    if (user := _user()) is not None:
        fields["user"] = user
    log.info("request", extra={"fields": fields})
    return response


@rule("anyone")
def serve_metrics():
    """Prometheus' scrape: only with METRICS_TOKEN set, and only for `Authorization: Bearer
    <METRICS_TOKEN>` (401 otherwise). Without the setting there is nothing here (404)."""
    token = current_app.config["METRICS_TOKEN"]
    if not token:
        raise NotFound()
    given = request.headers.get("Authorization", "")
    if not hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
        raise Unauthorized("The metrics need the operator's token.")
    body, content_type = metrics.exposition(current_app.config["METRICS_MULTIPROCESS"])
    return Response(body, content_type=content_type)


def database_answers() -> bool:
    """Whether the database answers a trivial query now (within its connect timeout)."""
    try:
        db.session.execute(text("SELECT 1"))
        return True
    except Exception as error:  # any failure to answer is "not ready"; its first line is logged
        log.warning("readiness: the database did not answer: %s", str(error).splitlines()[0])
        db.session.rollback()
        return False


def register_observability(app: Flask) -> None:
    """The log handler, the per-request line and metrics, `/metrics`, and the pool gauges."""
    configure_logging(app)
    app.before_request(_started)
    app.after_request(_finished)
    app.add_url_rule("/metrics", "metrics", serve_metrics, methods=["GET"])
    with app.app_context():
        metrics.watch_pool(db.engine)
