"""Sharing with a therapist: share codes, links, the therapist's list, the access log."""

from __future__ import annotations

from flask_login import current_user
from werkzeug.exceptions import NotFound

from .. import operations, queries
from ..access import rule
from ..operations.sharing import CODE_LIFETIME_HOURS
from ..ratelimits import mark_code_failed, share_code_limits
from ..schemas import (
    AccessLogSchema,
    LinkBodySchema,
    LinkCreatedSchema,
    PatientLinksSchema,
    ShareCodeSchema,
    TriageSchema,
)
from . import bp
from .helpers import doc, json_body, load


@bp.post("/patients/me/share-codes")
@rule("patient")
@doc(f"A one-use share code, valid for {CODE_LIFETIME_HOURS} hours", responses={201: ShareCodeSchema, 403: None},
     who="patient")
def create_share_code():
    code, expires_at = operations.create_share_code(current_user)
    return ShareCodeSchema().dump({"code": code, "expires_at": expires_at}), 201


@bp.post("/links")
@rule("therapist")
@share_code_limits
@doc("Add a patient with the code they gave you", body=LinkBodySchema,
     responses={201: LinkCreatedSchema, 403: None, 404: None, 429: None}, who="therapist")
def create_link():
    data = load(LinkBodySchema(), json_body())
    link = operations.link_therapist(current_user, data["code"])
    if link is None:
        mark_code_failed()
        raise NotFound("This code is unknown, used or expired. Ask the patient for a new one.")
    return LinkCreatedSchema().dump(link), 201


@bp.get("/patients/me/links")
@rule("patient")
@doc("The therapists who can read my diary", responses={200: PatientLinksSchema}, who="patient")
def my_links():
    return PatientLinksSchema().dump({"links": queries.patient_links(current_user)})


@bp.delete("/patients/me/links/<link_id>")
@rule("patient")
@doc("Stop sharing with a therapist", responses={204: None, 404: None}, who="patient")
def revoke_link(link_id: str):
    if not operations.revoke_link(current_user, link_id):
        raise NotFound()
    return "", 204


@bp.get("/patients")
@rule("therapist")
@doc("Every patient who shares with me, with their recent logging", responses={200: TriageSchema},
     who="therapist")
def triage_list():
    return TriageSchema().dump({"patients": queries.triage(current_user)})


@bp.get("/patients/me/access-log")
@rule("patient")
@doc("Who read or changed my diary, and when", responses={200: AccessLogSchema}, who="patient")
def access_log():
    return AccessLogSchema().dump({"events": queries.access_log(current_user)})
