"""Clinic-network scale on PostgreSQL (issue 15): 10,000 patients with two years of diary each
and 100 therapists, every read a patient and a therapist make, measured against
docs/performance.md. Prints figures; never pass/fail. Run by hand (it builds a few GB):

    nice -n 10 .venv/bin/python bench/scale.py [--keep] [--database NAME] [--runs 30]

1. Build, in a database of its own (created here and dropped at the end unless --keep; with
   --database NAME an existing one built before is measured again, and kept): the migrations,
   then bulk loading with COPY (psycopg `cursor.copy`, foreign-key triggers off while loading):
   10,000 patients with a record on most days of the last two years, shaped like the demo's
   diaries (30-55 % headache days, painkillers on most of them, a few triptans and
   combinations, soreness after sessions, forgotten days and thin stretches, a few records that
   leave the headache question open, rare red flags), six in ten in treatment (sessions every
   two weeks, then monthly, headaches easing); 100 therapists each linked to 100-200 patients
   (the first to exactly 200); and the access log those therapists would have written (their
   list read on about three days a week, the patient page at each session). Then VACUUM ANALYZE,
   as a settled database would be.
2. Measure, through the Flask test client against the app on that database (in process, logged
   in): every GET route a patient and a therapist reach (the URL map's, with the widest ranges
   added for the day list and the months), PUT a day, the triage list of the therapist with 200
   patients, and the exports where the route exists. Median and p95 over --runs requests after
   --warmup, SQL statements per request, against the budget.
3. Print the database size per patient-year (pg_database_size, and per table), and
   EXPLAIN (ANALYZE, BUFFERS) of the slowest statements seen while measuring.
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import json
import logging
import os
import random
import re
import sys
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from charts import CursorClock, logged_in_client, percentile, stats  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import psycopg  # noqa: E402
from sqlalchemy import event, select  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from diary import create_app, operations  # noqa: E402
from diary.access import LIST_READ, PATIENT_PAGE  # noqa: E402
from diary.extensions import db  # noqa: E402
from diary.models import User, drug_class_bits  # noqa: E402

PASSWORD = "amber-violin-orchard-47"
THERAPIST_EMAIL = "scale-therapist-0@example.test"
READ_BUDGET_MS, PUT_BUDGET_MS, TRIAGE_BUDGET_MS, EXPORT_BUDGET_MS = 100.0, 35.0, 150.0, 1000.0
ZONES = ["Europe/London"] * 18 + ["Europe/Berlin", "America/New_York"]
PAINKILLERS = (("Ibuprofen 400 mg", "non_opioid_analgesic"), ("Paracetamol 500 mg", "non_opioid_analgesic"))
COMBINATION = ("Co-codamol 8/500", "combination_analgesic")
TRIPTAN = ("Sumatriptan 50 mg", "triptan")
SORE = [6, 6, 5, 5, 5, 4, 4, 3, 2, 1, 0]
SETTLING = [None, 4, 2, 1, 0, 0, 0, 0, 0, 0, 0]
TRIGGERS = ("stress", "poor_sleep", "screen_time", "posture")


# -- Building ----------------------------------------------------------------------------------


def make_app(url: str):
    return create_app(
        {
            "DIARY_ENV": "development",
            "SECRET_KEY": "scale-bench",
            "SQLALCHEMY_DATABASE_URI": url,
            "RATELIMIT_STORAGE_URI": "memory://",
            "RATELIMIT_ENABLED": False,
            "THERAPIST_MFA": "optional",  # the measured therapist has no second factor
            "NEW_SIGN_IN_EMAIL": False,
        }
    )


def session_dates(rng: random.Random, today: date, days: int) -> list[date]:
    """Six patients in ten are in treatment: sessions every two weeks, then monthly."""
    if rng.random() >= 0.6:
        return []
    start = today - timedelta(days=rng.randint(30, days - 40))
    dates = [start + timedelta(days=14 * k) for k in range(rng.randint(3, 8))]
    while rng.random() < 0.6:
        dates.append(dates[-1] + timedelta(days=rng.choice((28, 35, 42))))
    return [day for day in dates if day <= today]


def diary(rng: random.Random, pid, today: date, days: int, sessions: list[date]):
    """One patient's diary a day at a time, oldest first: None for a forgotten day, else the
    day record's row (without its id), and its headache's and medication's rows (or None)."""
    base = rng.uniform(0.35, 0.6)  # with the days forgotten, 30-55 % headache days
    painkiller = rng.uniform(0.5, 0.95)
    triptan = rng.random() < 0.2
    thin = None
    if rng.random() < 0.25:
        start = rng.randint(0, days - 90)
        thin = (start, start + rng.randint(20, 80))
    sore_sessions = {day for day in sessions if rng.random() < 0.1}
    first_session = sessions[0] if sessions else None
    session_index = 0
    for offset in range(days - 1, -1, -1):
        day = today - timedelta(days=offset)
        forgotten = 0.7 if thin and thin[0] <= offset <= thin[1] else 0.05
        if rng.random() < forgotten:
            yield None
            continue
        while session_index < len(sessions) and sessions[session_index] <= day:
            session_index += 1
        last_session = sessions[session_index - 1] if session_index else None
        after = (day - last_session).days if last_session else None
        if after is not None and after <= 10:
            soreness = (SORE if last_session in sore_sessions else SETTLING)[after]
        else:
            soreness = rng.choice((None, None, None, 0, 1))
        chance = base
        if first_session and day >= first_session:  # treatment helps over three months
            chance = base * max(0.45, 1 - (day - first_session).days / 180)
        had = None if rng.random() < 0.01 else rng.random() < chance
        triggers, flags, notes, headache, medication = "[]", "[]", None, None, None
        if had:
            migraine = triptan and rng.random() < 0.3
            headache = (
                0,
                rng.choice((60, 120, 180, 240)),
                rng.choice((3, 4, 4, 5, 5, 6, 6, 7, 8)),
                "migraine" if migraine else "tension",
                "both",
                json.dumps(rng.sample(["back_of_head", "neck", "temples", "forehead"], 2)),
                '["neck_stiffness"]' if rng.random() < 0.5 else "[]",
                rng.random() < 0.6,
            )
            if rng.random() < painkiller:
                if migraine:
                    name, drug_class = TRIPTAN
                elif rng.random() < 0.1:
                    name, drug_class = COMBINATION
                else:
                    name, drug_class = rng.choice(PAINKILLERS)
                relief = rng.choice(("partial", "partial", "pain_free", "none"))
                medication = (0, name, drug_class, rng.choice((1, 2)), relief)
            if rng.random() < 0.4:
                triggers = json.dumps([rng.choice(TRIGGERS)])
            if rng.random() < 0.002:
                flags = '["sudden_severe"]'
        if rng.random() < 0.05:
            notes = "Tight neck after a long day at the desk."
        written = datetime.combine(day, datetime.min.time(), tzinfo=UTC) + timedelta(hours=20)
        digest = hashlib.sha256(f"{pid}{day}{had}".encode()).hexdigest()  # the right size, not the content's
        exercises = (rng.random() < 0.75) if first_session and day >= first_session else None
        bits = drug_class_bits([medication[2]]) if medication else 0
        record = (
            *(pid, day, had, soreness, exercises, triggers, notes, flags, bits),
            *(1, digest, written, written),  # version, content_hash, created_at, updated_at
        )
        yield record, headache, medication


