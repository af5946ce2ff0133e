"""Write side of treatment sessions: a linked therapist records, corrects and deletes them.

The route's access rule has already decided that the therapist may (diary/access.py); each
change adds its event to the patient's access log in its own transaction, so both are written
or neither.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from ..access import log_change, session_subject
from ..errors import InvalidInput
from ..extensions import db
from ..models import TreatmentSession, User, utcnow
from .days import MAX_YEARS_BACK, years_before

SESSION_FIELDS = ("date", "techniques", "muscles", "notes", "next_review_on")
MAX_REVIEW_AHEAD = timedelta(days=366)


def check_session_dates(patient: User, data: dict[str, Any]) -> None:
    """A session is on a day that has happened (in the patient's time zone), within the diary's
    5 years; its next review is on or after it, within a year."""
    errors: dict[str, list[str]] = {}
    today = patient.today()
    if data["date"] > today:
        errors["date"] = ["A session can be recorded once it has happened."]
    elif data["date"] < years_before(today, MAX_YEARS_BACK):
        errors["date"] = ["The diary keeps the last 5 years only."]
    review = data.get("next_review_on")
    if review is not None and not data["date"] <= review <= data["date"] + MAX_REVIEW_AHEAD:
        errors["next_review_on"] = ["The next review is on or after the session, within a year."]
    if errors:
        raise InvalidInput(errors)


def record_session(therapist: User, patient: User, data: dict[str, Any]) -> TreatmentSession:
    """A new session of this patient, written by this therapist."""
    check_session_dates(patient, data)
    session = TreatmentSession(
        patient_id=patient.id, therapist_id=therapist.id, **{f: data.get(f) for f in SESSION_FIELDS}
    )
    db.session.add(session)
    log_change(therapist, patient, "create", session_subject(session.date))
    db.session.commit()
    return session


def update_session(therapist: User, session: TreatmentSession, changes: dict[str, Any]) -> TreatmentSession:
    """Correct some fields of a session (its author does)."""
    check_session_dates(
        session.patient,
        {
            "date": changes.get("date", session.date),
            "next_review_on": changes.get("next_review_on", session.next_review_on),
        },
    )
    for field in SESSION_FIELDS:
        if field in changes:
            setattr(session, field, changes[field])
    session.updated_at = utcnow()
    log_change(therapist, session.patient, "update", session_subject(session.date))
    db.session.commit()
    return session


def delete_session(therapist: User, session: TreatmentSession) -> None:
    """Delete a session (its author does)."""
    log_change(therapist, session.patient, "delete", session_subject(session.date))
    db.session.delete(session)
    db.session.commit()
