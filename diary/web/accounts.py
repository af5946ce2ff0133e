"""Pages for accounts: log in, register, log out, and the account settings."""

from __future__ import annotations

from urllib.parse import urlsplit
from zoneinfo import available_timezones

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, login_user, logout_user
from marshmallow import ValidationError

from .. import operations
from ..access import rule
from ..errors import Conflict, InvalidInput
from ..ratelimits import login_limits, mark_login_failed
from ..schemas import ProfileSchema, RegisterSchema, flatten_errors
from . import bp

TIMEZONES = sorted(available_timezones() - {"localtime", "Factory"})


def _home_for(user) -> str:
    return url_for("web.today") if user.is_patient else url_for("web.therapist_home")


def _safe_next(target: str | None) -> str | None:
    """Only a path on this site, so a link cannot send someone elsewhere after login."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


@bp.get("/")
@rule("anyone")
def index():
    if current_user.is_authenticated:
        return redirect(_home_for(current_user))
    return render_template("welcome.html")


@bp.route("/login", methods=["GET", "POST"])
@rule("anyone")
@login_limits
def login():
    if request.method == "GET":
        return render_template("login.html", form=request.args, errors={})
    user = operations.authenticate(request.form.get("email", ""), request.form.get("password", ""))
    if user is None:
        mark_login_failed()
        errors = {"_form": ["The email or the password is not right."]}
        return render_template("login.html", form=request.form, errors=errors), 401
    operations.start_login_session(user)
    login_user(user)
    return redirect(_safe_next(request.form.get("next")) or _home_for(user))


@bp.route("/register", methods=["GET", "POST"])
@rule("anyone")
def register():
    if request.method == "GET":
        return render_template("register.html", form={}, errors={}, timezones=TIMEZONES)
    try:
        data = RegisterSchema().load({k: request.form.get(k, "") for k in
                                      ("email", "password", "display_name", "timezone")})
        user = operations.create_user(data["email"], data["password"], data["display_name"],
                                      timezone=data["timezone"])
    except ValidationError as error:
        errors = flatten_errors(error.messages)
    except InvalidInput as error:
        errors = error.errors
    except Conflict as error:
        errors = {"email": [str(error)]}
    else:
        operations.start_login_session(user)
        login_user(user)
        flash("Welcome! Your diary is ready. Log today in a couple of taps.")
        return redirect(url_for("web.today"))
    return render_template("register.html", form=request.form, errors=errors,
                           timezones=TIMEZONES), 422


@bp.post("/logout")
@rule("logged_in")
def logout():
    operations.end_login_session()
    logout_user()
    flash("You are logged out.")
    return redirect(url_for("web.login"))


@bp.route("/account", methods=["GET", "POST"])
@rule("logged_in")
def account():
    errors: dict = {}
    form = request.form if request.method == "POST" else {
        "display_name": current_user.display_name, "timezone": current_user.timezone}
    if request.method == "POST":
        try:
            changes = ProfileSchema().load({k: request.form.get(k, "")
                                            for k in ("display_name", "timezone")})
        except ValidationError as error:
            errors = flatten_errors(error.messages)
        else:
            operations.update_profile(current_user, changes)
            flash("Saved.")
            return redirect(url_for("web.account"))
    return render_template("account.html", form=form, errors=errors, timezones=TIMEZONES), (
        422 if errors else 200)


@bp.get("/therapist")
@rule("therapist_page")
def therapist_home():
    return render_template("therapist_home.html")