def build(url: str, args) -> None:
    """The migrations, then every table loaded with COPY."""
    rng = random.Random(args.seed)
    app = make_app(url)
    started = time.perf_counter()
    with app.app_context():
        from flask_migrate import upgrade

        upgrade()
        password_hash = operations.create_user("hash@example.test", PASSWORD, "Hash").password_hash
        db.session.rollback()
    now = datetime.now(UTC)
    patients = [(uuid.uuid4(), rng.choice(ZONES)) for _ in range(args.patients)]
    therapists = [uuid.uuid4() for _ in range(args.therapists)]
    links, order = [], list(range(args.patients))
    rng.shuffle(order)
    cursor = 0
    linked_to: dict = {}
    for t, therapist in enumerate(therapists):
        count = min(args.patients, 200 if t == 0 else rng.randint(100, 200))
        for _ in range(count):
            n = order[cursor % len(order)]
            cursor += 1
            links.append((uuid.uuid4(), patients[n][0], therapist, now - timedelta(days=2 * 365)))
            linked_to.setdefault(n, []).append(therapist)
    plain = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(plain, autocommit=False) as connection:
        connection.execute("SET session_replication_role = replica")  # no FK triggers while loading
        with connection.cursor() as cur:
            columns = "id, email, password_hash, display_name, role, timezone, created_at"
            with cur.copy(f"COPY users ({columns}) FROM STDIN") as copy:
                for n, (pid, zone) in enumerate(patients):
                    email = f"scale-patient-{n}@example.test"
                    copy.write_row((pid, email, password_hash, f"Patient {n:05d}", "patient", zone, now))
                for t, tid in enumerate(therapists):
                    email = f"scale-therapist-{t}@example.test"
                    copy.write_row(
                        (tid, email, password_hash, f"Therapist {t:03d}", "therapist", "Europe/London", now)
                    )
            with cur.copy(
                "COPY therapist_links (id, patient_id, therapist_id, created_at) FROM STDIN"
            ) as copy:
                for row in links:
                    copy.write_row(row)
            print(f"  users and links loaded in {time.perf_counter() - started:.0f} s", flush=True)
            day_columns = (
                "id, patient_id, date, had_headache, soreness, exercises_done, triggers, notes, "
                "red_flags, drug_classes, version, content_hash, created_at, updated_at"
            )
            headache_columns = (
                "day_id, position, duration_minutes, intensity, type, side, locations, symptoms, "
                "neck_provoked"
            )
            medication_columns = "day_id, position, name, drug_class, doses, relief"
            # Written a month at a time for every patient, as a diary fills up: one patient's
            # records lie scattered over the table, not side by side.
            sessions_of, diaries = {}, []
            for n, (pid, zone) in enumerate(patients):
                own = random.Random(f"{args.seed}-{n}")
                today = now.astimezone(ZoneInfo(zone)).date()
                sessions_of[n] = session_dates(own, today, args.days)
                diaries.append(diary(own, pid, today, args.days, sessions_of[n]))
            day_id = 0
            for month in range(0, args.days, 30):
                days, headaches, medications = [], [], []
                for _ in range(min(30, args.days - month)):
                    for found in map(next, diaries):
                        if found is None:
                            continue
                        day_id += 1
                        record, headache, medication = found
                        days.append((day_id, *record))
                        if headache:
                            headaches.append((day_id, *headache))
                        if medication:
                            medications.append((day_id, *medication))
                for table, columns, rows in (
                    ("day_records", day_columns, days),
                    ("headaches", headache_columns, headaches),
                    ("medication_intakes", medication_columns, medications),
                ):
                    with cur.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                        for row in rows:
                            copy.write_row(row)
                loaded = min(month + 30, args.days)
                print(
                    f"  {loaded} days of every diary loaded, {time.perf_counter() - started:.0f} s",
                    flush=True,
                )
            print(f"  diaries loaded in {time.perf_counter() - started:.0f} s", flush=True)
            session_columns = (
                "id, patient_id, therapist_id, date, techniques, muscles, notes, next_review_on, created_at, "
                "updated_at"
            )
            event_columns = "patient_id, actor_id, actor_name, actor_email, action, what, allowed, at"
            with cur.copy(f"COPY treatment_sessions ({session_columns}) FROM STDIN") as session_copy:
                for n, sessions in sessions_of.items():
                    therapist = linked_to.get(n, [therapists[0]])[0]
                    for day in sessions:
                        session_copy.write_row(
                            (
                                uuid.uuid4(),
                                patients[n][0],
                                therapist,
                                day,
                                '["dry_needling", "soft_tissue_work"]',
                                '[{"muscle": "upper_trapezius", "side": "both"}]',
                                "Local twitch responses; chin tucks reviewed.",
                                day + timedelta(days=14),
                                *[
                                    datetime.combine(day, datetime.min.time(), tzinfo=UTC)
                                    + timedelta(hours=11)
                                ]
                                * 2,
                            )
                        )
            therapist_names = {
                tid: (f"Therapist {t:03d}", f"scale-therapist-{t}@example.test")
                for t, tid in enumerate(therapists)
            }
            events = 0
            with cur.copy(f"COPY access_events ({event_columns}) FROM STDIN") as event_copy:
                per_day = args.list_reads_per_week / 5
                for _, pid, tid, _ in links:
                    name, email = therapist_names[tid]
                    for offset in range(args.days):
                        at = now - timedelta(days=offset, hours=rng.randint(0, 8))
                        if at.weekday() < 5 and rng.random() < per_day:
                            event_copy.write_row((pid, tid, name, email, "read", LIST_READ, True, at))
                            events += 1
                for n, sessions in sessions_of.items():
                    tid = linked_to.get(n, [therapists[0]])[0]
                    name, email = therapist_names[tid]
                    for day in sessions:
                        at = datetime.combine(day, datetime.min.time(), tzinfo=UTC) + timedelta(hours=10)
                        event_copy.write_row(
                            (patients[n][0], tid, name, email, "read", PATIENT_PAGE, True, at)
                        )
                        events += 1
            for table in ("day_records", "headaches", "medication_intakes", "access_events"):
                cur.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"
                )
        connection.commit()
    print(
        f"  sessions and {events:,} access-log events loaded in {time.perf_counter() - started:.0f} s",
        flush=True,
    )
    with psycopg.connect(plain, autocommit=True) as connection:
        connection.execute("VACUUM ANALYZE")
    print(f"  built in {time.perf_counter() - started:.0f} s (with VACUUM ANALYZE)", flush=True)


