"""The figures (docs/api.md "Figures and charts"), dumped from diary.clinical, and their queries.

The engine names ranges `from_date` / `to_date`; the API writes them `from` / `to`.
"""

from __future__ import annotations

import dataclasses

from marshmallow import EXCLUDE, Schema, fields, validate

from ..clinical import RULES_VERSION
from ..clinical.effects import DEFAULT_WINDOW, MAX_WINDOW, MIN_WINDOW
from ..clinical.periods import MedicationDays
from .common import MONTH, range_query

MAX_MONTHS = 120  # the longest run of monthly figures one request gets


# A count of days for each field of clinical.MedicationDays: each drug class, and `acute`.
MedicationDaysSchema = Schema.from_dict(
    {field.name: fields.Integer() for field in dataclasses.fields(MedicationDays)},
    name="MedicationDaysSchema",
)


class RangeSchema(Schema):
    from_ = fields.Date(attribute="from_date", data_key="from")
    to = fields.Date(attribute="to_date")


class MonthRowSchema(Schema):
    month = fields.String()
    days_in_month = fields.Integer()
    days_logged = fields.Integer()
    headache_days = fields.Integer()
    moderate_severe_days = fields.Integer()
    mean_peak_intensity = fields.Float(allow_none=True)
    medication_days = fields.Nested(MedicationDaysSchema)
    overuse_reasons = fields.List(fields.String())


class MonthsSchema(Schema):
    months = fields.List(fields.Nested(MonthRowSchema))


class RollingSchema(RangeSchema):
    days_logged = fields.Integer()
    days_with_record = fields.Integer()
    headache_days = fields.Integer()
    medication_days = fields.Nested(MedicationDaysSchema)
    overuse_reasons = fields.List(fields.String())


class OveruseStatusSchema(Schema):
    status = fields.String()
    rolling_30 = fields.Nested(RollingSchema)
    consecutive_overuse_months = fields.Integer()
    message = fields.String()


class PeriodFiguresSchema(RangeSchema):
    days_logged = fields.Integer()
    headache_days = fields.Integer()
    headache_days_per_28 = fields.Float(allow_none=True)
    moderate_severe_days = fields.Integer()
    acute_medication_days = fields.Integer()
    mean_peak_intensity = fields.Float(allow_none=True)


class ProgressPeriodSchema(PeriodFiguresSchema):
    index = fields.Integer()
    complete = fields.Boolean()
    change_pct = fields.Float(allow_none=True)
    responder_50 = fields.Boolean(allow_none=True)
    responder_30 = fields.Boolean(allow_none=True)


class ProgressSchema(Schema):
    rules_version = fields.Constant(RULES_VERSION)
    first_session_date = fields.Date(allow_none=True)
    baseline = fields.Nested(PeriodFiguresSchema, allow_none=True)
    periods = fields.List(fields.Nested(ProgressPeriodSchema))


class EffectWindowSchema(RangeSchema):
    days_logged = fields.Integer()
    headache_days = fields.Integer()
    headache_days_per_28 = fields.Float(allow_none=True)
    mean_peak_intensity = fields.Float(allow_none=True)
    acute_medication_days = fields.Integer()
    max_soreness = fields.Integer(allow_none=True)
    complete = fields.Boolean()


class SessionEffectSchema(Schema):
    session_id = fields.String()
    date = fields.Date()
    before = fields.Nested(EffectWindowSchema)
    after = fields.Nested(EffectWindowSchema)
    soreness_resolved_day = fields.Integer(allow_none=True)
    prolonged_soreness = fields.Boolean(allow_none=True)


class LastSessionSchema(Schema):
    id = fields.String()
    date = fields.Date()


class FollowUpSummarySchema(Schema):
    """The pre-follow-up summary (docs/clinical-rules.md section 7)."""

    as_of = fields.Date()
    rules_version = fields.Constant(RULES_VERSION)
    first_session_date = fields.Date(allow_none=True)
    last_session = fields.Nested(LastSessionSchema, allow_none=True)
    since_last_session = fields.Nested(EffectWindowSchema, allow_none=True)
    before_last_session = fields.Nested(EffectWindowSchema, allow_none=True)
    soreness_resolved_day = fields.Integer(allow_none=True)
    prolonged_soreness = fields.Boolean(allow_none=True)
    baseline = fields.Nested(PeriodFiguresSchema, allow_none=True)
    latest_complete_period = fields.Nested(ProgressPeriodSchema, allow_none=True)
    medication_overuse = fields.Nested(OveruseStatusSchema)


class EffectsSchema(Schema):
    window = fields.Integer()
    effects = fields.List(fields.Nested(SessionEffectSchema))


MonthRangeQuerySchema = range_query("MonthRangeQuerySchema", MONTH, max_span=MAX_MONTHS, default_span=12)


def effect_window() -> fields.Integer:
    """`window`: the days before and after each session (docs/clinical-rules.md section 6)."""
    return fields.Integer(
        load_default=DEFAULT_WINDOW,
        validate=validate.Range(
            MIN_WINDOW, MAX_WINDOW, error=f"The window is {MIN_WINDOW} to {MAX_WINDOW} days."
        ),
        error_messages={"invalid": "Give a whole number of days."},
    )


class EffectsQuerySchema(Schema):
    """`?window=` of the session effects, 1 to 56 days (default 14)."""

    class Meta:
        unknown = EXCLUDE

    window = effect_window()
