"""Treatment sessions: recorded by a linked therapist, read by the patient too."""

from __future__ import annotations

from flask_login import current_user

from .. import operations, queries
from ..access import rule
from ..models import TreatmentSession, User
from ..schemas.sessions import SessionBodySchema, SessionListSchema, SessionSchema
from . import bp
from .helpers import no_content


@bp.post("/patients/<pid>/sessions")
@rule("linked_therapist", "treatment sessions", action="create")
@bp.arguments(SessionBodySchema)
@bp.response(201, SessionSchema)
def create_session(data: dict, patient: User):
    """Record a treatment session"""
    return operations.record_session(current_user, patient, data)


@bp.get("/patients/<pid>/sessions")
@rule("patient_or_linked_therapist", "treatment sessions")
@bp.response(200, SessionListSchema)
def list_sessions(patient: User):
    """Treatment sessions by date"""
    return {"sessions": queries.list_sessions(patient)}


@bp.patch("/patients/<pid>/sessions/<uuid_text:sid>")
@rule("session_author", "treatment session", action="update")
@bp.arguments(SessionBodySchema(partial=True))
@bp.response(200, SessionSchema)
def update_session(changes: dict, patient: User, session: TreatmentSession):
    """Correct a session (any of its fields)"""
    return operations.update_session(current_user, session, changes)


@bp.delete("/patients/<pid>/sessions/<uuid_text:sid>")
@rule("session_author", "treatment session", action="delete")
@bp.response(204)
def delete_session(patient: User, session: TreatmentSession):
    """Delete a session"""
    operations.delete_session(current_user, session)
    return no_content()
