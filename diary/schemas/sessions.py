"""Treatment sessions: as a therapist writes them, and as they are read."""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, post_load, validate, validates_schema

from .. import vocabulary as vocab
from ..fieldtypes import WordList
from ..fieldtypes import one_of as _one_of
from .common import StrictSchema


class MuscleSchema(StrictSchema):
    """A muscle treated and its side; an `other` muscle is named in `name`, and only it."""

    muscle = fields.String(required=True, validate=_one_of(vocab.MUSCLES, "muscle"))
    side = fields.String(required=True, validate=_one_of(vocab.MUSCLE_SIDES, "side"))
    name = fields.String(
        validate=validate.Length(
            max=vocab.MUSCLE_NAME_MAX, error=f"Name the muscle in at most {vocab.MUSCLE_NAME_MAX} characters."
        )
    )

    @validates_schema
    def _only_other_is_named(self, data, **kwargs):
        if "name" in data:
            data["name"] = data["name"].strip()
        if data.get("muscle") == vocab.OTHER_MUSCLE and not data.get("name"):
            raise ValidationError("Give the name of the other muscle.", "name")
        if data.get("muscle") not in (None, vocab.OTHER_MUSCLE) and "name" in data:
            raise ValidationError('Only the "Other" muscle takes a name.', "name")


class Whole(fields.Nested):
    """A nested record that is always whole: a PATCH may leave out fields of the session, never
    half of one of its muscles (marshmallow would pass `partial` down)."""

    def _deserialize(self, value, attr, data, partial=None, **kwargs):
        return super()._deserialize(value, attr, data, partial=False, **kwargs)


class SessionBodySchema(StrictSchema):
    """A treatment session as a therapist writes it (POST; PATCH takes any subset)."""

    date = fields.Date(
        required=True,
        error_messages={"invalid": "Give the date as YYYY-MM-DD.", "required": "Give the session's date."},
    )
    techniques = WordList(
        vocab.TECHNIQUES,
        "technique",
        required=True,
        validate=validate.Length(1, len(vocab.TECHNIQUES), error="Choose at least one technique."),
    )
    muscles = fields.List(
        Whole(MuscleSchema), load_default=list, validate=validate.Length(max=24, error="At most 24 muscles.")
    )
    notes = fields.String(
        allow_none=True,
        load_default=None,
        validate=validate.Length(max=2000, error="Notes are at most 2,000 characters."),
    )
    next_review_on = fields.Date(
        allow_none=True, load_default=None, error_messages={"invalid": "Give the date as YYYY-MM-DD."}
    )

    @post_load
    def _unique_muscles(self, data, **kwargs):
        if "muscles" in data:
            seen = {(m["muscle"], m["side"], m.get("name")): m for m in data["muscles"]}
            data["muscles"] = list(seen.values())
        return data


class SessionSchema(Schema):
    id = fields.UUID()
    date = fields.Date()
    techniques = fields.List(fields.String())
    muscles = fields.List(fields.Dict())
    notes = fields.String(allow_none=True)
    next_review_on = fields.Date(allow_none=True)
    therapist = fields.Function(lambda s: {"display_name": s.therapist.display_name} if s.therapist else None)
    created_at = fields.AwareDateTime()
    updated_at = fields.AwareDateTime()


class SessionListSchema(Schema):
    sessions = fields.List(fields.Nested(SessionSchema))
