"""Marshmallow schemas of the figures (docs/api.md "Figures and charts"), dumped from diary.clinical.

The engine names ranges `from_date` / `to_date`; the API writes them `from` / `to`.
"""

from __future__ import annotations

import re
from datetime import date

from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate, validates_schema

from .clinical import RULES_VERSION
from .clinical.periods import Month


class MedicationDaysSchema(Schema):
    non_opioid_analgesic = fields.Integer()
    triptan = fields.Integer()
    ergot = fields.Integer()
    opioid = fields.Integer()
    combination_analgesic = fields.Integer()
    other_acute = fields.Integer()
    other = fields.Integer()
    acute = fields.Integer()


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


_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
MAX_MONTHS = 120


class MonthField(fields.String):
    """A calendar month written YYYY-MM."""

    default_error_messages = {"invalid": "Give the month as YYYY-MM."}

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        if not _MONTH.match(text):
            raise self.make_error("invalid")
        year, month = text.split("-")
        return Month(int(year), int(month))


class MonthRangeQuerySchema(Schema):
    """`?from=YYYY-MM&to=YYYY-MM`, at most 120 months; both optional."""

    class Meta:
        unknown = EXCLUDE

    from_ = MonthField(data_key="from", load_default=None)
    to = MonthField(load_default=None)

    @validates_schema
    def _ordered(self, data, **kwargs):
        first, last = data.get("from_"), data.get("to")
        if first and last and first > last:
            raise ValidationError("`from` is after `to`.", "from")


class EffectsQuerySchema(Schema):
    class Meta:
        unknown = EXCLUDE

    window = fields.Integer(load_default=14, validate=validate.Range(
        1, 56, error="The window is 1 to 56 days."), error_messages={"invalid": "Give a whole number of days."})


def month_span(first: Month, last: Month) -> int:
    return (last.year - first.year) * 12 + last.month - first.month + 1


def default_month_range(today: date, first: Month | None, last: Month | None) -> tuple[Month, Month]:
    """The months asked for; by default the 12 months that end with the current one."""
    last = last or Month.of(today)
    first = first or last.shift(-11)
    return first, last
