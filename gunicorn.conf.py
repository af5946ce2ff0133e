"""Gunicorn settings for the diary: `gunicorn -c gunicorn.conf.py wsgi:app`.

The application's own settings (SECRET_KEY, DATABASE_URL, ...) are read by diary/config.py;
this file only says how the server runs. Command-line options override it.
"""

import os

# PORT is a port number (bound on loopback, for a TLS reverse proxy in front) or host:port.
# Binding beyond loopback is a deliberate choice: PORT=0.0.0.0:8000.
_port = os.environ.get("PORT", "").strip() or "8000"
bind = [_port if ":" in _port else f"127.0.0.1:{_port}"]

# Sync workers, one per core (docs/performance.md). WEB_CONCURRENCY overrides the count.
worker_class = "sync"
_cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
workers = int(os.environ.get("WEB_CONCURRENCY") or _cores or 1)

# The longest request line gunicorn takes (its largest limit, 8190 bytes; its default is 4094): a
# longer URI reaches the app, which refuses one over diary.errors.MAX_URI_LENGTH with a 414 in the
# caller's shape (problem+json under /api/). Gunicorn refuses a line beyond this itself.
limit_request_line = 8190

# No gunicorn access log: its request lines hold paths with patient ids and diary dates. The
# app writes one line per request itself, naming the route's URL rule (diary/observe.py);
# gunicorn's own errors go to stderr (the process manager keeps it).
accesslog = None
errorlog = "-"

# Prometheus metrics from every worker (diary/metrics.py): prometheus-client's multiprocess mode
# keeps each worker's figures in files under PROMETHEUS_MULTIPROC_DIR, which must be set before
# prometheus_client is imported, so here, in the master, before any worker starts. A directory
# of our own when the operator names none; emptied at each start, as its files are per process.
_own_metrics_dir = not os.environ.get("PROMETHEUS_MULTIPROC_DIR")
if _own_metrics_dir:
    import tempfile

    os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="diary-metrics-")

# METRICS_ADDRESS (host:port, e.g. 10.0.0.5:9100): the master also serves the metrics there for
# Prometheus, apart from the site (no token; bind it to a private address only).
_metrics_address = os.environ.get("METRICS_ADDRESS", "").strip()


def on_starting(server):
    directory = os.environ["PROMETHEUS_MULTIPROC_DIR"]
    os.makedirs(directory, exist_ok=True)
    for name in os.listdir(directory):
        if name.endswith(".db"):
            os.remove(os.path.join(directory, name))


def when_ready(server):
    if _metrics_address:
        from prometheus_client import CollectorRegistry, multiprocess, start_http_server

        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        host, _, port = _metrics_address.rpartition(":")
        start_http_server(int(port), addr=host or "127.0.0.1", registry=registry)
        server.log.info("Metrics at http://%s/metrics", _metrics_address)


def on_exit(server):
    if _own_metrics_dir:
        import shutil

        shutil.rmtree(os.environ["PROMETHEUS_MULTIPROC_DIR"], ignore_errors=True)


def child_exit(server, worker):
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)
