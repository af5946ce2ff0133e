"""Marshmallow schemas: the JSON contract of docs/api.md, with body schemas apart from query schemas."""

from __future__ import annotations

import re
from zoneinfo import available_timezones

from marshmallow import (
    EXCLUDE,
    RAISE,
    Schema,
    ValidationError,
    fields,
    post_load,
    pre_load,
    validate,
    validates,
    validates_schema,
)

from . import dayshape, redflags
from . import vocabulary as vocab
from .fieldtypes import WordList
from .fieldtypes import one_of as _one_of
from .fieldtypes import unique as _unique

_TIMEZONES = frozenset(available_timezones())


def flatten_errors(messages, prefix: str = "") -> dict[str, list[str]]:
    """Turn marshmallow's nested messages into docs/api.md's {"field.path": [messages]}."""
    flat: dict[str, list[str]] = {}
    if isinstance(messages, dict):
        for key, value in messages.items():
            path = f"{prefix}.{key}" if prefix else str(key)
            flat.update(flatten_errors(value, path))
    elif isinstance(messages, list) and all(isinstance(m, str) for m in messages):
        flat[prefix or "_schema"] = list(messages)
    elif isinstance(messages, list):
        for message in messages:
            for key, value in flatten_errors(message, prefix).items():
                flat.setdefault(key, []).extend(value)
    else:
        flat[prefix or "_schema"] = [str(messages)]
    return flat


# U+0000 (PostgreSQL cannot store it in text) and lone surrogates (not encodable as UTF-8): both
# would end in a 500, and no one types them.
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def _unstorable(value) -> bool:
    if isinstance(value, str):
        return _UNSTORABLE.search(value) is not None
    return isinstance(value, list) and any(isinstance(v, str) and _UNSTORABLE.search(v)
                                           for v in value)


class StrictSchema(Schema):
    """Unknown fields are an error, so a typo is never silently dropped."""

    class Meta:
        unknown = RAISE

    @pre_load
    def _refuse_unstorable_characters(self, data, **kwargs):
        if isinstance(data, dict):
            errors = {key: ["Remove the invisible control character."]
                      for key, value in data.items() if _unstorable(value)}
            if errors:
                raise ValidationError(errors)
        return data


# -- Users and accounts ------------------------------------------------------------------

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
    email = EmailAddress(required=True, validate=validate.Length(max=254),
                         error_messages={"invalid": "Give a valid email address."})
    password = fields.String(required=True, load_only=True,
                             validate=validate.Length(max=256, error="Use at most 256 characters."))
    display_name = DisplayName(required=True)
    timezone = fields.String(load_default="Europe/London", validate=_validate_timezone)


class LoginSchema(StrictSchema):
    email = fields.String(required=True, validate=validate.Length(max=254))
    password = fields.String(required=True, load_only=True, validate=validate.Length(max=256))


class ProfileSchema(StrictSchema):
    display_name = DisplayName()
    timezone = fields.String(validate=_validate_timezone)


class PasswordSchema(StrictSchema):
    password = fields.String(required=True, load_only=True, validate=validate.Length(max=256))


class CsrfSchema(Schema):
    csrf_token = fields.String()


# -- Day records ---------------------------------------------------------------------------

def _shaped(name: str, shape_fields) -> type[StrictSchema]:
    """A strict schema holding the fields of diary/dayshape.py, for a schema to build on."""
    return StrictSchema.from_dict({f.name: f.schema_field() for f in shape_fields}, name=name)


class HeadacheSchema(_shaped("HeadacheFields", dayshape.HEADACHE.fields)):
    """One headache of a day (its fields: diary/dayshape.py)."""


class MedicationSchema(_shaped("MedicationFields", dayshape.MEDICATION.fields)):
    """One medication taken on a day (its fields: diary/dayshape.py)."""


class DaySchema(_shaped("DayFields", dayshape.DAY)):
    """A whole day record, as PUT takes it and GET gives it (its fields: diary/dayshape.py)."""

    date = fields.Date(error_messages={"invalid": "Give the date as YYYY-MM-DD."})
    headaches = dayshape.HEADACHE.schema_field(HeadacheSchema)
    medications = dayshape.MEDICATION.schema_field(MedicationSchema)
    version = fields.Integer(dump_only=True)
    updated_at = fields.AwareDateTime(dump_only=True)

    @pre_load
    def _drop_server_fields(self, data, **kwargs):
        # A record read with GET can be sent back as it is: the server-set fields are ignored.
        if isinstance(data, dict):
            data = {k: v for k, v in data.items() if k not in ("version", "updated_at")}
        return data

    @validates("triggers")
    def _no_blank_triggers(self, value, **kwargs):
        for word in value:
            if not word.strip():
                raise ValidationError("A trigger cannot be blank.")

    @validates_schema(skip_on_field_errors=True)
    def _headache_question_agrees(self, data, **kwargs):
        if "had_headache" in data and "headaches" in data:
            problem = dayshape.answer_problem(data["had_headache"], data["headaches"])
            if problem:
                raise ValidationError(problem, "had_headache")

    @post_load
    def _normalise(self, data, **kwargs):
        if "triggers" in data:
            data["triggers"] = _unique(word.strip() for word in data["triggers"])
        if data.get("notes") is not None and not data["notes"].strip():
            data["notes"] = None
        if "had_headache" not in data and "headaches" in data:
            data["had_headache"] = dayshape.answer_left_out(data["headaches"])
        return data


