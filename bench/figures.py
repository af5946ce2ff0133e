"""Figures endpoints for 5 years of one patient, and the triage list of a therapist with 200
patients, on SQLite and on PostgreSQL. Prints figures against docs/performance.md; never pass/fail.

1. GET months (the default 12 and all 61 months), medication-overuse, progress,
   sessions/effects and follow-up-summary for a patient with a record for every day of five
   years and a session every three weeks (the data of bench/charts.py), through the Flask test
   client (server time, in process), as the linked therapist (whose reads also write the access
   log) and as the patient.
2. The windowed figures (medication-overuse, follow-up-summary, and the last 28 days as
   queries.patient_picture reads them) for a patient with 5 years of diary against one with 6
   months of the same kind, requests interleaved in one run; the ratio of medians and of p95s
   against the budget (1.5x: cost set by the window, not the diary's length).
3. GET /api/v1/patients for a therapist with 200 linked patients, each with six months of diary
   and a few sessions. Budget p95 <= 150 ms and a fixed number of SQL statements.

Median and p95 over --runs requests after --warmup; SQL statements counted per request.
Usage: `.venv/bin/python bench/figures.py [--backends sqlite,postgresql] [--runs 100]`.
"""

from __future__ import annotations

import argparse
import gc
import os
import random
import sys
import tempfile
import time
import uuid
from datetime import timedelta
from pathlib import Path

from charts import CursorClock, five_years, logged_in_client, make_app, stats, timed  # noqa: E402
from common import fill_drug_classes, fresh_database  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import insert  # noqa: E402

from diary import operations  # noqa: E402
from diary.extensions import db  # noqa: E402
from diary.models import DayRecord, Headache, MedicationIntake, TreatmentSession  # noqa: E402

PASSWORD = "amber-violin-orchard-47"
FIGURES_P95_BUDGET_MS = 75.0
TRIAGE_P95_BUDGET_MS = 150.0
TRIAGE_PATIENTS = 200
TRIAGE_DAYS = 183
WINDOWED_RATIO_BUDGET = 1.5
WINDOWED_DIARIES = {"5 years": 5 * 365 + 1, "6 months": 183}


def figure_cases(today) -> list[tuple[str, str]]:
    first = (today - timedelta(days=5 * 365)).strftime("%Y-%m")
    return [
        ("months (12)", "months"),
        ("months (5 years)", f"months?from={first}&to={today.strftime('%Y-%m')}"),
        ("medication-overuse", "medication-overuse"),
        ("progress", "progress"),
        ("sessions/effects", "sessions/effects?window=14"),
        ("follow-up-summary", "follow-up-summary"),
    ]


def measure_figures(app, pid, clients, args) -> None:
    with app.app_context():
        engine = db.engine
        from diary.models import User

        today = db.session.get(User, pid).today()
    for label, path in figure_cases(today):
        for reader, client in clients.items():
            url = f"/api/v1/patients/{pid}/{path}"

            def request(client=client, url=url):
                response = client.get(url)
                assert response.status_code == 200, (url, response.status_code)
                return response

            times, _ = timed(request, args.runs, args.warmup)
            with app.app_context(), CursorClock(engine) as clock:
                request()
            figures = stats(times)
            verdict = "within budget" if figures["p95_ms"] <= FIGURES_P95_BUDGET_MS else "OVER BUDGET"
            print(
                f"  {label:20} as {reader:9} median {figures['median_ms']:6.1f} ms  "
                f"p95 {figures['p95_ms']:6.1f} ms  {clock.statements} statements  ({verdict})"
            )


