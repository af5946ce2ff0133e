"""Pages for a forgotten password, and ending a login from the account page's list of devices
(docs/accounts.md)."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, logout_user
from marshmallow import ValidationError
from werkzeug.exceptions import NotFound

from .. import queries
from ..access import rule
from ..errors import InvalidInput
from ..operations import logins, password_reset
from ..ratelimits import password_reset_limits
from ..schemas import flatten_errors
from ..schemas.logins import PasswordResetRequestSchema, PasswordResetSchema
from . import bp
from .accounts import form_page

RESET_MINUTES = int(password_reset.RESET_LIFETIME.total_seconds() // 60)


@bp.app_context_processor
def _devices():
    """The account page's devices section (_account_devices.html) reads the user's logins."""
    return {"my_logins": lambda: queries.logins_of(current_user)}


@bp.route("/forgot-password", methods=["GET", "POST"])
@rule("anyone")
@password_reset_limits
@form_page("forgot_password.html")
def forgot_password():
    try:
        data = PasswordResetRequestSchema().load({"email": request.form.get("email", "")})
    except ValidationError as error:
        errors = flatten_errors(error.messages)
        return render_template("forgot_password.html", form=request.form, errors=errors), 422
    password_reset.request_password_reset(data["email"])
    return redirect(url_for("web.forgot_password_sent"))


@bp.get("/forgot-password/sent")
@rule("anyone")
def forgot_password_sent():
    return render_template("forgot_password_sent.html", minutes=RESET_MINUTES)


def _expired_link():
    return render_template("reset_password.html", expired=True, errors={}), 404


@bp.route("/reset-password/<token>", methods=["GET", "POST"])
@rule("anyone")
def reset_password(token: str):
    if request.method == "GET":
        if password_reset.reset_token_owner(token) is None:
            return _expired_link()
        return render_template("reset_password.html", expired=False, errors={})
    try:
        data = PasswordResetSchema().load({"password": request.form.get("password", "")})
        user = password_reset.reset_password(token, data["password"])
    except ValidationError as error:
        return render_template(
            "reset_password.html", expired=False, errors=flatten_errors(error.messages)
        ), 422
    except InvalidInput as error:
        return render_template("reset_password.html", expired=False, errors=error.errors), 422
    except NotFound:
        return _expired_link()
    if current_user.is_authenticated and current_user.id == user.id:
        logout_user()  # its login has ended with all the others
    flash(
        "Your new password is set, and every phone or computer that was logged in is logged out. "
        "Log in with it now."
    )
    return redirect(url_for("web.login", email=user.email))


@bp.post("/account/devices/<uuid_text:login_id>/end")
@rule("logged_in", second_factor_setup=True)
def end_device(login_id: str):
    if not logins.end_login(current_user, login_id):
        raise NotFound()
    flash("That device is logged out.")
    return redirect(url_for("web.account", _anchor="devices-title"))
