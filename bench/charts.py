"""Chart endpoints for a patient with 5 years of daily records, on SQLite and on PostgreSQL.

Prints figures against the budgets of docs/performance.md; it is never a pass/fail test.

For each backend: a brand-new database (a temporary SQLite file; a PostgreSQL database created
here and dropped at the end), migrated, then one patient with a record for every day of the
last five years (1,826 days, most with a headache and a painkiller, inserted in one
transaction) and a treatment session every three weeks, shared with a therapist.

1. Endpoint: GET /api/v1/patients/{pid}/charts/{name} through the Flask test client (in
   process, no network), with `Accept-Encoding: br, gzip` as a browser sends, for each chart
   with its default range and (time charts) the whole five years. Median and p95 over
   `--runs` requests after `--warmup`, as the linked therapist (whose every read also writes
   an access-log row) and as the patient.
2. Split, in the same run and on the same data: SQL (the query functions the endpoint calls:
   statements plus turning rows into facts; and, from cursor events during the endpoint
   requests, the time inside the database driver alone), building the figure dict
   (`Chart.build` of diary.charts, which runs the clinical rules), and serialising it with orjson.
   Budget: serialising <= 0.5x the SQL time of the same endpoint.
3. Size: the figure's JSON, raw and gzipped (budget: 10 KiB gzipped for 5 years).

Usage: `.venv/bin/python bench/charts.py [--backends sqlite,postgresql] [--runs 200]`.
"""

from __future__ import annotations

import argparse
import gc
import gzip
import json
import os
import platform
import random
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

from common import fresh_database  # noqa: E402  (bench/ is on sys.path when run)

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import orjson  # noqa: E402
from sqlalchemy import event  # noqa: E402

from diary import charts, create_app, operations, queries  # noqa: E402
from diary.extensions import db  # noqa: E402
from diary.models import DayRecord, Headache, MedicationIntake, TreatmentSession  # noqa: E402

RESULTS = ROOT / "bench" / "results"
PASSWORD = "amber-violin-orchard-47"
YEARS_DAYS = 5 * 365 + 1  # 1,826 days: every date the diary accepts
P95_BUDGET_MS = 75.0
SERIALISE_BUDGET = 0.5
GZIP_BUDGET = 10 * 1024


# -- Data ---------------------------------------------------------------------------------------


def make_app(database_url: str):
    return create_app(
        {
            "DIARY_ENV": "development",
            "SECRET_KEY": uuid.uuid4().hex,
            "SQLALCHEMY_DATABASE_URI": database_url,
            "RATELIMIT_STORAGE_URI": "memory://",
            "RATELIMIT_ENABLED": False,
            "THERAPIST_MFA": "optional",  # the therapists measured have no second factor
        }
    )


def five_years(app, rng: random.Random):
    """A patient with a record for every day of five years, and a linked therapist."""
    with app.app_context():
        from flask_migrate import upgrade

        upgrade()
        patient = operations.create_user(
            "bench-patient@example.test", PASSWORD, "Bench patient", role="patient", timezone="Europe/London"
        )
        therapist = operations.create_user(
            "bench-therapist@example.test",
            PASSWORD,
            "Bench therapist",
            role="therapist",
            timezone="Europe/London",
        )
        code, _ = operations.create_share_code(patient)
        operations.link_therapist(therapist, code)
        today = patient.today()
        started = time.perf_counter()
        records = []
        for offset in range(YEARS_DAYS):
            day = today - timedelta(days=offset)
            headaches, medications = [], []
            if rng.random() < 0.55:
                for position in range(rng.choice((1, 1, 1, 2))):
                    headaches.append(
                        Headache(
                            position=position,
                            intensity=rng.randint(1, 10),
                            type="tension",
                            locations=["neck"],
                            symptoms=[],
                            duration_minutes=120,
                        )
                    )
                if rng.random() < 0.6:
                    medications.append(
                        MedicationIntake(
                            position=0,
                            name="Ibuprofen 400 mg",
                            drug_class=rng.choice(
                                ["non_opioid_analgesic"] * 4 + ["triptan", "combination_analgesic"]
                            ),
                            doses=rng.choice((1, 2)),
                        )
                    )
            records.append(
                DayRecord(
                    patient_id=patient.id,
                    date=day,
                    version=1,
                    had_headache=bool(headaches),
                    soreness=rng.choice((None, 0, 1, 2, 3, 5)),
                    exercises_done=rng.choice((True, False, None)),
                    triggers=["stress"],
                    notes=None,
                    headaches=headaches,
                    medications=medications,
                )
            )
        db.session.add_all(records)
        for offset in range(10, YEARS_DAYS, 21):
            db.session.add(
                TreatmentSession(
                    patient_id=patient.id,
                    therapist_id=therapist.id,
                    date=today - timedelta(days=offset),
                    techniques=["dry_needling"],
                    muscles=[],
                )
            )
        db.session.commit()
        inserted = time.perf_counter() - started
        return patient.id, patient.email, therapist.email, inserted


