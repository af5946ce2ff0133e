"""Reminders on the patient's pages (docs/reminders.md): the Account page's reminder settings
(its section is _account_reminders.html) and the catch-up page a reminder links to when days
of the last week are missing."""

from __future__ import annotations

from datetime import date

from flask import flash, redirect, render_template, request, url_for
from flask_babel import format_date
from flask_login import current_user
from marshmallow import ValidationError

from .. import operations, queries
from ..access import rule
from ..errors import Conflict, InvalidInput
from ..operations import reminders
from ..reminders import CATCH_UP_DAYS
from ..schemas import flatten_errors
from ..schemas.reminders import ReminderSettingsSchema
from . import bp
from .accounts import _timezone_context


@bp.app_template_global()
def reminder_settings() -> dict:
    """The patient's reminder settings, for the Account page's section."""
    return reminders.reminder_settings(current_user)


def _form_settings(form) -> dict:
    """The section's form as the API's settings: a checkbox left unticked is not sent at all."""
    return {
        "enabled": form.get("enabled") == "on",
        "time": form.get("time", "")[:5],  # a browser may send seconds (HH:MM:SS)
        "channels": form.getlist("channels"),
        "skip_if_logged": form.get("skip_if_logged") == "on",
    }


@bp.post("/account/reminders")
@rule("patient_page")
def save_reminders():
    data = _form_settings(request.form)
    try:
        settings = reminders.update_reminders(current_user, ReminderSettingsSchema().load(data))
    except ValidationError as error:
        form = {"display_name": current_user.display_name, "timezone": current_user.timezone}
        return render_template(
            "account.html",
            form=form,
            errors={},
            **_timezone_context(),
            reminder_form=data,
            reminder_errors=flatten_errors(error.messages),
        ), 422
    if settings["enabled"]:
        flash(f"Saved. Your reminder comes at {settings['time']:%H:%M} every day.")
    else:
        flash("Saved. Reminders are off.")
    return redirect(url_for("web.account", _anchor="reminders-title"))


@bp.get("/catch-up")
@rule("patient_page")
def catch_up():
    """The days of the last week not logged yet, each answered in one tap or opened."""
    return render_template(
        "catch_up.html", days=queries.days_to_catch_up(current_user), window_days=CATCH_UP_DAYS
    )


@bp.post("/catch-up/<day:day>")
@rule("patient_page")
def catch_up_day(day: date):
    """ "No headache" for one missed day (the day's one-tap answer); back to the list."""
    try:
        operations.mark_headache_free(current_user, day)
    except InvalidInput as error:
        flash(" ".join(error.errors.get("date", ["This day cannot be saved."])))
    except Conflict as error:
        flash(str(error))
    else:
        flash(f"Saved {format_date(day, 'EEEE d MMMM')} as a day without a headache.")
    return redirect(url_for("web.catch_up"))
