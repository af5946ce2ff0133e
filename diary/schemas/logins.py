"""Password reset and the account's logins (devices): docs/api.md "Accounts for a real clinic"."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from .accounts import EmailAddress
from .common import StrictSchema


class PasswordResetRequestSchema(StrictSchema):
    email = EmailAddress(
        required=True,
        validate=validate.Length(max=254),
        error_messages={"invalid": "Give a valid email address."},
    )


class PasswordResetSchema(StrictSchema):
    password = fields.String(
        required=True, load_only=True, validate=validate.Length(max=256, error="Use at most 256 characters.")
    )


class PasswordResetAcceptedSchema(Schema):
    detail = fields.String()


class LoginSessionSchema(Schema):
    id = fields.UUID()
    device = fields.String(allow_none=True)
    address = fields.String(allow_none=True)
    created_at = fields.AwareDateTime()
    last_seen_at = fields.AwareDateTime(allow_none=True)
    current = fields.Boolean(metadata={"description": "the login this request comes with"})


class LoginSessionListSchema(Schema):
    sessions = fields.List(fields.Nested(LoginSessionSchema))
