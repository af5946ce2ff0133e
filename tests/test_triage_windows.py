"""The triage list reads only the windows its rules need (docs/performance.md): its figures
against the engine over every day, at dates where the windows' bounds fall differently (the
1st of a month, the last 28 and 30 days starting on a 1st, New Year, 29 February), for patients
in two time zones whose "today" differ, with records after today that count nowhere."""

from __future__ import annotations

import random
import uuid
from datetime import date, time, timedelta

from diary import clinical, queries
from diary.extensions import db
from diary.models import TreatmentSession

from . import clock
from .clinical.facts import DRUG_CLASSES
from .factories import link, make_day

FIRST, LAST = date(2027, 9, 20), date(2028, 3, 31)
# Noon in London: already the next day in Kiritimati (UTC+14).
DATES = [
    date(2028, 1, 1),
    date(2028, 1, 30),  # the rolling 30 days start on the 1st
    date(2028, 2, 29),
    date(2028, 3, 1),
    date(2028, 3, 28),  # the last 28 days start on the 1st
]


def _diary(patient, therapist, rng: random.Random, headache_chance: float, heavy: bool) -> None:
    """About five days in six of FIRST..LAST with headaches, medications (`heavy`: a triptan
    every headache day), soreness and red flags, some records leaving the headache question open;
    sessions after the first 28 days, two on one date."""
    day = FIRST
    while day <= LAST:
        if rng.random() < 0.83:
            headache = rng.random() < headache_chance
            make_day(
                patient,
                day,
                headaches=[{"intensity": rng.randint(1, 10)}] if headache else [],
                had_headache=headache if rng.random() < 0.9 else None if not headache else True,
                medications=[
                    {"name": "x", "drug_class": rng.choice(DRUG_CLASSES)}
                    for _ in range(rng.choice((0, 0, 1, 2)) if rng.random() < 0.7 else 0)
                ]
                + ([{"name": "y", "drug_class": "triptan"}] if headache and heavy else []),
                soreness=rng.choice((None, None, 0, 1, 3, 4, 7)),
                red_flags=["worst_ever"] if rng.random() < 0.03 else [],
            )
        day += timedelta(days=1)
    session_days = sorted(rng.sample(range(40, (LAST - FIRST).days), 9))
    for offset in [*session_days, session_days[-1]]:
        db.session.add(
            TreatmentSession(
                id=uuid.uuid4(),
                patient_id=patient.id,
                therapist_id=therapist.id,
                date=FIRST + timedelta(days=offset),
                techniques=["dry_needling"],
                muscles=[],
                next_review_on=FIRST + timedelta(days=offset + 14),
            )
        )
    db.session.commit()


def _expected(patient) -> tuple:
    """The line's figures as the engine works them out over every day and session."""
    today = clock.today(patient)
    days, sessions = queries.day_facts(patient), queries.session_facts(patient)
    figures = clinical.triage_figures(days, sessions, today)
    progress = clinical.treatment_progress(days, clinical.counted_sessions(sessions, today), today)
    complete = [period for period in progress.periods if period.complete]
    # the latest record that answers the headache question, whatever its date (as the list has
    # always shown it; the diary takes no record after the patient's today)
    logged = [
        record.date for record in queries.list_days(patient, FIRST, LAST) if record.had_headache is not None
    ]
    return (
        figures.days_logged_28,
        figures.headache_days_28,
        figures.medication_overuse_status,
        figures.prolonged_soreness,
        figures.change_pct,
        complete[-1].days_logged if complete else None,
        progress.baseline.days_logged if complete else None,
        max(logged, default=None),
    )


def test_triage_figures_agree_with_the_engine_wherever_the_windows_fall(users, therapist):
    rng = random.Random(20261201)
    with clock.stopped_at(FIRST - timedelta(days=1)):  # the accounts start the day before the diaries
        patients = [
            users.patient(name="London", timezone="Europe/London"),
            users.patient(name="Kiritimati", timezone="Pacific/Kiritimati"),
            users.patient(name="London too", timezone="Europe/London"),
        ]
        for patient, headache_chance, heavy in zip(patients, (0.4, 0.9, 0.6), (False, True, False)):
            link(patient, therapist)
            _diary(patient, therapist, rng, headache_chance, heavy)
    seen = set()
    for day in DATES:
        with clock.stopped_at(day, time(12)):
            assert len({clock.today(p) for p in patients}) == 2
            rows = {row.id: row for row in queries.triage(therapist)}
            for patient in patients:
                row = rows[patient.id]
                found = (
                    row.days_logged_28,
                    row.headache_days_28,
                    row.medication_overuse_status,
                    row.prolonged_soreness,
                    row.change_pct,
                    row.period_days_logged,
                    row.baseline_days_logged,
                    row.last_logged_on,
                )
                assert found == _expected(patient), (day, patient.display_name)
                seen.add((row.medication_overuse_status, row.prolonged_soreness, row.change_pct is None))
    # the diaries reach the figures that matter, so the comparison says something
    assert {status for status, _, _ in seen} >= {"overuse", "ichd3_pattern"}, seen
    assert {soreness for _, soreness, _ in seen} >= {True, False}, seen
    assert any(not no_change for _, _, no_change in seen), seen
