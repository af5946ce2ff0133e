"""Believable demo data: a patient with six months of diary and treatment, a therapist, and a few
other patients so the therapist's list has someone to sort.

The demo patient's story (days are counted back from today):
- a 28-day baseline before treatment with headaches on about 16 days in 28 and painkillers on
  most of them: a stretch of medication overuse (ICHD-3: 15+ simple-painkiller days a month);
- fortnightly treatment sessions (dry needling, soft-tissue work, exercises) from day 140;
- headache days falling session by session, and painkiller days with them;
- one session (day 84) followed by soreness that did not settle (4+ from day 4 on);
- recent painkiller days at about two a week, so the gentle "approaching" note shows;
- a few forgotten days, which stay missing, and a few days where only soreness and exercises
  were saved and the headache question is still open (yesterday among them, so Today's
  neighbour asks "Did you have a headache?").

The other patients: Priya kept a thin diary in her first 4 weeks of treatment (too few days to
compare with her baseline); Morgan has a session today (the follow-up summary still covers the
days up to yesterday).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select

from . import operations
from .extensions import db
from .models import DayRecord, Headache, MedicationIntake, TreatmentSession, User
from .operations.days import content_digest

DEMO_PATIENT = ("patient@demo.example", "sunny-pebble-kettle", "Alex Morgan")
DEMO_THERAPIST = ("therapist@demo.example", "quiet-harbour-lantern", "Sam Patel (physio)")
DEMO_LOGINS = {"patient": DEMO_PATIENT[:2], "therapist": DEMO_THERAPIST[:2]}
DEMO_DAYS = 183
SESSION_DAYS_AGO = (140, 126, 112, 98, 84, 70, 56, 42, 28, 14)
SORE_SESSION_DAYS_AGO = 84
UNANSWERED_DAYS_AGO = (1, 6, 20)  # soreness and exercises saved, headache question open
OTHER_PATIENTS = (
    # email, name, headache chance, painkiller chance, sessions days ago, sore session,
    # days ago of a thinly logged stretch (most days forgotten)
    ("jordan@demo.example", "Jordan Hughes", 0.65, 0.95, (60, 46, 32, 18), None, None),
    ("priya@demo.example", "Priya Shah", 0.25, 0.3, (40, 26, 12), None, (13, 40)),
    ("morgan@demo.example", "Morgan Lee", 0.4, 0.35, (30, 9, 0), 9, None),
)
OTHER_PASSWORD = "velvet-canyon-otter-31"

PAINKILLERS = (("Ibuprofen 400 mg", "non_opioid_analgesic"), ("Paracetamol 500 mg", "non_opioid_analgesic"))
COMBINATION = ("Co-codamol 8/500", "combination_analgesic")


@dataclass(frozen=True)
class Plan:
    """How likely a headache and a painkiller are on a day of the story."""

    headache: float
    painkiller: float
    combination: float = 0.0
    certain: bool = False  # a headache for sure (keeps the recent painkiller days at ~2 a week)
    forgotten: float = 0.05  # the chance that the day is not logged at all


def _plan(days_ago: int) -> Plan:
    if days_ago > 140:  # before treatment: headaches most days, painkillers with nearly all
        return Plan(headache=0.66, painkiller=1.0, combination=0.1)
    if days_ago > 84:
        return Plan(headache=0.5, painkiller=0.9, combination=0.1)
    if days_ago > 42:
        return Plan(headache=0.35, painkiller=0.7)
    return Plan(headache=0.04, painkiller=1.0, certain=days_ago <= 30 and days_ago % 7 in (2, 5))


def _soreness(days_after_session: int | None, sore_session: bool, rng: random.Random) -> int | None:
    if days_after_session is None or days_after_session > 10:
        return rng.choice([None, None, 0, 1])
    if sore_session:
        return [6, 6, 5, 5, 5, 4, 4, 3, 2, 1, 0][days_after_session] if days_after_session else None
    return [None, 4, 2, 1, 0, 0, 0, 0, 0, 0, 0][days_after_session]


def _blank_day(patient: User, day: date, soreness: int | None, exercises: bool | None) -> DayRecord:
    """A day record with no headache, medication, trigger, red flag or note yet."""
    return DayRecord(
        patient_id=patient.id,
        date=day,
        triggers=[],
        red_flags=[],
        notes=None,
        headaches=[],
        medications=[],
        soreness=soreness,
        exercises_done=exercises,
    )


def _day(
    rng: random.Random, patient: User, day: date, plan: Plan, soreness: int | None, exercises: bool | None
) -> DayRecord | None:
    if rng.random() < plan.forgotten and not plan.certain:
        return None  # a forgotten day stays missing
    record = _blank_day(patient, day, soreness, exercises)
    if plan.certain or rng.random() < plan.headache:
        record.headaches.append(
            Headache(
                position=0,
                intensity=rng.choice([3, 4, 4, 5, 5, 6, 6, 7, 8]),
                type=rng.choice(["tension"] * 4 + ["migraine"]),
                side="both",
                locations=rng.sample(["back_of_head", "neck", "temples", "forehead"], 2),
                symptoms=["neck_stiffness"] if rng.random() < 0.5 else [],
                duration_minutes=rng.choice([60, 120, 180, 240]),
                neck_provoked=rng.random() < 0.6,
            )
        )
        if rng.random() < plan.painkiller:
            name, drug_class = COMBINATION if rng.random() < plan.combination else rng.choice(PAINKILLERS)
            record.medications.append(
                MedicationIntake(
                    position=0,
                    name=name,
                    drug_class=drug_class,
                    doses=rng.choice([1, 2]),
                    relief=rng.choice(["partial", "partial", "pain_free", "none"]),
                )
            )
        if rng.random() < 0.4:
            record.triggers = rng.sample(["stress", "poor_sleep", "screen_time", "posture"], 1)
    record.had_headache = bool(record.headaches)
    return record


def _diary(
    rng: random.Random,
    patient: User,
    session_days: tuple[int, ...],
    sore_session: int | None,
    plan_of=_plan,
    unanswered: tuple[int, ...] = (),
) -> None:
    today = patient.today()
    for days_ago in range(DEMO_DAYS, 0, -1):
        since = [s - days_ago for s in session_days if s >= days_ago]
        after = min(since) if since else None
        soreness = _soreness(after, after is not None and days_ago + after == sore_session, rng)
        exercises = (rng.random() < 0.75) if session_days and days_ago < max(session_days) else None
        if unanswered and days_ago in unanswered:
            record = _blank_day(patient, today - timedelta(days=days_ago), soreness, True)
            record.had_headache = None  # the headache question left unanswered
        else:
            record = _day(
                rng, patient, today - timedelta(days=days_ago), plan_of(days_ago), soreness, exercises
            )
        if record is not None:
            # Every field is set above (no column default left to fill), so this is the stored content's.
            record.content_hash = content_digest(record)
            db.session.add(record)


def _sessions(patient: User, therapist: User, session_days: tuple[int, ...]) -> None:
    today = patient.today()
    for days_ago in session_days:
        db.session.add(
            TreatmentSession(
                patient_id=patient.id,
                therapist_id=therapist.id,
                date=today - timedelta(days=days_ago),
                techniques=["dry_needling", "soft_tissue_work", "exercise_prescription"],
                muscles=[
                    {"muscle": "upper_trapezius", "side": "both"},
                    {"muscle": "suboccipitals", "side": "both"},
                    {"muscle": "sternocleidomastoid", "side": "left" if days_ago % 28 else "right"},
                ],
                notes="Local twitch responses; chin tucks and upper-trapezius stretch reviewed.",
                next_review_on=today - timedelta(days=days_ago) + timedelta(days=14),
            )
        )


def _account(email: str, password: str, name: str, role: str = "patient") -> User:
    return operations.create_user(email, password, name, role=role)


def load_demo_data(seed: int = 7) -> bool:
    """Create the demo accounts, diaries and sessions; False (and no change) when they exist."""
    email, password, name = DEMO_PATIENT
    if db.session.scalar(select(User.id).where(User.email == email)) is not None:
        return False
    patient = _account(email, password, name)
    therapist = db.session.scalar(select(User).where(User.email == DEMO_THERAPIST[0])) or _account(
        *DEMO_THERAPIST, role="therapist"
    )
    rng = random.Random(seed)
    _diary(rng, patient, SESSION_DAYS_AGO, SORE_SESSION_DAYS_AGO, unanswered=UNANSWERED_DAYS_AGO)
    _sessions(patient, therapist, SESSION_DAYS_AGO)
    db.session.commit()
    operations.link_therapist(therapist, operations.create_share_code(patient)[0])
    for other_email, other_name, headache, painkiller, sessions, sore, thin in OTHER_PATIENTS:
        if db.session.scalar(select(User.id).where(User.email == other_email)) is not None:
            continue
        other = _account(other_email, OTHER_PASSWORD, other_name)

        def plan_of(days_ago, h=headache, p=painkiller, thin=thin):
            sparse = thin is not None and thin[0] <= days_ago <= thin[1]
            return Plan(h, p, forgotten=0.7 if sparse else 0.05)

        _diary(rng, other, sessions, sore, plan_of=plan_of)
        _sessions(other, therapist, sessions)
        db.session.commit()
        operations.link_therapist(therapist, operations.create_share_code(other)[0])
    return True
