"""Red flags for patients (docs/red-flags.md): the list of warning signs, each sign's advice, and
adding a sign to today's diary in one tap.

The list and the advice pages hold no health data and are the same for everyone, so the service
worker keeps them (web/pwa.py) and they open without a network. Rendered for nobody (as the
service worker fetches them, without cookies) they carry no name and no CSRF token; offline.js
queues the "Add this to today's diary" tap then.
"""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_login import current_user
from werkzeug.exceptions import NotFound

from .. import operations, redflags
from ..access import rule
from . import bp
from .pwa import ShellPatient, _data_free


def _page(template: str, **context):
    if current_user.is_authenticated:
        return render_template(template, redflags=redflags, **context)
    # For nobody in particular (the copy the service worker keeps): the patient's navigation.
    return _data_free(template, current_user=ShellPatient(), redflags=redflags, **context)


def _flag(code: str) -> redflags.RedFlag:
    flag = redflags.get(code)
    if flag is None:
        raise NotFound()
    return flag


@bp.get("/red-flags")
@rule("anyone")
def red_flags_page():
    """Every warning sign in plain words; each opens its advice."""
    return _page("red_flags.html")


@bp.get("/red-flags/<code>")
@rule("anyone")
def red_flag_page(code: str):
    """What to do about one warning sign, at once."""
    return _page("red_flag.html", flag=_flag(code))


@bp.post("/red-flags/<code>/add")
@rule("patient_page")
def add_red_flag(code: str):
    """Add the sign to today's record, keeping the rest of the day (a one-tap quick control)."""
    flag = _flag(code)
    today = current_user.today()
    operations.add_red_flag(current_user, today, flag.code)
    flash("Added to today's diary. Your therapist will see it when they next look at your diary.")
    return redirect(url_for("web.red_flag_page", code=flag.code))