# -- Measuring ---------------------------------------------------------------------------------


class Statements:
    """Each statement's times while measuring, with the parameters of its slowest run."""

    def __init__(self, engine):
        self.engine, self.times, self.slowest = engine, {}, {}
        self._started: list[float] = []
        event.listen(engine, "before_cursor_execute", self._before)
        event.listen(engine, "after_cursor_execute", self._after)

    def _before(self, *args):
        self._started.append(time.perf_counter())

    def _after(self, conn, cursor, statement, parameters, context, executemany):
        took = (time.perf_counter() - self._started.pop()) * 1000
        self.times.setdefault(statement, []).append(took)
        if took >= self.slowest.get(statement, (0.0, None))[0] and not executemany:
            self.slowest[statement] = (took, parameters)

    def worst(self, count: int) -> list[tuple[str, float, int]]:
        """The statements with the highest p95, with it and how often they ran."""
        ranked = sorted(
            ((percentile(t, 95) if len(t) > 1 else t[0], s, len(t)) for s, t in self.times.items()),
            reverse=True,
        )
        return [(statement, p95, n) for p95, statement, n in ranked[:count]]


def readers(rule: str) -> tuple[str, ...]:
    if rule in ("patient", "patient_page"):
        return ("patient",)
    if rule in ("therapist", "therapist_page"):
        return ("therapist",)
    if rule in ("patient_or_linked_therapist", "logged_in"):
        return ("patient", "therapist")
    return ()


