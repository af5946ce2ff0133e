"""Password-reset requests for an address with an account and for one without (docs/accounts.md):
does the answer's time tell them apart? Prints figures; never pass/fail.

On each backend: an account, then --runs requests for its address and --runs for addresses with
no account, interleaved (known, unknown, known, ...) after --warmup of each, through the Flask
test client, with a real SMTP server (aiosmtpd) receiving the emails sent after the responses.
For each kind: median, p95 and max in ms, and the difference of the medians.

Usage: `.venv/bin/python bench/password_reset.py [--backends sqlite,postgresql] [--runs 200]`.
"""

from __future__ import annotations

import argparse
import os
import socket
import sys
import tempfile
import time
from pathlib import Path

from charts import make_app, stats  # noqa: E402
from common import fresh_database  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from aiosmtpd.controller import Controller  # noqa: E402

from diary import operations  # noqa: E402
from diary.mail import SENDER_THREAD  # noqa: E402

PASSWORD = "amber-violin-orchard-47"


class Sink:
    """An SMTP server that counts what arrives."""

    received = 0

    async def handle_DATA(self, server, session, envelope):
        Sink.received += 1
        return "250 OK"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def run(backend: str, postgres_url: str, runs: int, warmup: int) -> None:
    import threading

    port = free_port()
    controller = Controller(Sink(), hostname="127.0.0.1", port=port)
    controller.start()
    with (
        tempfile.TemporaryDirectory() as workdir,
        fresh_database(backend, postgres_url, Path(workdir)) as url,
    ):
        app = make_app(url)
        app.config.update(
            MAIL_SERVER="127.0.0.1", MAIL_PORT=port, PUBLIC_URL="https://diary.clinic.example", TESTING=False
        )
        with app.app_context():
            from flask_migrate import upgrade

            upgrade()
            operations.create_user("known@clinic.example", PASSWORD, "Known")
        client = app.test_client()
        token = client.get("/api/v1/auth/csrf").get_json()["csrf_token"]
        times: dict[str, list[float]] = {"known": [], "unknown": []}
        for i in range(warmup + runs):
            for kind in ("known", "unknown"):
                email = "known@clinic.example" if kind == "known" else f"nobody{i}@clinic.example"
                start = time.perf_counter()
                response = client.post(
                    "/api/v1/auth/password-reset", json={"email": email}, headers={"X-CSRFToken": token}
                )
                elapsed = (time.perf_counter() - start) * 1000
                assert response.status_code == 202, response.status_code
                if i >= warmup:
                    times[kind].append(elapsed)
        for thread in threading.enumerate():
            if thread.name == SENDER_THREAD:
                thread.join(10)
    controller.stop()
    known, unknown = stats(times["known"]), stats(times["unknown"])
    print(f"{backend}: known   {known}")
    print(f"{backend}: unknown {unknown}")
    print(
        f"{backend}: median difference {known['median_ms'] - unknown['median_ms']:+.3f} ms; "
        f"emails received {Sink.received} (of {warmup + runs} asked for the known address)"
    )
    Sink.received = 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"),
    )
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=20)
    args = parser.parse_args()
    for backend in args.backends.split(","):
        run(backend, args.postgres_url, args.runs, args.warmup)


if __name__ == "__main__":
    main()
