"""Figures (docs/api.md "Figures and charts"): every number follows the clinical rules via diary.clinical."""

from __future__ import annotations

from flask import request

from .. import clinical, queries
from ..access import rule
from ..errors import InvalidInput
from ..models import User
from ..figure_schemas import (
    MAX_MONTHS,
    EffectsQuerySchema,
    EffectsSchema,
    FollowUpSummarySchema,
    MonthRangeQuerySchema,
    MonthsSchema,
    OveruseStatusSchema,
    ProgressSchema,
    default_month_range,
    month_span,
)
from . import bp
from .helpers import doc, load


@bp.get("/patients/<pid>/months")
@rule("patient_or_linked_therapist", "monthly figures")
@doc("Monthly figures from `from` to `to` (YYYY-MM; default the last 12 months)",
     query=MonthRangeQuerySchema, responses={200: MonthsSchema, 404: None, 422: None},
     who="patient, linked therapist")
def months(patient: User):
    params = load(MonthRangeQuerySchema(), request.args.to_dict())
    first, last = default_month_range(patient.today(), params["from_"], params["to"])
    if month_span(first, last) > MAX_MONTHS:
        raise InvalidInput({"to": [f"Ask for at most {MAX_MONTHS} months at a time."]})
    facts = queries.day_facts(patient, first.first_day, last.last_day)
    return MonthsSchema().dump({"months": clinical.month_rows(facts, first.first_day, last.first_day)})


@bp.get("/patients/<pid>/medication-overuse")
@rule("patient_or_linked_therapist", "medication-overuse status")
@doc("Medication-overuse status as of today (ICHD-3)", responses={200: OveruseStatusSchema, 404: None},
     who="patient, linked therapist")
def medication_overuse(patient: User):
    return OveruseStatusSchema().dump(queries.medication_overuse(patient))


@bp.get("/patients/<pid>/progress")
@rule("patient_or_linked_therapist", "progress figures")
@doc("Baseline and 28-day periods since the first session", responses={200: ProgressSchema, 404: None},
     who="patient, linked therapist")
def progress(patient: User):
    sessions = queries.session_facts(patient)
    today = patient.today()
    first = clinical.baseline_start(sessions, today)
    facts = queries.day_facts(patient, first) if first else []
    return ProgressSchema().dump(clinical.treatment_progress(facts, sessions, today))


@bp.get("/patients/<pid>/sessions/effects")
@rule("patient_or_linked_therapist", "session effects")
@doc("The effect of each treatment session (window 1-56 days, default 14)", query=EffectsQuerySchema,
     responses={200: EffectsSchema, 404: None, 422: None}, who="patient, linked therapist")
def session_effects(patient: User):
    window = load(EffectsQuerySchema(), request.args.to_dict())["window"]
    sessions = queries.session_facts(patient)
    today = patient.today()
    read = clinical.effects_window(sessions, window, today)
    facts = queries.day_facts(patient, *read) if read else []
    effects = clinical.session_effects(facts, sessions, today, window)
    return EffectsSchema().dump({"window": window, "effects": effects})


@bp.get("/patients/<pid>/follow-up-summary")
@rule("patient_or_linked_therapist", "follow-up summary")
@doc("The pre-follow-up summary as of today: since the last session against the days before it, "
     "the latest complete 28-day period against the baseline, and the medication-overuse status",
     responses={200: FollowUpSummarySchema, 404: None}, who="patient, linked therapist")
def follow_up_summary(patient: User):
    return FollowUpSummarySchema().dump(queries.follow_up_summary(patient))
