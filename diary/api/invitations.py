"""Invitations: a therapist's one-use link for a patient to share their diary (docs/invitations.md)."""

from __future__ import annotations

from flask_login import current_user

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
from .helpers import done, found

GONE = "This invitation is unknown, used, withdrawn or expired. Ask for a new one."


@bp.post("/invitations")
@rule("therapist")
@bp.arguments(InvitationBodySchema)
@bp.response(201, InvitationCreatedSchema)
@bp.doc(summary=f"Invite a patient: a one-use link, valid for {INVITATION_LIFETIME_DAYS} days")
def create_invitation(data: dict):
    invitation, url = operations.create_invitation(current_user, data["patient_email"])
    return {"id": invitation.id, "url": url, "expires_at": invitation.expires_at}


@bp.get("/invitations")
@rule("therapist")
@bp.response(200, InvitationListSchema)
def list_invitations():
    """My open invitations"""
    return {"invitations": queries.therapist_invitations(current_user)}


# One address, /invitations/{invitation}, for both: the id (the therapist withdraws it) and the
# token of its link (anyone holding it reads it). Two names for one place would make two paths
# that match the same addresses in the OpenAPI document, each hiding the other's method.
@bp.delete("/invitations/<invitation>")
@rule("therapist")
@bp.response(204)
def withdraw_invitation(invitation: str):
    """Withdraw one of my open invitations, by its id: its link stops working"""
    return done(operations.withdraw_invitation(current_user, invitation))


@bp.get("/invitations/<invitation>")
@rule("anyone")
@bp.response(200, InvitationPreviewSchema)
def read_invitation(invitation: str):
    """Who invites, until when (anyone holding the link: the token of its url)"""
    return found(queries.open_invitation(invitation), GONE)


@bp.post("/invitations/<token>/accept")
@rule("patient")
@bp.response(201, InvitationAcceptedSchema)
def accept_invitation(token: str):
    """Accept: I share my diary with the therapist who invited me"""
    return found(operations.accept_invitation(current_user, token), GONE)


@bp.post("/invitations/<token>/decline")
@rule("patient")
@bp.response(204)
def decline_invitation(token: str):
    """Decline: nothing is shared, and the link stops working"""
    return done(operations.decline_invitation(current_user, token), GONE)
