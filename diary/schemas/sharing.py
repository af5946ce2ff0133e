"""Sharing with a therapist: share codes, links, the therapist's list, the access log."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from .common import StrictSchema


class ShareCodeSchema(Schema):
    code = fields.String()
    expires_at = fields.AwareDateTime()


class LinkBodySchema(StrictSchema):
    code = fields.String(
        required=True,
        validate=validate.Length(1, 40, error="Type the code."),
        error_messages={"required": "Type the code the patient gave you."},
    )


class PersonSchema(Schema):
    id = fields.UUID()
    display_name = fields.String()


class LinkCreatedSchema(Schema):
    link_id = fields.UUID(attribute="id")
    patient = fields.Nested(PersonSchema)


class TherapistNameSchema(Schema):
    display_name = fields.String()


class TherapistContactSchema(TherapistNameSchema):
    email = fields.String()


class PatientLinkSchema(Schema):
    id = fields.UUID()
    therapist = fields.Nested(TherapistContactSchema)
    since = fields.AwareDateTime(attribute="created_at")


class PatientLinksSchema(Schema):
    links = fields.List(fields.Nested(PatientLinkSchema))


class AccessEventSchema(Schema):
    at = fields.AwareDateTime()
    actor = fields.Function(lambda e: {"display_name": e.actor_name, "email": e.actor_email})
    action = fields.String()
    what = fields.String()
    allowed = fields.Boolean()


class AccessLogSchema(Schema):
    events = fields.List(fields.Nested(AccessEventSchema))


class TriageRowSchema(PersonSchema):
    last_logged_on = fields.Date(allow_none=True)
    days_logged_28 = fields.Integer()
    headache_days_28 = fields.Integer()
    medication_overuse_status = fields.String()
    next_review_on = fields.Date(allow_none=True)
    prolonged_soreness = fields.Boolean(allow_none=True)
    change_pct = fields.Float(allow_none=True)
    last_session_on = fields.Date(allow_none=True)
    period_days_logged = fields.Integer(allow_none=True)
    baseline_days_logged = fields.Integer(allow_none=True)
    red_flag_on = fields.Date(allow_none=True)
    red_flags = fields.List(fields.String())


class TriageSchema(Schema):
    patients = fields.List(fields.Nested(TriageRowSchema))