# -- Measurements -------------------------------------------------------------------------------


def percentile(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def stats(values: list[float]) -> dict:
    return {
        "n": len(values),
        "median_ms": round(statistics.median(values), 3),
        "p95_ms": round(percentile(values, 95), 3),
        "max_ms": round(max(values), 3),
    }


def timed(function: Callable, runs: int, warmup: int) -> tuple[list[float], object]:
    result = None
    for _ in range(warmup):
        result = function()
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        result = function()
        times.append((time.perf_counter() - started) * 1000)
    return times, result


def logged_in_client(app, email: str):
    client = app.test_client()
    token = client.get("/api/v1/auth/csrf").get_json()["csrf_token"]
    response = client.post(
        "/api/v1/auth/login", json={"email": email, "password": PASSWORD}, headers={"X-CSRFToken": token}
    )
    if response.status_code != 200:
        raise SystemExit(f"login answered {response.status_code}: {response.get_data(as_text=True)}")
    return client


class CursorClock:
    """Time spent inside cursor.execute (the driver and the database), and statements."""

    def __init__(self, engine):
        self.engine = engine
        self.total = 0.0
        self.statements = 0
        self._started: list[float] = []

    def __enter__(self):
        event.listen(self.engine, "before_cursor_execute", self._before)
        event.listen(self.engine, "after_cursor_execute", self._after)
        return self

    def __exit__(self, *exc):
        event.remove(self.engine, "before_cursor_execute", self._before)
        event.remove(self.engine, "after_cursor_execute", self._after)

    def _before(self, *args):
        self._started.append(time.perf_counter())

    def _after(self, *args):
        self.total += time.perf_counter() - self._started.pop()
        self.statements += 1


def cases(today) -> list[tuple[str, str, str]]:
    """(chart, label, query string): each chart's default range; time charts also 5 years."""
    five_years_ago = (today - timedelta(days=YEARS_DAYS - 1)).isoformat()
    out = []
    for name, chart in charts.CHARTS.items():
        out.append((name, "default", ""))
        if not chart.range.per_session:
            out.append((name, "5 years", f"?from={five_years_ago}"))
    return out


def measure_backend(backend: str, database_url: str, args) -> dict:
    rng = random.Random(args.seed)
    app = make_app(database_url)
    pid, patient_email, therapist_email, inserted = five_years(app, rng)
    print(f"\n== {backend}: {YEARS_DAYS} days and their headaches inserted in {inserted:.1f} s")
    if args.gc_freeze:  # what a worker does when wsgi.py freezes the objects of start-up
        gc.collect()
        gc.freeze()
    clients = {
        "therapist": logged_in_client(app, therapist_email),
        "patient": logged_in_client(app, patient_email),
    }
    results = []
    with app.app_context():
        from diary.models import User

        patient = db.session.get(User, pid)
        today = patient.today()
        engine = db.engine
    header = (
        f"{'chart':<11}{'range':<9}{'who':<10}{'median':>8}{'p95':>8}  {'db':>6}{'sql':>7}"
        f"{'build':>7}{'json':>7}  {'json/sql':>8}{'stmts':>6}{'raw KiB':>9}{'gz KiB':>8}"
    )
    print(header)
    print("-" * len(header))
    for name, label, query in cases(today):
        url = f"/api/v1/patients/{pid}/charts/{name}{query}"
        row: dict = {"chart": name, "range": label, "url": url}
        # The split, on the same data the endpoint reads.
        with app.app_context():
            patient = db.session.get(User, pid)
            params = {"from": None, "to": None}
            if query:
                params["from"] = datetime.fromisoformat(query.split("=", 1)[1]).date()
            chart = charts.CHARTS[name]

            def sql():
                # A default range starts no earlier than the diary: one more statement.
                default = params["from"] is None and not chart.range.per_session
                start = queries.first_diary_day(patient) if default else None
                first, last = chart.resolve_range(today, params["from"], params["to"], start)
                sessions = queries.session_facts(patient) if chart.reads_sessions else []
                span = chart.range.days_to_load(first, last, sessions, today)
                return (first, last), sessions, (queries.day_facts(patient, *span) if span else [])

            sql_times, ((first, last), sessions, facts) = timed(sql, args.runs, args.warmup)
            build_times, figure = timed(
                lambda: chart.build(facts, sessions, today, first, last), args.runs, args.warmup
            )
            json_times, body = timed(lambda: orjson.dumps(figure), args.runs, args.warmup)
            db.session.remove()
        row["sql"] = stats(sql_times)
        row["build"] = stats(build_times)
        row["serialise"] = stats(json_times)
        row["days_read"] = len(facts)
        row["bytes"] = len(body)
        row["gzip_bytes"] = len(gzip.compress(body))
        for who, client in clients.items():

            def request():
                response = client.get(url, headers={"Accept-Encoding": "br, gzip"})
                if response.status_code != 200:
                    raise SystemExit(f"{url} answered {response.status_code}")
                return response

            for _ in range(args.warmup):
                request()
            times, db_times, statements = [], [], 0
            for _ in range(args.runs):
                with CursorClock(engine) as clock:
                    started = time.perf_counter()
                    response = request()
                    times.append((time.perf_counter() - started) * 1000)
                db_times.append(clock.total * 1000)
                statements = clock.statements
            row[who] = {
                **stats(times),
                "db_median_ms": round(statistics.median(db_times), 3),
                "statements": statements,
                "encoding": response.headers.get("Content-Encoding"),
                "transferred_bytes": len(response.get_data()),
            }
            ratio = row["serialise"]["median_ms"] / row["sql"]["median_ms"]
            row["serialise_over_sql"] = round(ratio, 4)
            print(
                f"{name:<11}{label:<9}{who:<10}{row[who]['median_ms']:>8.1f}"
                f"{row[who]['p95_ms']:>8.1f}  {row[who]['db_median_ms']:>6.1f}"
                f"{row['sql']['median_ms']:>7.1f}{row['build']['median_ms']:>7.2f}"
                f"{row['serialise']['median_ms']:>7.3f}  {ratio:>8.3f}{statements:>6}"
                f"{row['bytes'] / 1024:>9.1f}{row['gzip_bytes'] / 1024:>8.1f}"
            )
        results.append(row)
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    if args.gc_freeze:
        gc.unfreeze()
    worst = max(max(r["therapist"]["p95_ms"], r["patient"]["p95_ms"]) for r in results)
    worst_ratio = max(r["serialise_over_sql"] for r in results)
    largest = max(r["gzip_bytes"] for r in results)
    print(
        f"\n{backend}: worst p95 {worst:.1f} ms (budget {P95_BUDGET_MS:.0f} ms: "
        f"{'within' if worst <= P95_BUDGET_MS else 'OVER'}); serialise/SQL at most "
        f"{worst_ratio:.3f} (budget {SERIALISE_BUDGET}: "
        f"{'within' if worst_ratio <= SERIALISE_BUDGET else 'OVER'}); largest figure "
        f"{largest / 1024:.1f} KiB gzipped (budget 10 KiB: "
        f"{'within' if largest <= GZIP_BUDGET else 'OVER'})"
    )
    return {
        "backend": backend,
        "inserted_seconds": round(inserted, 2),
        "charts": results,
        "worst_p95_ms": worst,
        "worst_serialise_over_sql": worst_ratio,
        "largest_gzip_bytes": largest,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"),
    )
    parser.add_argument("--runs", type=int, default=200, help="measured requests per case")
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--seed", type=int, default=20261128)
    parser.add_argument(
        "--gc-freeze",
        action="store_true",
        help="gc.freeze() the objects made at start-up, as a worker would if "
        "wsgi.py did so: full collections then skip them (see the report)",
    )
    args = parser.parse_args()
    print(
        f"Charts bench: Python {platform.python_version()}, {os.cpu_count()} cores, "
        f"{args.runs} runs per case after {args.warmup} warm-up; times in ms; "
        f"gc.freeze() after start-up: {'yes' if args.gc_freeze else 'no'}."
    )
    print(
        "columns: median/p95 of the whole request (test client, br/gzip accepted); db = inside "
        "cursor.execute; sql = the query functions (statements + rows to facts); build = "
        "Chart.build (clinical rules + dict); json = orjson.dumps; stmts = SQL statements a "
        "request (therapist: + access-log write)"
    )
    results = {
        "when": datetime.now().isoformat(timespec="seconds"),
        "runs": args.runs,
        "gc_freeze": args.gc_freeze,
        "backends": [],
    }
    with tempfile.TemporaryDirectory() as tmp:
        for backend in args.backends.split(","):
            with fresh_database(backend, args.postgres_url, Path(tmp), name="bench-charts") as url:
                results["backends"].append(measure_backend(backend, url, args))
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"charts-{datetime.now():%Y%m%d-%H%M%S}.json"
    out.write_text(json.dumps(results, indent=2, default=str))
    print(f"\nfigures written to {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
