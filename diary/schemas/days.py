"""Day records (docs/api.md "Diary days"): their fields come from diary/dayshape.py."""

from __future__ import annotations

from marshmallow import (
    Schema,
    ValidationError,
    fields,
    post_load,
    pre_load,
    validate,
    validates,
    validates_schema,
)

from .. import dayshape, redflags
from ..fieldtypes import unique as _unique
from .common import DAY, StrictSchema, range_query

MAX_DAYS_PER_LIST = 2000  # the longest day list one request gets (5 years are 1,827 days)


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


DayRangeQuerySchema = range_query("DayRangeQuerySchema", DAY, max_span=MAX_DAYS_PER_LIST, default_span=28)


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


day_schema = DaySchema()
