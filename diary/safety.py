"""Read side of red flags (docs/red-flags.md): when the day form asks about the needling signs.

The rule: on S+1 to S+3 after a session on S whose techniques include dry needling (sessions
dated today or earlier), until the patient has answered a day in that window. A day answers it
when its record was saved after the session was recorded and answers the headache question (on
the page that also shows the needling question) or holds a needling sign. Nothing else is stored
for "None of these": the answered day is the memory.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select

from . import redflags
from .extensions import db
from .models import DayRecord, TreatmentSession, User

NEEDLING = "dry_needling"
_NEEDLING_CODES = frozenset(flag.code for flag in redflags.NEEDLING)


@dataclass(frozen=True)
class NeedlingQuestion:
    """Whether the day form asks "Since your treatment, have you had any of these?", and after
    which session (None when no needling session is 1 to 3 days before the day)."""

    asked: bool
    session_on: date | None = None


def _answers(record: DayRecord, session: TreatmentSession) -> bool:
    return record.updated_at >= session.created_at and (
        record.had_headache is not None or bool(_NEEDLING_CODES & set(record.red_flags or []))
    )


def needling_question(actor: User, patient: User, day: date) -> NeedlingQuestion:
    """The needling question for `patient`'s `day` (actor: the patient themself)."""
    if actor.id != patient.id:
        return NeedlingQuestion(False)
    today = patient.today()
    days = redflags.DAYS_ASKED_AFTER_NEEDLING
    sessions = db.session.scalars(
        select(TreatmentSession)
        .where(
            TreatmentSession.patient_id == patient.id,
            TreatmentSession.date >= day - timedelta(days=days),
            TreatmentSession.date < day,
            TreatmentSession.date <= today,
        )
        .order_by(TreatmentSession.date.desc(), TreatmentSession.created_at.desc())
    ).all()
    session = next((s for s in sessions if NEEDLING in (s.techniques or [])), None)
    if session is None:
        return NeedlingQuestion(False)
    window = db.session.scalars(
        select(DayRecord).where(
            DayRecord.patient_id == patient.id,
            DayRecord.date > session.date,
            DayRecord.date <= session.date + timedelta(days=days),
        )
    ).all()
    answered = any(_answers(record, session) for record in window)
    return NeedlingQuestion(not answered, session.date)
