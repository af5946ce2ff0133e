"""Reminders: the patient's settings, the server's Web Push key, a browser's subscription."""

from __future__ import annotations

from urllib.parse import urlsplit

from marshmallow import Schema, ValidationError, fields, validate, validates

from ..fieldtypes import Bool, HourMinute, WordList
from ..reminders import CHANNELS
from .common import StrictSchema

BASE64URL = validate.Regexp(r"^[A-Za-z0-9_-]+={0,2}$", error="Give the key as base64url.")


ENDPOINT_PATTERN = (
    r"^https://(?![Ll][Oo][Cc][Aa][Ll][Hh][Oo][Ss][Tt](:|/|$))"
    r"[A-Za-z0-9.-]*[A-Za-z][A-Za-z0-9.-]*(:[0-9]{1,5})?([/?#][^\s]*)?$"
)


class ReminderSettingsSchema(StrictSchema):
    """`{enabled, time: "HH:MM", channels, skip_if_logged}`, time in the patient's own zone."""

    enabled = Bool(required=True)
    time = HourMinute(required=True)
    channels = WordList(CHANNELS, "way to be reminded", required=True)
    skip_if_logged = Bool(load_default=True)


class PushKeySchema(Schema):
    public_key = fields.String()


class PushKeysSchema(StrictSchema):
    p256dh = fields.String(required=True, validate=[validate.Length(40, 128), BASE64URL])
    auth = fields.String(required=True, validate=[validate.Length(16, 64), BASE64URL])


class PushSubscriptionSchema(StrictSchema):
    """A browser's PushSubscription JSON (`subscription.toJSON()`)."""

    # When the push service will end the subscription (ms since 1970), if it says: not kept,
    # since a push to an ended subscription answers 410 and removes it anyway.
    expiration_time = fields.Float(data_key="expirationTime", allow_none=True, load_default=None)
    endpoint = fields.String(
        required=True,
        validate=validate.Length(1, 2048),
        # The rule of _a_push_service below, for the OpenAPI: https, a host name with a letter in
        # it (not an IP address), not localhost (in any case), an optional port, path and query.
        metadata={"pattern": ENDPOINT_PATTERN},
    )
    keys = fields.Nested(PushKeysSchema, required=True)

    @validates("endpoint")
    def _a_push_service(self, value: str, **kwargs) -> None:
        """The server posts to this address: an https URL of a named host only, so that a
        subscription cannot point the server at itself or at the local network."""
        parts = urlsplit(value)
        host = parts.hostname or ""
        if (
            parts.scheme != "https"
            or not host
            or host == "localhost"
            or host.replace(".", "").isdigit()
            or ":" in host
        ):
            raise ValidationError("Give the push service's https address.")


class PushSubscriptionCreatedSchema(Schema):
    id = fields.UUID()