def diary_of(app, email: str, days: int, rng: random.Random):
    """A patient with a record for every one of `days` days (as bench/charts.py makes them) and
    a session every three weeks; their id."""
    with app.app_context():
        patient = operations.create_user(email, PASSWORD, f"Windowed {days}")
        therapist = operations.create_user(
            f"therapist-{email}", PASSWORD, "Windowed therapist", role="therapist"
        )
        today = patient.today()
        connection = db.session.connection()
        headaches, medications = [], []
        for offset in range(days):
            day_id = connection.execute(
                insert(DayRecord.__table__)
                .values(
                    patient_id=patient.id,
                    date=today - timedelta(days=offset),
                    version=1,
                    triggers=[],
                    had_headache=False,
                    soreness=rng.choice((None, 0, 1, 2, 3, 5)),
                )
                .returning(DayRecord.__table__.c.id)
            ).scalar_one()
            if rng.random() < 0.55:
                connection.execute(
                    DayRecord.__table__.update()
                    .where(DayRecord.__table__.c.id == day_id)
                    .values(had_headache=True)
                )
                headaches.append(
                    {
                        "day_id": day_id,
                        "position": 0,
                        "intensity": rng.randint(1, 10),
                        "type": "tension",
                        "locations": [],
                        "symptoms": [],
                    }
                )
                if rng.random() < 0.6:
                    medications.append(
                        {
                            "day_id": day_id,
                            "position": 0,
                            "name": "Ibuprofen 400 mg",
                            "drug_class": rng.choice(
                                ["non_opioid_analgesic"] * 4 + ["triptan", "combination_analgesic"]
                            ),
                            "doses": 1,
                        }
                    )
        connection.execute(insert(Headache.__table__), headaches)
        if medications:
            connection.execute(insert(MedicationIntake.__table__), medications)
        fill_drug_classes(connection)
        connection.execute(
            insert(TreatmentSession.__table__),
            [
                {
                    "id": uuid.uuid4(),
                    "patient_id": patient.id,
                    "therapist_id": therapist.id,
                    "date": today - timedelta(days=offset),
                    "techniques": ["dry_needling"],
                    "muscles": [],
                }
                for offset in range(10, days, 21)
            ],
        )
        db.session.commit()
        return patient.id


def measure_windowed(app, args, rng) -> None:
    """Each windowed figure for 5 years against 6 months of diary, interleaved in one run."""
    from diary import clinical, queries
    from diary.models import User

    pids = {
        label: diary_of(app, f"windowed-{days}@example.test", days, rng)
        for label, days in WINDOWED_DIARIES.items()
    }
    clients = {
        label: logged_in_client(app, f"windowed-{days}@example.test")
        for label, days in WINDOWED_DIARIES.items()
    }

    def last_28_days(label):
        with app.app_context():
            patient = db.session.get(User, pids[label])
            today = patient.today()
            facts = queries.day_facts_in(patient, [clinical.last_days_window(today)])
            return clinical.period_figures(facts, *clinical.last_days_window(today))

    def endpoint(path):
        def read(label):
            response = clients[label].get(f"/api/v1/patients/me/{path}")
            assert response.status_code == 200, (path, response.status_code)
            return response

        return read

    for name, read in (
        ("medication-overuse", endpoint("medication-overuse")),
        ("follow-up-summary", endpoint("follow-up-summary")),
        ("last 28 days", last_28_days),
    ):
        times: dict = {label: [] for label in WINDOWED_DIARIES}
        for _ in range(args.warmup):
            for label in WINDOWED_DIARIES:
                read(label)
        for _ in range(args.runs):
            for label in WINDOWED_DIARIES:
                started = time.perf_counter()
                read(label)
                times[label].append((time.perf_counter() - started) * 1000)
        long, short = (stats(times[label]) for label in WINDOWED_DIARIES)
        median_ratio, p95_ratio = long["median_ms"] / short["median_ms"], long["p95_ms"] / short["p95_ms"]
        verdict = "within budget" if median_ratio <= WINDOWED_RATIO_BUDGET else "OVER BUDGET"
        print(
            f"  {name:20} 5 years median {long['median_ms']:6.2f} ms p95 {long['p95_ms']:6.2f} ms;"
            f" 6 months median {short['median_ms']:6.2f} ms p95 {short['p95_ms']:6.2f} ms;"
            f" ratio {median_ratio:.2f}x (p95 {p95_ratio:.2f}x, budget {WINDOWED_RATIO_BUDGET}x: {verdict})"
        )


