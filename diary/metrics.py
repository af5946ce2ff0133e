"""Prometheus metrics (prometheus-client): what an operator watches the diary by.

Each metric lives here, at module level, so any part of the app (or a CLI command) counts into
it with one import: `from diary.metrics import REMINDERS_SENT; REMINDERS_SENT.inc()`.

Under gunicorn with several workers each worker counts on its own; gunicorn.conf.py sets
PROMETHEUS_MULTIPROC_DIR before any worker starts, and prometheus-client then keeps every
worker's figures in files there, which `/metrics` adds up (docs/operations.md).

Labels never carry a patient, an email or a path with ids in it: a route is its URL rule
(`/api/v1/patients/<pid>/days/<day:day>`), so the number of series stays small.
"""

from __future__ import annotations

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)

REQUESTS = Counter(
    "diary_http_requests",
    "HTTP requests answered, by route (URL rule), method and status",
    ["route", "method", "status"],
)
LATENCY = Histogram(
    "diary_http_request_duration_seconds",
    "Time from the request reaching the app to its response, by route (URL rule) and method",
    ["route", "method"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.3, 0.5, 0.8, 1.5, 3.0, 10.0),
)
REMINDERS_SENT = Counter("diary_reminders_sent", "Reminders sent to patients")
SYNC_CONFLICTS = Counter(
    "diary_sync_conflicts",
    "Day writes refused because the day changed elsewhere (409) or the If-Match did not match (412)",
    ["status"],
)
# The database pool of each process: connections checked out now and connections open. In
# multiprocess mode the live workers' values are added up.
DB_CONNECTIONS_IN_USE = Gauge(
    "diary_db_connections_in_use",
    "Database connections checked out of the pool",
    multiprocess_mode="livesum",
)
DB_CONNECTIONS_OPEN = Gauge(
    "diary_db_connections_open",
    "Database connections open (in use or idle in the pool)",
    multiprocess_mode="livesum",
)


def watch_pool(engine) -> None:
    """Keep the pool gauges from the engine's pool events (once per engine)."""
    from sqlalchemy import event

    if getattr(engine, "_diary_watched", False):
        return
    engine._diary_watched = True
    event.listen(engine, "connect", lambda *_: DB_CONNECTIONS_OPEN.inc())
    event.listen(engine, "close", lambda *_: DB_CONNECTIONS_OPEN.dec())
    event.listen(engine, "close_detached", lambda *_: DB_CONNECTIONS_OPEN.dec())
    event.listen(engine, "checkout", lambda *_: DB_CONNECTIONS_IN_USE.inc())
    event.listen(engine, "checkin", lambda *_: DB_CONNECTIONS_IN_USE.dec())


def exposition(multiprocess_mode: bool) -> tuple[bytes, str]:
    """The metrics in Prometheus' text format: every worker's in multiprocess mode (under
    gunicorn, the METRICS_MULTIPROCESS setting), this process's otherwise."""
    if multiprocess_mode:
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return generate_latest(registry), CONTENT_TYPE_LATEST
    return generate_latest(), CONTENT_TYPE_LATEST
