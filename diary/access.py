"""The one place that decides who may see or change a patient's diary.

- A patient reads and writes their own diary.
- A therapist the patient shares with (a live TherapistLink) reads it and writes treatment
  sessions; each such read or write, and each refused attempt on a real patient, is written to
  the patient's access log.
- Everyone else is told the patient does not exist: every refusal here is a 404.

Routes declare their rule with `rule(...)`, so that a route without one is caught by the tests
(tests/test_access_matrix.py walks the URL map).
"""

from __future__ import annotations

import functools
import uuid
from collections.abc import Callable

from flask_login import current_user, login_required
from sqlalchemy import select
from werkzeug.exceptions import Forbidden, NotFound

from .extensions import db
from .models import AccessEvent, TherapistLink, User

ME = "me"

# The rules a route can declare. The view itself calls patient_visible_to / patient_writable_by
# for the per-patient part of the rule.
RULES = {
    "anyone": "no login needed",
    "logged_in": "any logged-in user",
    "patient": "a patient, acting on their own account (a therapist gets 403)",
    "patient_page": "a patient's own page (anyone else gets 404)",
    "therapist": "a therapist (a patient gets 403)",
    "therapist_page": "a therapist's page (anyone else gets 404); a patient in it must be linked",
    "patient_or_linked_therapist": "the patient, or a therapist the patient shares with",
    "linked_therapist": "a therapist the patient shares with",
    "session_author": "the therapist who wrote the session, while still linked",
}


def rule(name: str) -> Callable:
    """Declare (and enforce the login and role part of) a route's access rule."""
    if name not in RULES:
        raise ValueError(f"unknown access rule {name!r}")

    def decorator(view):
        @functools.wraps(view)
        def wrapped(*args, **kwargs):
            if name != "anyone" and not current_user.is_authenticated:
                return login_required(view)(*args, **kwargs)  # answers 401 or the login page
            if name == "patient" and not current_user.is_patient:
                raise Forbidden("Only a patient can do this.")
            if name == "patient_page" and not current_user.is_patient:
                raise NotFound()
            if name == "therapist_page" and not current_user.is_therapist:
                raise NotFound()
            if name == "therapist" and not current_user.is_therapist:
                raise Forbidden("Only a therapist can do this.")
            # The per-patient rules ("linked_therapist", ...) are decided by the view's call
            # to patient_visible_to / patient_writable_by, which knows the patient.
            return view(*args, **kwargs)

        wrapped.access_rule = name
        return wrapped

    return decorator


def _patient_id(actor: User, pid: str) -> uuid.UUID | None:
    if pid == ME:
        return actor.id if actor.is_patient else None
    try:
        return uuid.UUID(pid)
    except (ValueError, AttributeError, TypeError):
        return None


def _linked_patient(therapist: User, patient_id: uuid.UUID) -> User | None:
    return db.session.scalar(
        select(User)
        .join(TherapistLink, TherapistLink.patient_id == User.id)
        .where(TherapistLink.therapist_id == therapist.id, User.id == patient_id)
    )


def log_access(actor: User, patient_id: uuid.UUID, action: str, what: str, allowed: bool) -> None:
    """Add one access event to the current transaction (committed with the work it records)."""
    db.session.add(AccessEvent(
        patient_id=patient_id, actor_id=actor.id, actor_name=actor.display_name,
        actor_email=actor.email, action=action, what=what[:120], allowed=allowed,
    ))


def _refuse(actor: User, patient_id: uuid.UUID | None, action: str, what: str):
    """404, after noting a therapist's refused attempt in a real patient's log."""
    if actor.is_therapist and patient_id is not None:
        patient = db.session.get(User, patient_id)
        if patient is not None and patient.is_patient:
            log_access(actor, patient_id, action, what, allowed=False)
            db.session.commit()
    raise NotFound()


def patient_visible_to(actor: User, pid: str, what: str = "diary") -> User:
    """The patient `pid` names, when `actor` may read their diary; otherwise 404.

    A therapist's read is logged and committed before any of the data is returned.
    """
    patient_id = _patient_id(actor, pid)
    if patient_id is not None and actor.is_patient and patient_id == actor.id:
        return actor
    if patient_id is not None and actor.is_therapist:
        patient = _linked_patient(actor, patient_id)
        if patient is not None:
            log_access(actor, patient.id, "read", what, allowed=True)
            db.session.commit()
            return patient
    return _refuse(actor, patient_id, "read", what)


def patient_writable_by(actor: User, pid: str, action: str, what: str) -> User:
    """The patient whose treatment record a linked therapist changes; otherwise 404.

    A patient on their own diary gets 403: they can see it, but sessions are the therapist's.
    The access event is added to the transaction of the change itself.
    """
    patient_id = _patient_id(actor, pid)
    if patient_id is not None and actor.is_patient and patient_id == actor.id:
        raise Forbidden("Treatment sessions are recorded by your therapist.")
    if patient_id is not None and actor.is_therapist:
        patient = _linked_patient(actor, patient_id)
        if patient is not None:
            log_access(actor, patient.id, action, what, allowed=True)
            return patient
    return _refuse(actor, patient_id, action, what)


def session_for_author(actor: User, pid: str, sid: str, action: str):
    """A treatment session its author (still linked) may change; 403 for other readers, else 404."""
    from .models import TreatmentSession

    patient = patient_writable_by(actor, pid, action, "treatment session")
    try:
        session_id = uuid.UUID(sid)
    except ValueError:
        session_id = None
    session = db.session.scalar(select(TreatmentSession).where(
        TreatmentSession.id == session_id, TreatmentSession.patient_id == patient.id))
    if session is None:
        db.session.rollback()
        raise NotFound()
    if session.therapist_id != actor.id:
        db.session.rollback()
        log_access(actor, patient.id, action, f"treatment session of {session.date.isoformat()}",
                   allowed=False)
        db.session.commit()
        raise Forbidden("Only the therapist who wrote a session can change it.")
    return session


def session_for_editing(actor: User, pid: str, sid: str):
    """A session shown in its author's edit form (the read is logged): (patient, session);
    404 when not visible, 403 when visible but written by someone else."""
    from .models import TreatmentSession

    patient = patient_visible_to(actor, pid, "treatment sessions")
    try:
        session_id = uuid.UUID(sid)
    except ValueError:
        raise NotFound() from None
    session = db.session.scalar(select(TreatmentSession).where(
        TreatmentSession.id == session_id, TreatmentSession.patient_id == patient.id))
    if session is None:
        raise NotFound()
    if session.therapist_id != actor.id:
        raise Forbidden("Only the therapist who wrote a session can change it.")
    return patient, session
