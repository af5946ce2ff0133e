"""Pages for two-step sign-in (docs/second-factor.md): the login's second step, setting up an
authenticator app (its QR code is an SVG of its own, so the CSP stays strict), the recovery codes
shown once, and turning it off. Passkeys are added and used by static/js/passkey.js through the
API."""

from __future__ import annotations

import io

import segno
from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from .. import second_factor as factors
from ..access import rule
from ..errors import Conflict, InvalidInput
from ..operations import second_factor as two_step
from ..ratelimits import mark_login_failed, second_step_limits
from . import bp
from .accounts import _account_page, log_in, password_refusal

SETUP = {"second_factor_setup": True}


@bp.app_template_global()
def two_step_status() -> dict:
    """What the account page's "Two-step sign-in" section shows (_account_security.html)."""
    return {
        "methods": factors.methods(current_user.id),
        "passkeys": two_step.passkeys_of(current_user),
        "required": factors.required_for(current_user),
    }


@bp.route("/login/two-step", methods=["GET", "POST"])
@rule("anyone")
@second_step_limits
def login_second_factor():
    """After the password: a code from the app, a recovery code, or a passkey."""
    user, next_url = two_step.pending_login()
    if user is None:
        flash("Please log in again: the login waited too long for its second step.")
        return redirect(url_for("web.login"))
    ways = factors.methods(user.id)
    typed = [way for way in (factors.TOTP, factors.RECOVERY_CODE) if way in ways]
    method = request.values.get("method")
    if method not in typed:  # the app's code first; a passkey alone needs no form
        method = typed[0] if typed else None
    context = {"method": method, "methods": ways, "next_url": next_url}
    if request.method == "GET":
        return render_template("login_second_factor.html", errors={}, **context)
    if (done := two_step.finish_second_step(method, request.form.get("code", ""))) is None:
        mark_login_failed()
        message = (
            "That code is not right. Type the 6 digits your app shows now."
            if method == factors.TOTP
            else "That recovery code is not right, or it was used before."
        )
        return render_template("login_second_factor.html", errors={"code": [message]}, **context), 401
    return log_in(done, next_url)


@bp.get("/account/two-step")
@rule("logged_in", **SETUP)
def second_factor_setup():
    """Set up the authenticator app: its QR code, the key in text, and a code to confirm."""
    if factors.TOTP in factors.methods(current_user.id):
        return redirect(url_for("web.account", _anchor="two-step-title"))
    secret, _ = two_step.pending_totp(current_user)
    return _setup_page(secret, errors={})


def _setup_page(secret: str, errors: dict, status: int = 200):
    grouped = " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))
    required = factors.required_for(current_user)
    return render_template(
        "second_factor_setup.html", secret=grouped, errors=errors, required=required
    ), status


@bp.get("/account/two-step/qr.svg")
@rule("logged_in", **SETUP)
def second_factor_qr():
    """The pending key's otpauth URI as a QR code (SVG); none once it is confirmed."""
    if factors.TOTP in factors.methods(current_user.id):
        abort(404)
    _, uri = two_step.pending_totp(current_user)
    svg = io.BytesIO()
    segno.make(uri, error="m").save(
        svg, kind="svg", scale=5, border=2, dark="black", light="white", xmldecl=False, title="QR code"
    )  # white behind it in dark mode too: an app reads dark on light
    return Response(svg.getvalue(), mimetype="image/svg+xml")


@bp.post("/account/two-step")
@rule("logged_in", **SETUP)
def confirm_second_factor():
    """The code from the app turns two-step sign-in on; the recovery codes are shown once."""
    try:
        codes = two_step.confirm_totp(current_user, request.form.get("code", ""))
    except InvalidInput as error:
        secret, _ = two_step.pending_totp(current_user)
        return _setup_page(secret, errors=error.errors, status=422)
    except Conflict:
        return redirect(url_for("web.second_factor_setup"))
    return render_template("second_factor_codes.html", codes=codes)


@bp.post("/account/two-step/off")
@rule("logged_in", **SETUP)
def turn_off_second_factor():
    """Two-step sign-in off, with the password: the app's key, the recovery codes, the passkeys."""
    errors = password_refusal(lambda password: two_step.turn_off_second_factor(current_user, password))
    if errors is not None:
        return _account_page(two_step_errors=errors, status=422)
    flash("Two-step sign-in is off. Logging in needs only your password now.")
    return redirect(url_for("web.account", _anchor="main"))