def many_patients(app, therapist_email: str, rng: random.Random) -> float:
    """200 patients with six months of diary each, linked to a new therapist; seconds taken."""
    started = time.perf_counter()
    with app.app_context():
        therapist = operations.create_user(therapist_email, PASSWORD, "Triage therapist", role="therapist")
        days, headaches, medications, sessions = [], [], [], []
        for n in range(TRIAGE_PATIENTS):
            patient = operations.create_user(f"triage{n}@example.test", PASSWORD, f"Patient {n:03d}")
            operations.link_therapist(therapist, operations.create_share_code(patient)[0])
            today = patient.today()
            chance = rng.choice((0.2, 0.4, 0.6))
            for offset in range(TRIAGE_DAYS):
                if rng.random() < 0.1:
                    continue
                days.append(
                    {
                        "patient_id": patient.id,
                        "date": today - timedelta(days=offset),
                        "version": 1,
                        "triggers": [],
                        "soreness": rng.choice((None, 0, 2, 5)),
                        "headache": rng.random() < chance,
                    }
                )
            for offset in (150, 100, 50, 10):
                sessions.append(
                    {
                        "id": uuid.uuid4(),
                        "patient_id": patient.id,
                        "therapist_id": therapist.id,
                        "date": today - timedelta(days=offset),
                        "techniques": ["dry_needling"],
                        "muscles": [],
                        "next_review_on": today + timedelta(days=rng.randint(1, 20)),
                    }
                )
        connection = db.session.connection()
        for row in days:
            headache = row.pop("headache")
            day_id = connection.execute(
                insert(DayRecord.__table__).values(**row).returning(DayRecord.__table__.c.id)
            ).scalar_one()
            if headache:
                headaches.append(
                    {
                        "day_id": day_id,
                        "position": 0,
                        "intensity": rng.randint(2, 9),
                        "type": "tension",
                        "locations": [],
                        "symptoms": [],
                    }
                )
                if rng.random() < 0.7:
                    medications.append(
                        {
                            "day_id": day_id,
                            "position": 0,
                            "name": "Paracetamol 500 mg",
                            "drug_class": "non_opioid_analgesic",
                            "doses": 1,
                        }
                    )
        connection.execute(insert(Headache.__table__), headaches)
        connection.execute(insert(MedicationIntake.__table__), medications)
        fill_drug_classes(connection)
        connection.execute(insert(TreatmentSession.__table__), sessions)
        db.session.commit()
        if db.engine.dialect.name == "postgresql":
            # As autovacuum would soon (PostgreSQL 13 and later vacuum a table after many
            # inserts too): statistics for the plans, and the visibility map without which an
            # index-only scan visits the table for every row.
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as vacuum:
                vacuum.exec_driver_sql("VACUUM ANALYZE")
    return time.perf_counter() - started


def measure_triage(app, args, rng) -> None:
    email = "triage-therapist@example.test"
    seconds = many_patients(app, email, rng)
    print(f"  {TRIAGE_PATIENTS} patients x {TRIAGE_DAYS} days inserted in {seconds:.1f} s")
    client = logged_in_client(app, email)
    gc.collect()
    gc.freeze()  # as wsgi.py does after start-up (again, with --only triage)

    def request():
        response = client.get("/api/v1/patients")
        assert response.status_code == 200 and len(response.get_json()["patients"]) == TRIAGE_PATIENTS
        return response

    times, _ = timed(request, args.runs, args.warmup)
    with app.app_context():
        engine = db.engine
    with app.app_context(), CursorClock(engine) as clock:
        request()
    figures = stats(times)
    verdict = "within budget" if figures["p95_ms"] <= TRIAGE_P95_BUDGET_MS else "OVER BUDGET"
    print(
        f"  triage list, {TRIAGE_PATIENTS} patients: median {figures['median_ms']:.1f} ms  "
        f"p95 {figures['p95_ms']:.1f} ms (budget {TRIAGE_P95_BUDGET_MS:.0f} ms: {verdict}); "
        f"{clock.statements} SQL statements"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"),
    )
    parser.add_argument("--runs", type=int, default=100)
    parser.add_argument("--warmup", type=int, default=10)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument(
        "--only",
        choices=("all", "windowed", "triage"),
        default="all",
        help="'windowed': the windowed figures only (5 years against 6 months); 'triage': the triage list",
    )
    args = parser.parse_args()
    print(f"bench/figures.py  load average {os.getloadavg()[0]:.2f} (a busy machine skews every figure)")
    for backend in args.backends.split(","):
        with (
            tempfile.TemporaryDirectory() as tmp,
            fresh_database(backend, args.postgres_url, Path(tmp), name="bench-figures") as url,
        ):
            rng = random.Random(args.seed)
            app = make_app(url)
            if args.only != "all":
                with app.app_context():
                    from flask_migrate import upgrade

                    upgrade()
                only = {
                    "windowed": ("windowed figures, 5 years against 6 months of diary", measure_windowed),
                    "triage": ("triage list", measure_triage),
                }
                title, measure = only[args.only]
                print(f"\n== {backend}: {title}")
                measure(app, args, rng)
                with app.app_context():
                    db.engine.dispose()
                continue
            pid, patient_email, therapist_email, inserted = five_years(app, rng)
            gc.collect()
            gc.freeze()  # as wsgi.py does after start-up
            print(f"\n== {backend}: five years of one patient inserted in {inserted:.1f} s")
            clients = {
                "therapist": logged_in_client(app, therapist_email),
                "patient": logged_in_client(app, patient_email),
            }
            measure_figures(app, pid, clients, args)
            print("  windowed figures, 5 years against 6 months of diary:")
            measure_windowed(app, args, rng)
            measure_triage(app, args, rng)
            with app.app_context():
                db.engine.dispose()


if __name__ == "__main__":
    main()
