"""Export of one patient's diary (docs/export-import.md), on SQLite and on PostgreSQL. Prints
figures against docs/performance.md ("Export of 5 years of one patient: p95 <= 1 s, memory
flat"); never pass/fail.

For a patient with a record for every day of five years (a headache on about 55% of days, a
painkiller with most of them) and a session every three weeks (bench/figures.py's diary_of), each
format (json, csv, fhir) is fetched as the patient through the Flask test client, the body read
chunk by chunk as a client would and let go: median and p95 over --runs after --warmup, the
bytes of the file, the SQL statements. Then the peak of Python memory (tracemalloc) while one
export is read, for five years and for two years of the same kind of diary: flat when the two
peaks are about the same (the days are read 400 at a time, queries.EXPORT_BATCH_DAYS).

Usage: `.venv/bin/python bench/export.py [--backends sqlite,postgresql] [--runs 20]`.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

from charts import CursorClock, logged_in_client, make_app, stats  # noqa: E402
from common import fresh_database  # noqa: E402
from figures import diary_of  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from diary.extensions import db  # noqa: E402

FORMATS = ("json", "csv", "fhir")
BUDGET_P95_MS = 1000.0
DIARIES = {"5 years": 5 * 365 + 1, "2 years": 2 * 365}


def fetch(client, format_name: str) -> int:
    """One export read to its end in chunks, as a client reads it; its size in bytes."""
    response = client.get(f"/api/v1/patients/me/export?format={format_name}", buffered=False)
    assert response.status_code == 200, response.status_code
    size = 0
    for chunk in response.response:
        size += len(chunk)
    response.close()
    return size


def peak_memory(client, format_name: str) -> int:
    """The most Python memory allocated at once while one export is read (bytes)."""
    tracemalloc.start()
    tracemalloc.reset_peak()
    fetch(client, format_name)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak


def measure_backend(backend: str, database_url: str, args) -> None:
    app = make_app(database_url)
    with app.app_context():
        from flask_migrate import upgrade

        upgrade()
    rng = random.Random(14)
    clients = {}
    for label, days in DIARIES.items():
        email = f"export-{days}@example.test"
        diary_of(app, email, days, rng)
        clients[label] = logged_in_client(app, email)
    with app.app_context():
        engine = db.engine
    print(f"\n{backend}: one patient, a record every day, sessions every 3 weeks")
    client = clients["5 years"]
    for format_name in FORMATS:
        for _ in range(args.warmup):
            fetch(client, format_name)
        times = []
        for _ in range(args.runs):
            started = time.perf_counter()
            size = fetch(client, format_name)
            times.append((time.perf_counter() - started) * 1000)
        with app.app_context(), CursorClock(engine) as clock:
            fetch(client, format_name)
        figures = stats(times)
        verdict = "within budget" if figures["p95_ms"] <= BUDGET_P95_MS else "OVER BUDGET"
        peaks = {label: peak_memory(c, format_name) for label, c in clients.items()}
        print(
            f"  {format_name:4} 5 years: median {figures['median_ms']:7.1f} ms  "
            f"p95 {figures['p95_ms']:7.1f} ms  "
            f"{size / 1024:7.0f} KiB  {clock.statements} statements  ({verdict});  peak memory "
            + ", ".join(f"{label} {peak / 1024 / 1024:.1f} MiB" for label, peak in peaks.items())
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"),
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as workdir:
        for backend in args.backends.split(","):
            with fresh_database(backend, args.postgres_url, Path(workdir), name="export") as url:
                measure_backend(backend, url, args)


if __name__ == "__main__":
    main()
