"""Pages for therapists: the triage list, adding a patient by code, a patient's diary, and the
treatment session form (tablet and desktop first, working without JS)."""

from __future__ import annotations

from datetime import date, timedelta

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from marshmallow import ValidationError

from .. import operations, queries, redflags
from .. import vocabulary as vocab
from ..access import ACKNOWLEDGE, PATIENT_PAGE, red_flag_subject, rule
from ..clinical import RECENT_DAYS
from ..errors import InvalidInput
from ..models import TreatmentSession, User
from ..operations.sharing import CODE_LIFETIME_HOURS
from ..operations.sharing import acknowledge_red_flags as acknowledge_red_flags_of
from ..ratelimits import mark_code_failed, share_code_limits
from ..schemas import flatten_errors
from ..schemas.sharing import LinkBodySchema
from . import bp
from .forms import load_session_form, session_to_form

WRONG_CODE = (
    "This code did not work. It may be mistyped, already used, or more than "
    f"{CODE_LIFETIME_HOURS} hours old. Ask your patient to make a new one in their diary (Sharing)."
)


# The patient page's calendar opens on the last five weeks: they always hold yesterday and the
# last 28 days (a month does not, on its first days).
CALENDAR_WEEKS = 5


def _month(patient, value: str | None) -> date:
    """The month asked for (`YYYY-MM`), never after the patient's current month."""
    this_month = patient.today().replace(day=1)
    try:
        year, month = (int(p) for p in (value or "").split("-"))
        shown = date(year, month, 1)
    except ValueError:
        return this_month
    return min(shown, this_month)


def _home(*, form=None, errors=None, status: int = 200):
    return render_template(
        "therapist_home.html",
        rows=queries.triage(current_user),
        today=current_user.today(),
        red_flags=redflags.BY_CODE,
        form=form or {},
        errors=errors or {},
        overuse_words=vocab.OVERUSE_BADGES,
    ), status


@bp.get("/therapist")
@rule("therapist_page", lists_patients=True)
def therapist_home():
    return _home()


@bp.post("/therapist/patients")
@rule("therapist_page", lists_patients=True)
@share_code_limits
def add_patient():
    try:
        data = LinkBodySchema().load({"code": request.form.get("code", "").strip()})
    except ValidationError as error:
        return _home(form=request.form, errors=flatten_errors(error.messages), status=422)
    link = operations.link_therapist(current_user, data["code"])
    if link is None:
        mark_code_failed()
        return _home(form=request.form, errors={"code": [WRONG_CODE]}, status=404)
    flash(f"{link.patient.display_name} now shares their diary with you.")
    return redirect(url_for("web.therapist_home"))


@bp.get("/therapist/patients/<pid>")
@rule("therapist_page", PATIENT_PAGE)
def therapist_patient(patient: User):
    today = patient.today()
    first_recent = today - timedelta(days=RECENT_DAYS - 1)
    return render_template(
        "therapist_patient.html",
        patient=patient,
        today=today,
        **_calendar(patient, today, request.args.get("month")),
        calendar_weeks=CALENDAR_WEEKS,
        recent={r.date: r for r in queries.list_days(patient, first_recent, today)},
        recent_dates=[today - timedelta(days=n) for n in range(RECENT_DAYS)],
        sessions=queries.list_sessions(patient),
        vocab=vocab,
        overuse_words=vocab.OVERUSE_BADGES,
        picture=queries.patient_picture(patient),
        red_flag_days=queries.red_flag_days(patient),
    )


def _calendar(patient, today: date, month: str | None) -> dict:
    """The calendar's weeks: the last five, or the month asked for; and the months around them
    (`month` None for the last weeks, `next_month` None at the present)."""
    if not month:
        weeks = queries.last_weeks_calendar(patient, CALENDAR_WEEKS)
        before = weeks[0][0].date - timedelta(days=1)
        return {"weeks": weeks, "month": None, "previous_month": before.replace(day=1), "next_month": None}
    shown = _month(patient, month)
    next_month = (shown + timedelta(days=32)).replace(day=1)
    return {
        "weeks": queries.month_calendar(patient, shown.year, shown.month),
        "month": shown,
        "previous_month": (shown - timedelta(days=1)).replace(day=1),
        "next_month": next_month if next_month <= today.replace(day=1) else None,
    }


@bp.post("/therapist/patients/<pid>/red-flags/<day:day>/acknowledge")
@rule("therapist_page", red_flag_subject, action=ACKNOWLEDGE)
def acknowledge_red_flags(patient: User, day: date):
    """The therapist has seen the red flags of one day: written to the patient's access log."""
    acknowledge_red_flags_of(current_user, patient, day)
    flash(
        f"Noted: you have seen the warning signs of {day.strftime('%a %-d %b')}. "
        "It is in the patient's access log."
    )
    return redirect(url_for("web.therapist_patient", pid=patient.id))


def _session_form(patient, *, session=None, form, errors=None, status: int = 200):
    return render_template(
        "session_form.html",
        patient=patient,
        treatment=session,
        form=form,
        errors=errors or {},
        vocab=vocab,
        today=patient.today(),
    ), status


def _saved(patient, day: date, verb: str):
    flash(f"Session of {day.strftime('%a %-d %b %Y')} {verb}.")
    return redirect(url_for("web.therapist_patient", pid=patient.id))


@bp.route("/therapist/patients/<pid>/sessions/new", methods=["GET", "POST"])
@rule("therapist_page", "treatment sessions", action="create")
def new_session(patient: User):
    if request.method == "GET":
        return _session_form(patient, form=session_to_form(date=patient.today().isoformat()))
    try:
        data = load_session_form(request.form)
    except InvalidInput as error:
        return _session_form(patient, form=request.form, errors=error.errors, status=422)
    try:
        operations.record_session(current_user, patient, data)
    except InvalidInput as error:  # dates: nothing is committed, the access event neither
        return _session_form(patient, form=request.form, errors=error.errors, status=422)
    return _saved(patient, data["date"], "recorded")


@bp.route("/therapist/patients/<pid>/sessions/<sid>/edit", methods=["GET", "POST"])
@rule("therapist_page", "treatment sessions", action="update")
def edit_session(patient: User, session: TreatmentSession):
    if request.method == "GET":
        return _session_form(patient, session=session, form=session_to_form(session))
    try:
        data = load_session_form(request.form)
        operations.update_session(current_user, session, data)
    except InvalidInput as error:  # nothing is changed or logged
        return _session_form(patient, session=session, form=request.form, errors=error.errors, status=422)
    return _saved(patient, data["date"], "saved")


@bp.post("/therapist/patients/<pid>/sessions/<sid>/delete")
@rule("therapist_page", "treatment sessions", action="delete")
def delete_session(patient: User, session: TreatmentSession):
    ids = {"pid": patient.id, "sid": session.id}
    if request.form.get("confirm") != "yes":  # without JS: ask on a page of its own
        return render_template(
            "confirm.html",
            title=f"Delete the session of {session.date.strftime('%a %-d %B %Y')}?",
            detail=f"It disappears from {patient.display_name}'s diary and cannot be brought back.",
            action=url_for("web.delete_session", **ids),
            button="Delete the session",
            back=url_for("web.edit_session", **ids),
        )
    day = session.date
    operations.delete_session(current_user, session)
    return _saved(patient, day, "deleted")
