"""Believable demo data: a patient with six months of diary and a therapist."""

from __future__ import annotations

import random
from datetime import timedelta

from sqlalchemy import select

from . import operations
from .extensions import db
from .models import DayRecord, Headache, MedicationIntake, User

DEMO_PATIENT = ("patient@demo.example", "sunny-pebble-kettle", "Alex Morgan")
DEMO_THERAPIST = ("therapist@demo.example", "quiet-harbour-lantern", "Sam Patel (physio)")
DEMO_LOGINS = {
    "patient": DEMO_PATIENT[:2],
    "therapist": DEMO_THERAPIST[:2],
}
DEMO_DAYS = 183


def _demo_day(rng: random.Random, patient: User, day, days_ago: int) -> DayRecord | None:
    """One day: frequent tension-type headaches and painkillers early, fewer later."""
    if rng.random() < 0.07:
        return None  # a forgotten day stays missing
    improving = days_ago < 110
    headache_chance = 0.3 if improving else 0.6
    record = DayRecord(patient_id=patient.id, date=day, triggers=[], headaches=[], medications=[])
    if rng.random() < headache_chance:
        intensity = rng.choice([3, 4, 4, 5, 5, 6, 6, 7, 8]) - (1 if improving else 0)
        record.headaches.append(Headache(
            position=0, intensity=max(1, intensity), type=rng.choice(["tension"] * 4 + ["migraine"]),
            side="both", locations=rng.sample(["back_of_head", "neck", "temples", "forehead"], 2),
            symptoms=["neck_stiffness"] if rng.random() < 0.5 else [],
            duration_minutes=rng.choice([60, 120, 180, 240]), neck_provoked=rng.random() < 0.6,
        ))
        if rng.random() < (0.55 if improving else 0.85):
            name, drug_class = rng.choice([("Ibuprofen 400 mg", "non_opioid_analgesic"),
                                           ("Paracetamol 500 mg", "non_opioid_analgesic"),
                                           ("Co-codamol 8/500", "combination_analgesic")])
            record.medications.append(MedicationIntake(
                position=0, name=name, drug_class=drug_class, doses=rng.choice([1, 2]),
                relief=rng.choice(["partial", "partial", "pain_free", "none"])))
        if rng.random() < 0.4:
            record.triggers = rng.sample(["stress", "poor_sleep", "screen_time", "posture"], 1)
    record.soreness = rng.choice([None, 0, 1, 2]) if rng.random() < 0.5 else None
    record.exercises_done = (rng.random() < 0.7) if improving else None
    return record


def load_demo_data(seed: int = 7) -> bool:
    """Create the demo accounts and diary; False (and no change) when they exist already."""
    email, password, name = DEMO_PATIENT
    if db.session.scalar(select(User.id).where(User.email == email)) is not None:
        return False
    patient = operations.create_user(email, password, name)
    t_email, t_password, t_name = DEMO_THERAPIST
    if db.session.scalar(select(User.id).where(User.email == t_email)) is None:
        operations.create_user(t_email, t_password, t_name, role="therapist")
    rng = random.Random(seed)
    today = patient.today()
    for days_ago in range(DEMO_DAYS, 0, -1):
        record = _demo_day(rng, patient, today - timedelta(days=days_ago), days_ago)
        if record is not None:
            db.session.add(record)
    db.session.commit()
    return True
