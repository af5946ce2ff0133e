"""Treatment sessions: recorded by a linked therapist, read by the patient too."""

from __future__ import annotations

from flask_login import current_user

from .. import operations, queries
from ..access import rule
from ..models import TreatmentSession, User
from ..schemas import SessionBodySchema, SessionListSchema, SessionSchema
from . import bp
from .helpers import doc, json_body, load


@bp.post("/patients/<pid>/sessions")
@rule("linked_therapist", "treatment sessions", action="create")
@doc("Record a treatment session", body=SessionBodySchema,
     responses={201: SessionSchema, 403: None, 404: None, 422: None}, who="linked therapist")
def create_session(patient: User):
    data = load(SessionBodySchema(), json_body())
    session = operations.record_session(current_user, patient, data)
    return SessionSchema().dump(session), 201


@bp.get("/patients/<pid>/sessions")
@rule("patient_or_linked_therapist", "treatment sessions")
@doc("Treatment sessions by date", responses={200: SessionListSchema, 404: None},
     who="patient, linked therapist")
def list_sessions(patient: User):
    return SessionListSchema().dump({"sessions": queries.list_sessions(patient)})


@bp.patch("/patients/<pid>/sessions/<sid>")
@rule("session_author", "treatment session", action="update")
@doc("Correct a session", body=SessionBodySchema,
     responses={200: SessionSchema, 403: None, 404: None, 422: None}, who="the therapist who wrote it")
def update_session(patient: User, session: TreatmentSession):
    changes = load(SessionBodySchema(partial=True), json_body())
    return SessionSchema().dump(operations.update_session(current_user, session, changes))


@bp.delete("/patients/<pid>/sessions/<sid>")
@rule("session_author", "treatment session", action="delete")
@doc("Delete a session", responses={204: None, 403: None, 404: None}, who="the therapist who wrote it")
def delete_session(patient: User, session: TreatmentSession):
    operations.delete_session(current_user, session)
    return "", 204
