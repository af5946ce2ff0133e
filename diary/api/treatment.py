"""Treatment sessions: recorded by a linked therapist, read by the patient too."""

from __future__ import annotations

from flask_login import current_user

from .. import operations, queries
from ..access import patient_visible_to, patient_writable_by, rule, session_for_author
from ..schemas import SessionBodySchema, SessionListSchema, SessionSchema
from . import bp
from .helpers import doc, json_body, load


@bp.post("/patients/<pid>/sessions")
@rule("linked_therapist")
@doc("Record a treatment session", body=SessionBodySchema,
     responses={201: SessionSchema, 403: None, 404: None, 422: None}, who="linked therapist")
def create_session(pid: str):
    data = load(SessionBodySchema(), json_body())
    patient = patient_writable_by(current_user, pid, "create",
                                  f"treatment session of {data['date'].isoformat()}")
    session = operations.record_session(current_user, patient, data)
    return SessionSchema().dump(session), 201


@bp.get("/patients/<pid>/sessions")
@rule("patient_or_linked_therapist")
@doc("Treatment sessions by date", responses={200: SessionListSchema, 404: None},
     who="patient, linked therapist")
def list_sessions(pid: str):
    patient = patient_visible_to(current_user, pid, "treatment sessions")
    return SessionListSchema().dump({"sessions": queries.list_sessions(patient)})


@bp.patch("/patients/<pid>/sessions/<sid>")
@rule("session_author")
@doc("Correct a session", body=SessionBodySchema,
     responses={200: SessionSchema, 403: None, 404: None, 422: None}, who="the therapist who wrote it")
def update_session(pid: str, sid: str):
    changes = load(SessionBodySchema(partial=True), json_body())
    session = session_for_author(current_user, pid, sid, "update")
    return SessionSchema().dump(operations.update_session(session, changes))


@bp.delete("/patients/<pid>/sessions/<sid>")
@rule("session_author")
@doc("Delete a session", responses={204: None, 403: None, 404: None}, who="the therapist who wrote it")
def delete_session(pid: str, sid: str):
    operations.delete_session(session_for_author(current_user, pid, sid, "delete"))
    return "", 204
