"""Sharing with a therapist: share codes, links, the therapist's list, the access log."""

from __future__ import annotations

from flask_login import current_user
from werkzeug.exceptions import NotFound

from .. import operations, queries
from ..access import rule
from ..operations.sharing import CODE_LIFETIME_HOURS
from ..ratelimits import mark_code_failed, share_code_limits
from ..schemas.sharing import (
    AccessLogSchema,
    LinkBodySchema,
    LinkCreatedSchema,
    PatientLinksSchema,
    ShareCodeSchema,
    TriageSchema,
)
from . import bp
from .helpers import done


@bp.post("/patients/me/share-codes")
@rule("patient")
@bp.response(201, ShareCodeSchema)
@bp.doc(summary=f"A one-use share code, valid for {CODE_LIFETIME_HOURS} hours")
def create_share_code():
    code, expires_at = operations.create_share_code(current_user)
    return {"code": code, "expires_at": expires_at}


@bp.post("/links")
@rule("therapist")
@share_code_limits
@bp.arguments(LinkBodySchema)
@bp.response(201, LinkCreatedSchema)
@bp.problems(404, 429)
def create_link(data: dict):
    """Add a patient with the code they gave you"""
    link = operations.link_therapist(current_user, data["code"])
    if link is None:
        mark_code_failed()
        raise NotFound("This code is unknown, used or expired. Ask the patient for a new one.")
    return link


@bp.get("/patients/me/links")
@rule("patient")
@bp.response(200, PatientLinksSchema)
def my_links():
    """The therapists who can read my diary"""
    return {"links": queries.patient_links(current_user)}


@bp.delete("/patients/me/links/<link_id>")
@rule("patient")
@bp.response(204)
def revoke_link(link_id: str):
    """Stop sharing with a therapist"""
    return done(operations.revoke_link(current_user, link_id))


@bp.get("/patients")
@rule("therapist", lists_patients=True)
@bp.response(200, TriageSchema)
def triage_list():
    """Every patient who shares with me, with their recent logging"""
    return {"patients": queries.triage(current_user)}


@bp.get("/patients/me/access-log")
@rule("patient")
@bp.response(200, AccessLogSchema)
def access_log():
    """Who read or changed my diary, and when"""
    return {"events": queries.access_log(current_user)}
