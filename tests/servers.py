"""The app under real gunicorn, in another process (tests marked real_clock: its clock is real)."""

from __future__ import annotations

import http.client
import os
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until_serving(port: int, process: subprocess.Popen, log: Path, timeout: float = 60) -> None:
    """Until a worker answers the liveness check (workers boot after the port listens); fails
    at once, with the log, if the process died."""
    deadline = time.monotonic() + timeout
    while True:
        assert process.poll() is None, log.read_text()
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
        try:
            connection.request("GET", "/api/v1/health")
            if connection.getresponse().status == 200:
                return
        except OSError:
            pass
        finally:
            connection.close()
        assert time.monotonic() < deadline, f"nothing answers on {port}:\n{log.read_text()}"
        time.sleep(0.05)


_starting: dict[int, tuple[subprocess.Popen, Path]] = {}  # started with wait=False


def ready(port: int) -> None:
    """Wait for a gunicorn started with wait=False to serve."""
    wait_until_serving(port, *_starting[port])


@contextmanager
def gunicorn(env: dict[str, str], log: Path, port: int | None = None, wait: bool = True):
    """gunicorn with the repository's gunicorn.conf.py and `env` over the test's environment;
    yields its port once a worker answers (or at once, without `wait`: then `ready(port)`
    waits), and stops it afterwards."""
    port = port or free_port()
    with log.open("w") as output:
        server = subprocess.Popen(
            # No control socket: its default path is one per user, and tests run several at once.
            [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "--no-control-socket", "wsgi:app"],
            cwd=ROOT,
            env={**os.environ, "PORT": str(port), **env},
            stdout=output,
            stderr=subprocess.STDOUT,
        )
        try:
            if wait:
                wait_until_serving(port, server, log)
            else:
                _starting[port] = (server, log)
            yield port
        finally:
            _starting.pop(port, None)
            server.terminate()
            server.wait(10)