def cases(app, pid, sid, today: date, days: int) -> list[tuple[str, str, str]]:
    """(reader, label, URL) of every GET route a patient or a therapist reaches, with the widest
    ranges besides the defaults; the routes left out are printed."""
    first_day = (today - timedelta(days=days - 1)).isoformat()
    first_month = (today - timedelta(days=days - 1)).strftime("%Y-%m")
    wide = {
        "api.list_days": f"?from={first_day}&to={today.isoformat()}",
        "api.months": f"?from={first_month}&to={today.strftime('%Y-%m')}",
    }
    found, skipped = [], []
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        view = app.view_functions[rule.endpoint]
        access = getattr(view, "access_rule", "anyone")
        if "GET" not in rule.methods or access == "anyone" or rule.endpoint == "api.export_diary":
            continue
        if set(rule.arguments) - {"pid", "day", "sid"}:
            skipped.append(rule.rule)
            continue
        for reader in readers(access):
            values = {
                "pid": "me" if reader == "patient" else str(pid),
                "day": today - timedelta(days=1),
                "sid": sid,
            }
            with app.test_request_context():
                from flask import url_for

                url = url_for(rule.endpoint, **{k: v for k, v in values.items() if k in rule.arguments})
            found.append((reader, rule.rule, url))
            if rule.endpoint in wide:
                found.append((reader, f"{rule.rule} (2 years)", url + wide[rule.endpoint]))
            if rule.endpoint.startswith("api.chart_") and rule.endpoint != "api.chart_sessions":
                found.append((reader, f"{rule.rule} (2 years)", f"{url}?from={first_day}"))
    if "api.export_diary" in app.view_functions:
        for fmt in ("json", "csv", "fhir"):
            found.append(("patient", f"export {fmt}", f"/api/v1/patients/me/export?format={fmt}"))
    print(f"  not measured (they need a value no patient or therapist has): {', '.join(skipped) or 'none'}")
    return found


