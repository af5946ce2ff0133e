"""Invitations: a therapist's one-use link for a patient to share their diary (docs/invitations.md)."""

from __future__ import annotations

from flask_login import current_user
from werkzeug.exceptions import NotFound

from .. import operations, queries
from ..access import rule
from ..operations.invitations import INVITATION_LIFETIME_DAYS
from ..schemas.invitations import (
    InvitationAcceptedSchema,
    InvitationBodySchema,
    InvitationCreatedSchema,
    InvitationListSchema,
    InvitationPreviewSchema,
)
from . import bp
from .helpers import no_content

GONE = "This invitation is unknown, used, withdrawn or expired. Ask for a new one."


@bp.post("/invitations")
@rule("therapist")
@bp.arguments(InvitationBodySchema)
@bp.response(201, InvitationCreatedSchema)
@bp.problems(403)
@bp.doc(summary=f"Invite a patient: a one-use link, valid for {INVITATION_LIFETIME_DAYS} days")
def create_invitation(data: dict):
    invitation, url = operations.create_invitation(current_user, data["patient_email"])
    return {"id": invitation.id, "url": url, "expires_at": invitation.expires_at}


@bp.get("/invitations")
@rule("therapist")
@bp.response(200, InvitationListSchema)
@bp.problems(403)
def list_invitations():
    """My open invitations"""
    return {"invitations": queries.therapist_invitations(current_user)}


# One address, /invitations/{invitation}, for both: the id (the therapist withdraws it) and the
# token of its link (anyone holding it reads it). Two names for one place would make two paths
# that match the same addresses in the OpenAPI document, each hiding the other's method.
@bp.delete("/invitations/<invitation>")
@rule("therapist")
@bp.response(204)
@bp.problems(403, 404)
def withdraw_invitation(invitation: str):
    """Withdraw one of my open invitations, by its id: its link stops working"""
    if not operations.withdraw_invitation(current_user, invitation):
        raise NotFound()
    return no_content()


@bp.get("/invitations/<invitation>")
@rule("anyone")
@bp.response(200, InvitationPreviewSchema)
@bp.problems(404)
def read_invitation(invitation: str):
    """Who invites, until when (anyone holding the link: the token of its url)"""
    found = queries.open_invitation(invitation)
    if found is None:
        raise NotFound(GONE)
    return found


@bp.post("/invitations/<token>/accept")
@rule("patient")
@bp.response(201, InvitationAcceptedSchema)
@bp.problems(403, 404)
def accept_invitation(token: str):
    """Accept: I share my diary with the therapist who invited me"""
    link = operations.accept_invitation(current_user, token)
    if link is None:
        raise NotFound(GONE)
    return link


@bp.post("/invitations/<token>/decline")
@rule("patient")
@bp.response(204)
@bp.problems(403, 404)
def decline_invitation(token: str):
    """Decline: nothing is shared, and the link stops working"""
    if not operations.decline_invitation(current_user, token):
        raise NotFound(GONE)
    return no_content()