class DayListSchema(Schema):
    days = fields.List(fields.Nested(DaySchema))


class DayRangeQuerySchema(Schema):
    """`?from=&to=` of the day list; both optional, at most 2,000 days apart."""

    class Meta:
        unknown = EXCLUDE

    from_ = fields.Date(data_key="from", load_default=None)
    to = fields.Date(load_default=None)


class CatalogueItemSchema(Schema):
    name = fields.String()
    drug_class = fields.String()


class CatalogueSchema(Schema):
    medications = fields.List(fields.Nested(CatalogueItemSchema))


class RedFlagSchema(Schema):
    """A warning sign and what to do about it (diary/redflags.py)."""

    code = fields.String()
    level = fields.String(validate=validate.OneOf(list(redflags.LEVELS)))
    applies_to = fields.String(validate=validate.OneOf(list(redflags.APPLIES_TO)))
    words = fields.String()
    advice = fields.String()


class RedFlagListSchema(Schema):
    red_flags = fields.List(fields.Nested(RedFlagSchema))


class ProblemSchema(Schema):
    """application/problem+json (RFC 9457)."""

    type = fields.String()
    title = fields.String()
    status = fields.Integer()
    detail = fields.String()
    errors = fields.Dict(keys=fields.String(), values=fields.List(fields.String()))


user_schema = UserSchema()
day_schema = DaySchema()


# -- Sharing, access log ---------------------------------------------------------------------

class ShareCodeSchema(Schema):
    code = fields.String()
    expires_at = fields.AwareDateTime()


class LinkBodySchema(StrictSchema):
    code = fields.String(required=True, validate=validate.Length(1, 40, error="Type the code."),
                         error_messages={"required": "Type the code the patient gave you."})


class PersonSchema(Schema):
    id = fields.UUID()
    display_name = fields.String()


class LinkCreatedSchema(Schema):
    link_id = fields.UUID(attribute="id")
    patient = fields.Nested(PersonSchema)


class TherapistContactSchema(Schema):
    display_name = fields.String()
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


class TriageRowSchema(Schema):
    id = fields.UUID()
    display_name = fields.String()
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


# -- Treatment sessions ---------------------------------------------------------------------

class MuscleSchema(StrictSchema):
    muscle = fields.String(required=True, validate=_one_of(vocab.MUSCLES, "muscle"))
    side = fields.String(required=True, validate=_one_of(vocab.MUSCLE_SIDES, "side"))


class Whole(fields.Nested):
    """A nested record that is always whole: a PATCH may leave out fields of the session, never
    half of one of its muscles (marshmallow would pass `partial` down)."""

    def _deserialize(self, value, attr, data, partial=None, **kwargs):
        return super()._deserialize(value, attr, data, partial=False, **kwargs)


class SessionBodySchema(StrictSchema):
    """A treatment session as a therapist writes it (POST; PATCH takes any subset)."""

    date = fields.Date(required=True, error_messages={
        "invalid": "Give the date as YYYY-MM-DD.", "required": "Give the session's date."})
    techniques = WordList(vocab.TECHNIQUES, "technique", required=True,
                          validate=validate.Length(1, len(vocab.TECHNIQUES),
                                                   error="Choose at least one technique."))
    muscles = fields.List(Whole(MuscleSchema), load_default=list,
                          validate=validate.Length(max=24, error="At most 24 muscles."))
    notes = fields.String(allow_none=True, load_default=None,
                          validate=validate.Length(max=2000, error="Notes are at most 2,000 characters."))
    next_review_on = fields.Date(allow_none=True, load_default=None,
                                 error_messages={"invalid": "Give the date as YYYY-MM-DD."})

    @post_load
    def _unique_muscles(self, data, **kwargs):
        if "muscles" in data:
            seen = {(m["muscle"], m["side"]): m for m in data["muscles"]}
            data["muscles"] = list(seen.values())
        return data


class SessionSchema(Schema):
    id = fields.UUID()
    date = fields.Date()
    techniques = fields.List(fields.String())
    muscles = fields.List(fields.Dict())
    notes = fields.String(allow_none=True)
    next_review_on = fields.Date(allow_none=True)
    therapist = fields.Function(
        lambda s: {"display_name": s.therapist.display_name} if s.therapist else None)
    created_at = fields.AwareDateTime()
    updated_at = fields.AwareDateTime()


class SessionListSchema(Schema):
    sessions = fields.List(fields.Nested(SessionSchema))


class PasswordChangeSchema(StrictSchema):
    current_password = fields.String(required=True, load_only=True, validate=validate.Length(max=256))
    new_password = fields.String(required=True, load_only=True, validate=validate.Length(max=256))