def verdict(p95: float, budget: float) -> str:
    return "within budget" if p95 <= budget else "OVER BUDGET"


def measure(url: str, args) -> None:
    app = make_app(url)
    with app.app_context():
        therapist = db.session.scalar(select(User).where(User.email == THERAPIST_EMAIL))
        from diary import queries
        from diary.models import TherapistLink, TreatmentSession

        treated = db.session.scalars(
            select(User)
            .join(TherapistLink, TherapistLink.patient_id == User.id)
            .where(TherapistLink.therapist_id == therapist.id)
            .where(select(TreatmentSession.id).where(TreatmentSession.patient_id == User.id).exists())
            .order_by(User.email)
        ).first()
        pid, patient_email, today = treated.id, treated.email, treated.today()
        sid = str(queries.list_sessions(treated)[-1].id)
        engine = db.engine
    clients = {
        "patient": logged_in_client(app, patient_email),
        "therapist": logged_in_client(app, THERAPIST_EMAIL),
    }
    gc.collect()
    gc.freeze()  # as wsgi.py does after start-up: what start-up made stays out of full collections
    print(f"\n== reads ({args.runs} runs after {args.warmup}; the patient has {args.days} days of diary)")
    statements = Statements(engine)
    results = []

    def run(reader, label, request, budget):
        times = []
        status = None
        for n in range(args.warmup + args.runs):
            started = time.perf_counter()
            response = request()
            response.get_data()  # a streamed answer (an export) is read to its end
            response.close()
            took = (time.perf_counter() - started) * 1000
            status = response.status_code
            if n >= args.warmup:
                times.append(took)
        with app.app_context(), CursorClock(engine) as clock:
            request().get_data()
        if status >= 400:
            print(f"  {reader:9} {label:58} answered {status}: not measured")
            return
        figures = stats(times)
        results.append((label, reader, figures, budget))
        print(
            f"  {reader:9} {label:58} median {figures['median_ms']:7.1f} ms  p95 {figures['p95_ms']:7.1f} ms"
            f"  {clock.statements:3} statements  ({verdict(figures['p95_ms'], budget)}, {budget:.0f} ms)",
            flush=True,
        )

    for reader, label, url_ in cases(app, pid, sid, today, args.days):
        if args.only and not re.search(args.only, f"{reader} {label}"):
            continue
        budget = (
            TRIAGE_BUDGET_MS
            if label == "/api/v1/patients" or label == "/therapist"
            else EXPORT_BUDGET_MS
            if label.startswith("export")
            else READ_BUDGET_MS
        )
        run(reader, label, lambda c=clients[reader], u=url_: c.get(u), budget)
    bodies = [
        {
            "headaches": [],
            "medications": [],
            "soreness": 1,
            "exercises_done": True,
            "triggers": [],
            "notes": None,
        },
        {
            "headaches": [{"intensity": 5, "type": "tension", "locations": ["neck"], "symptoms": []}],
            "medications": [{"name": "Ibuprofen 400 mg", "drug_class": "non_opioid_analgesic", "doses": 1}],
            "soreness": 2,
            "exercises_done": True,
            "triggers": ["stress"],
            "notes": "A scale run",
        },
    ]
    turn = iter(range(10**9))
    put_url = f"/api/v1/patients/me/days/{(today - timedelta(days=1)).isoformat()}"
    csrf = clients["patient"].get("/api/v1/auth/csrf").get_json()["csrf_token"]

    def put():
        body = bodies[next(turn) % 2]
        return clients["patient"].put(put_url, json=body, headers={"X-CSRFToken": csrf})

    if not args.only or re.search(args.only, "patient PUT a day"):
        run("patient", "PUT a day (alternating two contents)", put, PUT_BUDGET_MS)
    over = [(label, reader, f) for label, reader, f, budget in results if f["p95_ms"] > budget]
    print(f"\n  {len(results)} measured, {len(over)} over budget")
    plain = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    if not args.no_sizes:
        sizes(plain, args)
        plans(plain, statements, args.plans)


