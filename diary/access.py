"""The one place that decides who may see or change a patient's diary.

What a user may not see does not exist for them: every refusal here is a 404.
"""

from __future__ import annotations

import uuid

from werkzeug.exceptions import NotFound

from .extensions import db
from .models import User

ME = "me"


def _patient_id(actor: User, pid: str) -> uuid.UUID | None:
    if pid == ME:
        return actor.id if actor.is_patient else None
    try:
        return uuid.UUID(pid)
    except (ValueError, AttributeError, TypeError):
        return None


def patient_visible_to(actor: User, pid: str) -> User:
    """The patient `pid` names, when `actor` may read their diary; otherwise 404."""
    patient_id = _patient_id(actor, pid)
    if patient_id is not None and patient_id == actor.id and actor.is_patient:
        return actor
    raise NotFound()


def patient_writable_by(actor: User, pid: str) -> User:
    """The patient whose own diary this is; only the patient writes their days."""
    patient_id = _patient_id(actor, pid)
    if patient_id is not None and patient_id == actor.id and actor.is_patient:
        return actor
    raise NotFound()


def require_patient(actor: User) -> User:
    """The actor as a patient, for the patient's own pages; therapists get a 404."""
    if not actor.is_patient:
        raise NotFound()
    return actor


def get_user(user_id: uuid.UUID) -> User | None:
    return db.session.get(User, user_id)
