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

# Access log to stdout, errors to stderr (the process manager keeps both).
accesslog = "-"
errorlog = "-"
