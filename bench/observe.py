"""What one request's log line and metrics cost (diary/observe.py): the after-request step that
writes the JSON line and counts the request, timed on its own in a request context, in memory
and in prometheus-client's multiprocess mode (as under gunicorn). Prints figures; never pass/fail.

Usage: `.venv/bin/python bench/observe.py [--calls 5000] [--runs 7]`.
"""

from __future__ import annotations

import argparse
import logging
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ROUTE = "/api/v1/patients/me/days/<day:day>"


def measure(calls: int, runs: int) -> list[float]:
    """Microseconds per call of the after-request step, one figure per run."""
    sys.path.insert(0, str(ROOT))
    from flask import Response, request

    from diary import create_app, observe

    with tempfile.TemporaryDirectory() as folder:
        app = create_app(
            {
                "DIARY_ENV": "testing",
                "SECRET_KEY": "bench",
                "LOG_FORMAT": "json",
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/bench.db",
            },
            instance_path=folder,
        )
        for handler in logging.getLogger("diary").handlers:
            handler.stream = open(os.devnull, "w")  # the cost of formatting, not of a terminal
        with app.test_request_context("/api/v1/patients/me/days/2026-11-30", method="PUT"):
            request.url_rule = next(r for r in app.url_map.iter_rules() if r.rule == ROUTE)
            observe._started()
            response = Response("{}", status=201)
            figures = []
            for _ in range(runs):
                started = time.perf_counter()
                for _ in range(calls):
                    observe._finished(response)
                figures.append((time.perf_counter() - started) / calls * 1e6)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--child", choices=("memory", "multiprocess"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        figures = measure(args.calls, args.runs)
        print(f"{statistics.median(figures):.1f} {min(figures):.1f}")
        return
    print(f"Log line + request metrics per request ({args.runs} runs of {args.calls} calls):")
    for mode in ("memory", "multiprocess"):
        env = dict(os.environ)
        env.pop("PROMETHEUS_MULTIPROC_DIR", None)
        with tempfile.TemporaryDirectory() as metrics_dir:
            if mode == "multiprocess":
                env["PROMETHEUS_MULTIPROC_DIR"] = metrics_dir  # before prometheus_client loads
            command = [sys.executable, __file__, "--child", mode, "--calls", str(args.calls)]
            out = subprocess.run(
                [*command, "--runs", str(args.runs)],
                env=env,
                capture_output=True,
                text=True,
                check=True,
            ).stdout.split()
        print(f"  {mode:12}  median {out[0]} us, best {out[1]} us")


if __name__ == "__main__":
    main()
