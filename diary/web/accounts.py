"""Pages for accounts: log in, register, log out, the account settings, password change and
erasure."""

from __future__ import annotations

import functools
from collections.abc import Callable
from urllib.parse import urlsplit

from flask import flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user
from marshmallow import ValidationError
from werkzeug.exceptions import Forbidden

from .. import operations, queries, timezones
from ..access import rule
from ..errors import Conflict, InvalidInput
from ..models import DEFAULT_TIMEZONE
from ..operations import second_factor as two_step
from ..ratelimits import login_limits, mark_login_failed, registration_limit
from ..schemas import (
    PasswordChangeSchema,
    PasswordSchema,
    ProfileSchema,
    RegisterSchema,
    flatten_errors,
)
from . import bp
from .invitations import closed_page

ERASED_KEY = "erased"


def form_page(template: str) -> Callable:
    """A page with a form: GET shows `template` with no errors, its fields filled in from the
    query (a link may name an email); the view under it answers the POST."""

    def decorate(view: Callable) -> Callable:
        @functools.wraps(view)
        def page(*args, **kwargs):
            if request.method == "GET":
                return render_template(template, form=request.args, errors={})
            return view(*args, **kwargs)

        return page

    return decorate


def _timezone_context() -> dict:
    """What the time zone field needs: the places to offer, and the zone chosen by default."""
    return {"timezone_choices": timezones.choices, "default_timezone": DEFAULT_TIMEZONE}


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
@form_page("login.html")
def login():
    user = operations.authenticate(request.form.get("email", ""), request.form.get("password", ""))
    if user is None:
        mark_login_failed()
        errors = {"_form": ["The email or the password is not right."]}
        return render_template("login.html", form=request.form, errors=errors), 401
    if two_step.begin_second_step(user, _safe_next(request.form.get("next"))):
        return redirect(url_for("web.login_second_factor"))
    return log_in(user, request.form.get("next"))


def log_in(user, next_url: str | None):
    """Log `user` in on this browser (after the password, or after its second step) and go on
    to `next_url` when it is ours, else to their home page."""
    operations.start_login_session(user)
    login_user(user)
    return redirect(_safe_next(next_url) or _home_for(user))


@bp.route("/register", methods=["GET", "POST"])
@rule("anyone")
@registration_limit
def register():
    # An invitation link's token (docs/invitations.md): the way in under REGISTRATION=invite_only,
    # and the page the new patient comes back to.
    token = request.values.get("invitation") or None
    invitation = queries.open_invitation(token) if token else None
    if invitation is not None and invitation.patient_id is not None:  # another account's already
        invitation = None
    if invitation is None and not operations.registration_open():
        return closed_page()
    if request.method == "GET":
        form = {"invitation": token, "email": invitation.patient_email or ""} if invitation else {}
        return render_template(
            "register.html", form=form, errors={}, invitation=invitation, **_timezone_context()
        )
    try:
        data = RegisterSchema().load(
            {k: request.form.get(k, "") for k in ("email", "password", "display_name", "timezone")}
            | {"invitation": token}
        )
        user = operations.register_patient(**data)
    except ValidationError as error:
        errors = flatten_errors(error.messages)
    except InvalidInput as error:
        errors = error.errors
    except Conflict as error:
        errors = {"email": [str(error)]}
    except Forbidden:  # the invitation was taken by another registration meanwhile
        return closed_page()
    else:
        operations.start_login_session(user)
        login_user(user)
        if invitation is not None:
            name = invitation.therapist.display_name
            flash(f"Welcome! Your diary is ready. Now say whether {name} may see it.")
            return redirect(url_for("web.invitation", token=token))
        flash("Welcome! Your diary is ready. Log today in a couple of taps.")
        return redirect(url_for("web.today"))
    return render_template(
        "register.html", form=request.form, errors=errors, invitation=invitation, **_timezone_context()
    ), 422


@bp.post("/logout")
@rule("logged_in", second_factor_setup=True)
def logout():
    operations.end_login_session()
    logout_user()
    flash("You are logged out.")
    return redirect(url_for("web.login"))


@bp.route("/account", methods=["GET", "POST"])
@rule("logged_in", second_factor_setup=True)
def account():
    errors: dict = {}
    form = (
        request.form
        if request.method == "POST"
        else {"display_name": current_user.display_name, "timezone": current_user.timezone}
    )
    if request.method == "POST":
        try:
            changes = ProfileSchema().load({k: request.form.get(k, "") for k in ("display_name", "timezone")})
        except ValidationError as error:
            errors = flatten_errors(error.messages)
        else:
            operations.update_profile(current_user, changes)
            flash("Saved.")
            return redirect(url_for("web.account"))
    return render_template("account.html", form=form, errors=errors, **_timezone_context()), (
        422 if errors else 200
    )


def _account_page(*, password_errors=None, erase_errors=None, status: int = 200, **section_errors):
    """The account page answering a form of one of its sections (`section_errors`: a partial's)."""
    form = {"display_name": current_user.display_name, "timezone": current_user.timezone}
    return render_template(
        "account.html",
        form=form,
        errors={},
        **_timezone_context(),
        password_errors=password_errors or {},
        erase_errors=erase_errors or {},
        **section_errors,
    ), status


def password_refusal(act: Callable[[str], object]) -> dict | None:
    """Call `act` with the password typed in the form; the errors to show beside the field when
    the password is missing or `act` refuses it (InvalidInput), else None."""
    try:
        data = PasswordSchema().load({"password": request.form.get("password", "")})
        act(data["password"])
    except ValidationError as error:
        return flatten_errors(error.messages)
    except InvalidInput as error:
        return error.errors
    return None


@bp.post("/account/password")
@rule("logged_in", second_factor_setup=True)
def change_password():
    try:
        data = PasswordChangeSchema().load(
            {k: request.form.get(k, "") for k in ("current_password", "new_password")}
        )
        operations.change_password(current_user, data["current_password"], data["new_password"])
    except ValidationError as error:
        return _account_page(password_errors=flatten_errors(error.messages), status=422)
    except InvalidInput as error:
        # The strength rules speak of "password": here that is the new one.
        errors = {("new_password" if k == "password" else k): v for k, v in error.errors.items()}
        return _account_page(password_errors=errors, status=422)
    flash("Your password is changed. Any other phone or computer logged in as you is now logged out.")
    return redirect(url_for("web.account", _anchor="main"))  # not the form's #password-title


@bp.post("/account/erase")
@rule("patient_page")
def erase_account():
    errors = password_refusal(lambda password: operations.erase_account(current_user, password))
    if errors is not None:
        return _account_page(erase_errors=errors, status=422)
    logout_user()
    session[ERASED_KEY] = True
    return redirect(url_for("web.goodbye"))


@bp.get("/goodbye")
@rule("anyone")
def goodbye():
    """Said once, right after an erasure; anyone else is sent to the front page."""
    if not session.pop(ERASED_KEY, False) or current_user.is_authenticated:
        return redirect(url_for("web.index"))
    return render_template("goodbye.html")
