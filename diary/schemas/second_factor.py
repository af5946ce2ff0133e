"""Two-step sign-in: the authenticator-app key, recovery codes, passkeys, and a login's second
step (docs/second-factor.md)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from .common import StrictSchema

METHODS = ("totp", "recovery_code", "passkey")


class TotpKeySchema(Schema):
    secret = fields.String(metadata={"description": "The key in base32, to type into an app by hand."})
    otpauth_uri = fields.String(metadata={"description": "otpauth://totp/... for a QR code."})


class CodeSchema(StrictSchema):
    code = fields.String(required=True, validate=validate.Length(max=64))


class RecoveryCodesSchema(Schema):
    recovery_codes = fields.List(fields.String(), metadata={"description": "Ten one-use codes, shown once."})


class SecondStepSchema(StrictSchema):
    method = fields.String(required=True, validate=validate.OneOf(METHODS[:2]))
    code = fields.String(required=True, validate=validate.Length(max=64))


class SecondStepNeededSchema(Schema):
    second_factor = fields.List(
        fields.String(validate=validate.OneOf(METHODS)),
        metadata={"description": "The ways this account can take the second step."},
    )


class WebAuthnOptionsSchema(Schema):
    """WebAuthn options as JSON (base64url for bytes), for navigator.credentials.create or get."""

    challenge = fields.String()
    rp = fields.Dict()
    user = fields.Dict()
    rpId = fields.String()  # noqa: N815  (WebAuthn's own name)
    timeout = fields.Integer()
    pubKeyCredParams = fields.List(fields.Dict())  # noqa: N815
    excludeCredentials = fields.List(fields.Dict())  # noqa: N815
    allowCredentials = fields.List(fields.Dict())  # noqa: N815
    authenticatorSelection = fields.Dict()  # noqa: N815
    attestation = fields.String()
    userVerification = fields.String()  # noqa: N815


class PasskeyBodySchema(StrictSchema):
    credential = fields.Dict(
        required=True, metadata={"description": "The PublicKeyCredential, base64url for bytes."}
    )
    name = fields.String(load_default="Passkey", validate=validate.Length(1, 80))


class CredentialSchema(StrictSchema):
    credential = fields.Dict(
        required=True, metadata={"description": "The PublicKeyCredential, base64url for bytes."}
    )


class PasskeySchema(Schema):
    id = fields.UUID()
    name = fields.String()
    created_at = fields.DateTime()
    last_used_at = fields.DateTime(allow_none=True)


class PasskeyListSchema(Schema):
    passkeys = fields.List(fields.Nested(PasskeySchema))