def sizes(plain: str, args) -> None:
    patient_years = args.patients * args.days / 365
    with psycopg.connect(plain) as connection:
        total = connection.execute("SELECT pg_database_size(current_database())").fetchone()[0]
        print(
            f"\n== size: {total / 2**20:,.0f} MiB, {total / patient_years / 1024:,.1f} KiB per patient-year"
        )
        for table, size, rows in connection.execute(
            "SELECT c.relname, pg_total_relation_size(c.oid), c.reltuples::bigint FROM pg_class c "
            "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public' AND c.relkind = 'r' "
            "ORDER BY 2 DESC LIMIT 10"
        ):
            print(
                f"  {table:22} {size / 2**20:9,.0f} MiB  {rows:12,} rows  "
                f"{size / patient_years / 1024:7.1f} KiB per patient-year (with its indexes)"
            )


def plans(plain: str, statements: Statements, count: int) -> None:
    print(f"\n== EXPLAIN (ANALYZE, BUFFERS) of the {count} statements with the highest p95")
    with psycopg.connect(plain) as connection:
        for statement, p95, n in statements.worst(count):
            text = re.sub(r"\s+", " ", statement)[:600]
            print(f"\n-- p95 {p95:.1f} ms over {n} runs:\n{text}")
            if statement not in statements.slowest:  # only ever run with many rows at once
                print("   (no plan: run as executemany only)")
                continue
            _, parameters = statements.slowest[statement]
            try:
                rows = connection.execute("EXPLAIN (ANALYZE, BUFFERS) " + statement, parameters).fetchall()
                print("\n".join("   " + row[0] for row in rows))
            except psycopg.Error as error:
                print(f"   (no plan: {error})")
            connection.rollback()  # an EXPLAIN ANALYZE of a write is undone


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"),
    )
    parser.add_argument("--database", help="measure this database, built before with --keep (kept)")
    parser.add_argument("--keep", action="store_true", help="keep the database built (its name is printed)")
    parser.add_argument("--patients", type=int, default=10_000)
    parser.add_argument("--therapists", type=int, default=100)
    parser.add_argument("--days", type=int, default=2 * 365, help="days of diary a patient")
    parser.add_argument("--list-reads-per-week", type=float, default=3.0)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--plans", type=int, default=8)
    parser.add_argument("--seed", type=int, default=15)
    parser.add_argument("--build-only", action="store_true")
    parser.add_argument("--only", help="measure only the cases whose 'reader label' matches this regex")
    parser.add_argument("--no-sizes", action="store_true", help="leave out the sizes and the plans")
    args = parser.parse_args()
    logging.disable(logging.INFO)  # one log line per request would drown the figures
    print(f"bench/scale.py  load average {os.getloadavg()[0]:.2f} (a busy machine skews every figure)")
    base = make_url(args.postgres_url)
    name = args.database or f"diary_scale_{uuid.uuid4().hex[:8]}"
    url = base.set(drivername="postgresql+psycopg", database=name).render_as_string(hide_password=False)
    if args.database is None:
        with psycopg.connect(args.postgres_url, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        print(
            f"== building {args.patients:,} patients x {args.days} days, "
            f"{args.therapists} therapists in {name}"
        )
    try:
        if args.database is None:
            build(url, args)
        if not args.build_only:
            measure(url, args)
    finally:
        if args.database is None and not args.keep:
            with psycopg.connect(args.postgres_url, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        else:
            print(f"\n(kept: measure it again with --database {name}; drop it with dropdb {name})")


if __name__ == "__main__":
    main()
