"""Invitations: a therapist's one-use link, what anyone holding it may read, and its answer
(docs/invitations.md)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from .accounts import EmailAddress
from .common import StrictSchema
from .sharing import TherapistContactSchema, TherapistNameSchema


class InvitationBodySchema(StrictSchema):
    patient_email = EmailAddress(
        load_default=None,
        allow_none=True,
        validate=validate.Length(max=254),
        error_messages={"invalid": "Give a valid email address, or leave it out."},
    )


class InvitationCreatedSchema(Schema):
    id = fields.UUID()
    url = fields.String()
    expires_at = fields.AwareDateTime()


class InvitationSchema(Schema):
    id = fields.UUID()
    patient_email = fields.String(allow_none=True)
    created_at = fields.AwareDateTime()
    expires_at = fields.AwareDateTime()


class InvitationListSchema(Schema):
    invitations = fields.List(fields.Nested(InvitationSchema))


class InvitationPreviewSchema(Schema):
    """What the link shows anyone holding it: who asks, until when. Nothing of a patient."""

    therapist = fields.Nested(TherapistNameSchema)
    expires_at = fields.AwareDateTime()


class InvitationAcceptedSchema(Schema):
    link_id = fields.UUID(attribute="id")
    therapist = fields.Nested(TherapistContactSchema)
