"""The patient's diary pages: Today, the editor of any day, quick controls, the month calendar."""

from __future__ import annotations

import re
from datetime import date, timedelta

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import NotFound

from .. import operations, queries, safety
from ..access import rule
from ..errors import Conflict, InvalidInput, StaleVersion
from ..schemas import EARLIEST, day_schema
from ..versions import parse_version
from . import bp
from .forms import (
    EDITOR_FIXED,
    asks_headache_flags,
    day_to_form,
    editor_layout,
    load_day_form,
    load_quick_form,
)


def _editor(day: date, *, form=None, errors=None, status: int = 200, notice: str | None = None):
    record = queries.get_day(current_user, day)
    today = current_user.today()
    # "Yes" to the headache question, without JavaScript: the editor with Yes chosen.
    answering_yes = form is None and request.args.get("headache") == "yes"
    if form is None:
        form = day_to_form(day_schema.dump(record) if record else None)
    if answering_yes:
        form = MultiDict(form)
        form["headache_today"] = "yes"
    errors = errors or {}
    context = dict(
        EDITOR_FIXED,
        day=day,
        today=today,
        is_today=day == today,
        record=record,
        form=form,
        errors=errors,
        layout=editor_layout(form, errors, queries.remembered_medications(current_user)),
        notice=notice,
        answering_yes=answering_yes,
        yes_url=url_for(
            "web.today" if day == today else "web.day_page",
            **({} if day == today else {"day": day}),
            headache="yes",
        ),
        previous_day=day - timedelta(days=1),
        next_day=day + timedelta(days=1) if day < today else None,
        needling=safety.needling_question(current_user, current_user, day),
        headache_flags_open=asks_headache_flags(form),
    )
    return render_template("day.html", **context), status


@bp.get("/today")
@rule("patient_page")
def today():
    return _editor(current_user.today())


@bp.get("/days/<day:day>")
@rule("patient_page")
def day_page(day: date):
    refusal = _out_of_diary(day)
    return _editor(day) if refusal is None else refusal


def _out_of_diary(day: date):
    """None for a date of the diary; else a 404 that says why the date has no page (not come
    yet, or too far back) and links to Today."""
    try:
        operations.check_diary_date(current_user, day)
    except InvalidInput as error:
        when = "has not come yet" if day > current_user.today() else "is too far back"
        return render_template(
            "error.html",
            title=f"{day.strftime('%A %-d %B %Y')} {when}",
            detail=error.errors["date"][0],
            back_url=url_for("web.today"),
            back_label="Go to Today",
        ), 404
    return None


# A save sent as a page is also kept on the phone until the server has handled it
# (static/js/offline.js): the page that answers it, and only that page, names the day in
# <meta name="diary-save-answered"> (base.html), and offline.js then drops its copy. A flash is
# shown by exactly the next page rendered: the page the redirect lands on, or the editor sent
# back with errors in this very request.
# The form names the phone's copy (`outbox_entry`, set by offline.js), so that an answer drops
# that copy only, never a later save of the same day whose request is still on its way.
SAVE_ANSWERED = "save-answered"
_ENTRY_ID = re.compile(r"[a-z0-9-]{1,40}")


def _answered(day: date) -> None:
    entry = request.form.get("outbox_entry", "")
    flash(f"{day.isoformat()} {entry}" if _ENTRY_ID.fullmatch(entry) else day.isoformat(), SAVE_ANSWERED)


def _after_save(day: date):
    _answered(day)
    if day == current_user.today():
        return redirect(url_for("web.today"))
    return redirect(url_for("web.calendar_page", month=day.strftime("%Y-%m")))


@bp.post("/days/<day:day>")
@rule("patient_page")
def save_day(day: date):
    version = request.form.get("version", "")
    try:
        data = load_day_form(request.form)
        record, _ = operations.record_day(current_user, day, data, if_match=parse_version(version))
    except InvalidInput as error:
        _answered(day)
        return _editor(day, form=request.form, errors=error.errors, status=422)
    except StaleVersion:
        _answered(day)
        return _editor(
            day,
            form=request.form,
            status=409,
            notice=(
                "This day was changed on another device after you opened it. What you typed is still "
                "here: save again to keep it, or open the day again to see the other version."
            ),
        )
    flash(f"Saved {_day_label(day)}.")
    return _after_save(day)


@bp.post("/days/<day:day>/quick")
@rule("patient_page")
def quick_save(day: date):
    """One-tap controls: no headache today, soreness, exercises; the rest of the day is kept."""
    try:
        action, changes = load_quick_form(request.form)
        if action == "no_headache":
            operations.mark_headache_free(current_user, day)
        else:
            operations.update_day(current_user, day, changes)
    except InvalidInput as error:
        _answered(day)
        return _editor(day, errors=error.errors, status=422)
    except Conflict as error:
        _answered(day)
        return _editor(day, status=409, notice=str(error))
    flash(f"Saved {_day_label(day)}.")
    return _after_save(day)


@bp.post("/days/<day:day>/delete")
@rule("patient_page")
def delete_day_page(day: date):
    operations.delete_day(current_user, day)
    flash(f"{_day_label(day).capitalize()} is cleared; it counts as not logged.")
    _answered(day)
    return redirect(url_for("web.calendar_page", month=day.strftime("%Y-%m")))


def _day_label(day: date) -> str:
    if day == current_user.today():
        return "today"
    return day.strftime("%a %-d %b %Y")


@bp.get("/calendar")
@rule("patient_page")
def calendar_page():
    today = current_user.today()
    try:
        year, month = (int(p) for p in request.args.get("month", "").split("-"))
        shown = date(year, month, 1)
    except ValueError:
        shown = today.replace(day=1)
    if shown < EARLIEST:  # no calendar page before 1900 (year 1 has no month before it)
        raise NotFound()
    if shown > today.replace(day=1):
        shown = today.replace(day=1)
    previous_month = (shown - timedelta(days=1)).replace(day=1)
    next_month = (shown + timedelta(days=32)).replace(day=1)
    return render_template(
        "calendar.html",
        month=shown,
        today=today,
        weeks=queries.month_calendar(current_user, shown.year, shown.month),
        session_days=queries.session_dates(current_user, shown, next_month - timedelta(days=1)),
        previous_month=previous_month,
        next_month=next_month if next_month <= today.replace(day=1) else None,
    )
