"""Accounts: registration, login, the profile, passwords (docs/api.md "Accounts")."""

from __future__ import annotations

from zoneinfo import available_timezones

from marshmallow import Schema, ValidationError, fields, validate

from .common import StrictSchema

_TIMEZONES = frozenset(available_timezones())


class UserSchema(Schema):
    id = fields.UUID(dump_only=True)
    email = fields.Email(dump_only=True)
    display_name = fields.String(dump_only=True)
    role = fields.String(dump_only=True)
    timezone = fields.String(dump_only=True)


def _validate_timezone(value: str) -> None:
    if value not in _TIMEZONES:
        raise ValidationError("Choose a time zone from the list, such as Europe/London.")


class DisplayName(fields.String):
    def __init__(self, **kwargs):
        super().__init__(
            validate=validate.Length(1, 80, error="Give a name of 1 to 80 characters."), **kwargs
        )

    def _deserialize(self, value, attr, data, **kwargs):
        return super()._deserialize(value, attr, data, **kwargs).strip()


class EmailAddress(fields.Email):
    """An email address; spaces around it (a phone's autofill adds one) are not part of it."""

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, str):
            value = value.strip()
        return super()._deserialize(value, attr, data, **kwargs)


class RegisterSchema(StrictSchema):
    email = EmailAddress(
        required=True,
        validate=validate.Length(max=254),
        error_messages={"invalid": "Give a valid email address."},
    )
    password = fields.String(
        required=True, load_only=True, validate=validate.Length(max=256, error="Use at most 256 characters.")
    )
    display_name = DisplayName(required=True)
    timezone = fields.String(load_default="Europe/London", validate=_validate_timezone)
    # The token of the invitation link the patient came by (docs/invitations.md): with
    # REGISTRATION=invite_only, the only way in.
    invitation = fields.String(load_default=None, load_only=True, validate=validate.Length(max=100))


class LoginSchema(StrictSchema):
    email = fields.String(required=True, validate=validate.Length(max=254))
    password = fields.String(required=True, load_only=True, validate=validate.Length(max=256))


class ProfileSchema(StrictSchema):
    display_name = DisplayName()
    timezone = fields.String(validate=_validate_timezone)


class PasswordSchema(StrictSchema):
    password = fields.String(required=True, load_only=True, validate=validate.Length(max=256))


class PasswordChangeSchema(StrictSchema):
    current_password = fields.String(required=True, load_only=True, validate=validate.Length(max=256))
    new_password = fields.String(required=True, load_only=True, validate=validate.Length(max=256))


class CsrfSchema(Schema):
    csrf_token = fields.String()


class HealthSchema(Schema):
    status = fields.String()


user_schema = UserSchema()
